-- The shared API rate limit (migration service_tables): a server process leases up to p_wanted
-- requests of a caller's bucket at a time; the bucket holds a minute's allowance.
begin;
create extension if not exists pgtap;
select plan(7);

select 'tap_rl_' || pg_backend_pid() as k \gset

-- 6 a minute: one more every 10 s, so the steps below cannot be refilled in between
select is((select granted from private.take_api_rate_limit_tokens(:'k', 6, 2)), 2,
  'a full bucket grants the whole lease asked for');
select is((select granted from private.take_api_rate_limit_tokens(:'k', 6, 3)), 3,
  'and the next lease while the bucket lasts');
select is((select granted from private.take_api_rate_limit_tokens(:'k', 6, 5)), 1,
  'a lease larger than what is left grants what is left (6 in all)');
select results_eq(
  format($$select granted, retry_after_seconds from private.take_api_rate_limit_tokens(%L, 6, 1)$$, :'k'),
  $$values (0, 10)$$,
  'an empty bucket grants nothing and says when to come back');
select is((select granted from private.take_api_rate_limit_tokens(:'k' || '-other', 60, 3)), 3,
  'another caller has a bucket of its own');
select throws_ok(format($$select * from private.take_api_rate_limit_tokens(%L, 60, 0)$$, :'k'), '22023', null,
  'a lease of nothing is refused');
select ok(not has_function_privilege('authenticated', 'private.take_api_rate_limit_tokens(text,integer,integer)', 'execute'),
  'signed-in callers cannot touch the limits');

select * from finish();
rollback;
