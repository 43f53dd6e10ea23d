-- search_optimization_runs / count_optimization_runs run as their owner (so tag and config
-- filters can use the GIN indexes): they must check the caller's access themselves.
begin;
create extension if not exists pgtap;
select plan(12);

\set owner_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000a1"}'
\set owner_b '{"role": "authenticated", "sub": "b0000000-0000-4000-8000-0000000000b1"}'
\set key_a '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-0000000000a1"}'
\set key_revoked '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-0000000000a2"}'

insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-0000000000a1', 'search-a@example.test'),
  ('b0000000-0000-4000-8000-0000000000b1', 'search-b@example.test');
insert into project_config (id, name) values ('search-a', 'A'), ('search-b', 'B');
insert into project_members (project_id, user_id, role) values
  ('search-a', 'a0000000-0000-4000-8000-0000000000a1', 'owner'),
  ('search-b', 'b0000000-0000-4000-8000-0000000000b1', 'owner');
insert into api_keys (id, project_id, name, key_hash, key_prefix, revoked_at) values
  ('a3000000-0000-4000-8000-0000000000a1', 'search-a', 'k', repeat('e', 64), 'osk_k', null),
  ('a3000000-0000-4000-8000-0000000000a2', 'search-a', 'r', repeat('f', 64), 'osk_r', now());
insert into optimization_runs (project_id, run_name, optimizer_type, tags, config)
select p, 'run ' || g, 'miprov2', array['prod'], '{"model": "gpt-4"}'::jsonb
from unnest(array['search-a', 'search-b']) p, generate_series(1, 3) g;

set local role authenticated;

select set_config('request.jwt.claims', :'owner_a', true);
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-a", "tags": ["prod"]}', 50)), 3,
  'an owner finds the runs of their project by tag');
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-a", "config": {"model": "gpt-4"}}', 50)), 3,
  'an owner finds the runs of their project by config');
select is(count_optimization_runs('{"projectId": "search-a", "tags": ["prod"]}', 100), 3, 'and counts them');
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-b", "tags": ["prod"]}', 50)), 0,
  'another project''s runs are not found');
select is(count_optimization_runs('{"projectId": "search-b"}', 100), 0, 'nor counted');
select is((select count(*)::int from search_optimization_runs('{"tags": ["prod"]}', 50)), 0,
  'no project, no runs');
select throws_ok($$ select * from search_optimization_runs('{"projectId": "search-a", "orderBy": "id; drop table x"}', 5) $$,
  '22023', null, 'an unknown order column is refused, never spliced into SQL');
select is(count_optimization_runs('{"projectId": "search-a", "search": "%run%"}', 1), 2,
  'the count stops at the cap plus one');

select set_config('request.jwt.claims', :'key_a', true);
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-a"}', 50)), 3, 'an API key searches its project');
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-b"}', 50)), 0, 'and no other');

select set_config('request.jwt.claims', :'key_revoked', true);
select is((select count(*)::int from search_optimization_runs('{"projectId": "search-a"}', 50)), 0, 'a revoked key finds nothing');

reset role;
set local role anon;
select throws_ok($$ select * from search_optimization_runs('{"projectId": "search-a"}', 5) $$,
  '42501', null, 'anon cannot call the search');

select * from finish();
rollback;
