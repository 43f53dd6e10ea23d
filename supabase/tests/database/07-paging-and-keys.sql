-- Keyset pages by a numeric column after a cursor with a value (migration run_search): the
-- pages, read one after another with the cursor of the previous page, are exactly the
-- project's runs in "<column> desc|asc nulls last, id desc|asc" order, NULLs included;
-- and API keys checked in the request's own transaction (migration tenancy).
begin;
create extension if not exists pgtap;
select plan(22);

\set owner_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000d1"}'
\set owner_b '{"role": "authenticated", "sub": "b0000000-0000-4000-8000-0000000000d1"}'

insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-0000000000d1', 'paging-a@example.test'),
  ('b0000000-0000-4000-8000-0000000000d1', 'paging-b@example.test');
insert into project_config (id, name) values ('paging-a', 'A'), ('paging-b', 'B');
insert into project_members (project_id, user_id, role) values
  ('paging-a', 'a0000000-0000-4000-8000-0000000000d1', 'owner'),
  ('paging-b', 'b0000000-0000-4000-8000-0000000000d1', 'owner');
insert into api_keys (id, project_id, name, key_hash, key_prefix, revoked_at, expires_at) values
  ('a3000000-0000-4000-8000-0000000000d1', 'paging-a', 'live', repeat('a', 64), 'osk_live', null, null),
  ('a3000000-0000-4000-8000-0000000000d2', 'paging-a', 'revoked', repeat('b', 64), 'osk_rev', now(), null),
  ('a3000000-0000-4000-8000-0000000000d3', 'paging-a', 'expired', repeat('c', 64), 'osk_exp', null, now() - interval '1 minute'),
  ('a3000000-0000-4000-8000-0000000000d4', 'paging-a', 'expiring', repeat('d', 64), 'osk_later', null, now() + interval '1 day');

-- 12 runs in A: final_score with a four-way tie at 0.5, a tie at 0.2 and three NULLs;
-- improvement (final - initial) with ties and NULLs; duration_ms with ties and NULLs.
-- Ids are not in score order, so a wrong tie-break shows.
insert into optimization_runs (id, project_id, run_name, optimizer_type, status, final_score, initial_score, started_at, ended_at)
select ('c0000000-0000-4000-8000-0000000000' || v.n)::uuid, 'paging-a', 'run ' || v.n, 'miprov2', v.status,
       v.final, v.initial,
       case when v.secs is not null then timestamptz '2026-01-01 00:00:00+00' end,
       timestamptz '2026-01-01 00:00:00+00' + make_interval(secs => v.secs)
from (values
  ('01', 0.5000, 0.4000, 30, 'completed'),
  ('02', 0.9000, 0.5000, 10, 'completed'),
  ('03', 0.5000, 0.3000, null, 'completed'),
  ('04', null, 0.2000, 20, 'failed'),
  ('05', 0.5000, 0.4000, 30, 'completed'),
  ('06', 0.2000, null, 5, 'completed'),
  ('07', null, null, null, 'running'),
  ('08', 0.7000, 0.7000, 10, 'completed'),
  ('09', 0.2000, 0.3000, 40, 'failed'),
  ('0a', null, 0.1000, 10, 'failed'),
  ('0b', 0.5000, 0.5000, 60, 'completed'),
  ('0c', 0.1000, 0.0500, null, 'completed')
) as v(n, final, initial, secs, status);
-- 4 runs in B.
insert into optimization_runs (id, project_id, run_name, optimizer_type, status, final_score)
select ('c0000000-0000-4000-8000-0000000000b' || g)::uuid, 'paging-b', 'b ' || g, 'miprov2', 'completed',
       case when g = 4 then null else g / 10.0 end
from generate_series(1, 4) g;

-- Every page of a search, each read with the cursor (sort_value, id) of the last row of
-- the page before, concatenated; stops at the first page shorter than p_limit.
create function pg_temp.all_pages(p_filters jsonb, p_limit integer) returns uuid[]
language plpgsql as $$
declare
  v_ids uuid[] := '{}';
  v_filters jsonb := p_filters;
  v_row record;
  v_n integer;
  v_pages integer := 0;
begin
  loop
    v_n := 0;
    for v_row in select * from public.search_optimization_runs(v_filters, p_limit, 0) loop
      v_ids := v_ids || v_row.id;
      v_n := v_n + 1;
      v_filters := p_filters || jsonb_build_object('cursorValue', v_row.sort_value, 'cursorId', v_row.id);
    end loop;
    if v_n > p_limit then
      raise exception 'a page of % rows for a limit of %', v_n, p_limit;
    end if;
    v_pages := v_pages + 1;
    if v_pages > 100 then
      raise exception 'more than 100 pages';
    end if;
    exit when v_n < p_limit;
  end loop;
  return v_ids;
end
$$;

set local role authenticated;
select set_config('request.jwt.claims', :'owner_a', true);

-- final_score, both directions
select is(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc"}', 3),
  (select array_agg(id order by final_score desc nulls last, id desc) from optimization_runs where project_id = 'paging-a'),
  'pages of 3 by final_score desc, each after the previous page''s cursor, are all runs in order');
select is(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "asc"}', 3),
  (select array_agg(id order by final_score asc nulls last, id asc) from optimization_runs where project_id = 'paging-a'),
  'pages of 3 by final_score asc, each after the previous page''s cursor, are all runs in order');
select ok((select bool_and(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc"}', l)
                           = (select array_agg(id order by final_score desc nulls last, id desc) from optimization_runs where project_id = 'paging-a'))
           from generate_series(1, 13) l),
  'and so are pages of any size from 1 to 13 (desc)');
select ok((select bool_and(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "asc"}', l)
                           = (select array_agg(id order by final_score asc nulls last, id asc) from optimization_runs where project_id = 'paging-a'))
           from generate_series(1, 13) l),
  'and so are pages of any size from 1 to 13 (asc)');

-- one page, spelled out
select results_eq(
  $$ select id, sort_value from search_optimization_runs(
       '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc",
         "cursorValue": "0.5000", "cursorId": "c0000000-0000-4000-8000-00000000000b"}', 3) $$,
  $$ values ('c0000000-0000-4000-8000-000000000005'::uuid, '0.5000'::text),
            ('c0000000-0000-4000-8000-000000000003'::uuid, '0.5000'::text),
            ('c0000000-0000-4000-8000-000000000001'::uuid, '0.5000'::text) $$,
  'a cursor inside a tie continues with the tied rows of smaller id');
select results_eq(
  $$ select id, sort_value from search_optimization_runs(
       '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc",
         "cursorValue": "0.2000", "cursorId": "c0000000-0000-4000-8000-000000000006"}', 3) $$,
  $$ values ('c0000000-0000-4000-8000-00000000000c'::uuid, '0.1000'::text),
            ('c0000000-0000-4000-8000-00000000000a'::uuid, null::text),
            ('c0000000-0000-4000-8000-000000000007'::uuid, null::text) $$,
  'a page after a value runs on from the last values into the NULLs, by id');
select results_eq(
  $$ select id from search_optimization_runs(
       '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc",
         "cursorValue": "0.5000", "cursorId": "c0000000-0000-4000-8000-00000000000b"}', 3, 1) $$,
  $$ values ('c0000000-0000-4000-8000-000000000003'::uuid), ('c0000000-0000-4000-8000-000000000001'::uuid),
            ('c0000000-0000-4000-8000-000000000009'::uuid) $$,
  'an offset after a cursor skips rows of the ordered union');

-- a cursor in the NULL section
select results_eq(
  $$ select id from search_optimization_runs(
       '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc",
         "cursorValue": null, "cursorId": "c0000000-0000-4000-8000-00000000000a"}', 5) $$,
  $$ values ('c0000000-0000-4000-8000-000000000007'::uuid), ('c0000000-0000-4000-8000-000000000004'::uuid) $$,
  'a NULL cursor continues with the remaining NULL rows by id (desc)');
select results_eq(
  $$ select id from search_optimization_runs(
       '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "asc",
         "cursorValue": null, "cursorId": "c0000000-0000-4000-8000-000000000004"}', 5) $$,
  $$ values ('c0000000-0000-4000-8000-000000000007'::uuid), ('c0000000-0000-4000-8000-00000000000a'::uuid) $$,
  'a NULL cursor continues with the remaining NULL rows by id (asc)');

-- other numeric columns, and a filter applied to both parts
select is(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "improvement", "orderDirection": "desc"}', 3),
  (select array_agg(id order by improvement desc nulls last, id desc) from optimization_runs where project_id = 'paging-a'),
  'pages of 3 by improvement desc (negative values, ties, NULLs) are all runs in order');
select is(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "duration_ms", "orderDirection": "asc"}', 2),
  (select array_agg(id order by duration_ms asc nulls last, id asc) from optimization_runs where project_id = 'paging-a'),
  'pages of 2 by duration_ms asc are all runs in order');
select is(pg_temp.all_pages('{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc", "status": ["completed", "running"]}', 2),
  (select array_agg(id order by final_score desc nulls last, id desc) from optimization_runs
   where project_id = 'paging-a' and status in ('completed', 'running')),
  'a status filter holds on every page, values and NULLs alike');

-- another project's caller
select set_config('request.jwt.claims', :'owner_b', true);
select is((select count(*)::int from search_optimization_runs(
    '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "desc",
      "cursorValue": "0.9000", "cursorId": "c0000000-0000-4000-8000-000000000002"}', 50)), 0,
  'a caller of another project gets no rows after a cursor with a value');
select is((select count(*)::int from search_optimization_runs(
    '{"projectId": "paging-a", "orderBy": "final_score", "orderDirection": "asc",
      "cursorValue": null, "cursorId": "c0000000-0000-4000-8000-000000000004"}', 50)), 0,
  'nor after a NULL cursor');
select is(pg_temp.all_pages('{"projectId": "paging-b", "orderBy": "final_score", "orderDirection": "desc"}', 1),
  (select array_agg(id order by final_score desc nulls last, id desc) from optimization_runs where project_id = 'paging-b'),
  'and pages through their own project''s runs only');

-- private.require_live_api_key: called by the connecting role (withUserScope's first
-- statement), never by authenticated (08-function-trust.sql)
reset role;
select is(private.require_live_api_key('a3000000-0000-4000-8000-0000000000d1'), true, 'a live key passes');
select is(private.require_live_api_key('a3000000-0000-4000-8000-0000000000d4'), true, 'a key expiring later passes');
select throws_ok($$ select private.require_live_api_key('a3000000-0000-4000-8000-0000000000d2') $$,
  '28000', 'this API key is not valid (unknown, revoked or expired)', 'a revoked key is refused');
select throws_ok($$ select private.require_live_api_key('a3000000-0000-4000-8000-0000000000d3') $$,
  '28000', 'this API key is not valid (unknown, revoked or expired)', 'an expired key is refused');
select throws_ok($$ select private.require_live_api_key('a3000000-0000-4000-8000-0000000000ff') $$,
  '28000', 'this API key is not valid (unknown, revoked or expired)', 'an unknown key is refused');
select ok(not has_function_privilege('anon', 'private.require_live_api_key(uuid)', 'execute'),
  'anon has no execute privilege on the key check');

set local role anon;
select throws_ok($$ select private.require_live_api_key('a3000000-0000-4000-8000-0000000000d1') $$,
  '42501', null, 'anon cannot call the key check');

select * from finish();
rollback;
