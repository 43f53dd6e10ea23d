-- Tenant isolation as the API sees it: each block switches to a caller (role + JWT claims,
-- as PostgREST sets them) and checks what it can read and change.
begin;
create extension if not exists pgtap;
select plan(66);

\set owner_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-000000000001"}'
\set admin_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-000000000002"}'
\set viewer_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-000000000003"}'
\set owner_b '{"role": "authenticated", "sub": "b0000000-0000-4000-8000-000000000001"}'
\set member_ab '{"role": "authenticated", "sub": "ab000000-0000-4000-8000-000000000001"}'
\set key_rw '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-000000000001"}'
\set key_ro '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-000000000002"}'
\set key_revoked '{"role": "authenticated", "api_key_id": "a3000000-0000-4000-8000-000000000003"}'

-- Fixtures, as the superuser ------------------------------------------------------------
insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-000000000001', 'owner-a@example.test'),
  ('a0000000-0000-4000-8000-000000000002', 'admin-a@example.test'),
  ('a0000000-0000-4000-8000-000000000003', 'viewer-a@example.test'),
  ('b0000000-0000-4000-8000-000000000001', 'owner-b@example.test'),
  ('ab000000-0000-4000-8000-000000000001', 'member-ab@example.test');
insert into project_config (id, name) values ('tap-a', 'Project A'), ('tap-b', 'Project B');
insert into project_members (project_id, user_id, role) values
  ('tap-a', 'a0000000-0000-4000-8000-000000000001', 'owner'),
  ('tap-a', 'a0000000-0000-4000-8000-000000000002', 'admin'),
  ('tap-a', 'a0000000-0000-4000-8000-000000000003', 'viewer'),
  ('tap-a', 'ab000000-0000-4000-8000-000000000001', 'member'),
  ('tap-b', 'b0000000-0000-4000-8000-000000000001', 'owner'),
  ('tap-b', 'ab000000-0000-4000-8000-000000000001', 'member');
insert into api_keys (id, project_id, name, key_hash, key_prefix, scopes, revoked_at) values
  ('a3000000-0000-4000-8000-000000000001', 'tap-a', 'rw', repeat('a', 64), 'opt_rw', array['read', 'write'], null),
  ('a3000000-0000-4000-8000-000000000002', 'tap-a', 'ro', repeat('b', 64), 'opt_ro', array['read'], null),
  ('a3000000-0000-4000-8000-000000000003', 'tap-a', 'revoked', repeat('c', 64), 'opt_rv', array['read', 'write'], now()),
  ('b3000000-0000-4000-8000-000000000001', 'tap-b', 'rw', repeat('d', 64), 'opt_bw', array['read', 'write'], null);
insert into optimization_runs (id, project_id, run_name, optimizer_type, status, initial_score, final_score) values
  ('a1000000-0000-4000-8000-000000000001', 'tap-a', 'run A', 'miprov2', 'completed', 0.5, 0.8),
  ('b1000000-0000-4000-8000-000000000001', 'tap-b', 'run B', 'miprov2', 'completed', 0.4, 0.9);
insert into optimization_iterations (id, run_id, project_id, iteration, score) values
  ('a2000000-0000-4000-8000-000000000001', 'a1000000-0000-4000-8000-000000000001', 'tap-a', 0, 0.8),
  ('b2000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000001', 'tap-b', 0, 0.9);
insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index) values
  ('a1000000-0000-4000-8000-000000000001', 'tap-a', 0, 'a2000000-0000-4000-8000-000000000001', 0),
  ('b1000000-0000-4000-8000-000000000001', 'tap-b', 0, 'b2000000-0000-4000-8000-000000000001', 0);
select refresh_optimization_analytics() is not null as refreshed \gset

-- Owner of A ------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims to :'owner_a';

select results_eq('select id from project_config', array['tap-a'], 'owner A sees only project A');
select results_eq('select distinct project_id from project_members', array['tap-a'], 'owner A sees only A''s members');
select results_eq('select distinct project_id from api_keys', array['tap-a'], 'owner A sees only A''s API keys');
select results_eq('select project_id from optimization_runs', array['tap-a'], 'owner A sees only A''s runs');
select results_eq('select project_id from optimization_iterations', array['tap-a'], 'owner A sees only A''s iterations');
select results_eq('select project_id from optimization_samples', array['tap-a'], 'owner A sees only A''s samples');

select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-b', 'x', 'miprov2')$$,
  '42501', 'new row violates row-level security policy for table "optimization_runs"', 'owner A cannot insert a run into B');
select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration)
                   values ('b1000000-0000-4000-8000-000000000001', 'tap-b', 5)$$,
  '42501', 'new row violates row-level security policy for table "optimization_iterations"', 'owner A cannot insert an iteration into B');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, sample_index)
                   values ('b1000000-0000-4000-8000-000000000001', 'tap-b', 0, 5)$$,
  '42501', 'new row violates row-level security policy for table "optimization_samples"', 'owner A cannot insert a sample into B');
select throws_ok($$select * from add_project_member('tap-b', 'owner-a@example.test', 'member')$$,
  'P0002', 'project tap-b not found', 'owner A cannot join B');
select throws_ok($$insert into api_keys (project_id, name, key_hash, key_prefix, created_by)
                   values ('tap-b', 'x', repeat('e', 64), 'opt_x', 'a0000000-0000-4000-8000-000000000001')$$,
  '42501', 'new row violates row-level security policy for table "api_keys"', 'owner A cannot create an API key for B');

with changed as (update optimization_runs set description = 'x' where project_id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A updates no run of B') from changed;
with changed as (update optimization_iterations set params = '{"x": 1}' where project_id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A updates no iteration of B') from changed;
with changed as (update project_config set name = 'mine' where id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A cannot rename B') from changed;
with gone as (delete from optimization_samples where project_id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A deletes no sample of B') from gone;
with gone as (delete from optimization_runs where project_id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A deletes no run of B') from gone;
with gone as (delete from api_keys where project_id = 'tap-b' returning 1)
select is(count(*)::int, 0, 'owner A deletes no API key of B') from gone;

select is_empty($$select * from get_optimization_run_summary('b1000000-0000-4000-8000-000000000001')$$,
  'get_optimization_run_summary reveals nothing of B''s run to owner A');
select is_empty($$select * from get_top_runs_by_score('tap-b', 10)$$,
  'get_top_runs_by_score reveals nothing of B to owner A');
select results_eq($$select run_id, best_iteration from get_optimization_run_summary('a1000000-0000-4000-8000-000000000001')$$,
  $$values ('a1000000-0000-4000-8000-000000000001'::uuid, 0)$$, 'owner A gets the summary of its own run');
select results_eq('select distinct project_id from project_optimization_analytics', array['tap-a'],
  'owner A sees only A in project_optimization_analytics');
select throws_ok('select * from optimization_run_analytics', '42501',
  'permission denied for materialized view optimization_run_analytics', 'authenticated cannot read optimization_run_analytics');
select is((select refreshed from private.refresh_optimization_analytics_throttled(0)), true, 'owner A can refresh analytics (through the throttle)');
select throws_ok('select refresh_optimization_analytics()', '42501',
  'permission denied for function refresh_optimization_analytics', 'owner A cannot refresh around the throttle');
select lives_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-a', 'new', 'miprov2')$$,
  'owner A can add a run to A');
reset role;

-- Admin of A: manages members but not the owner role ---------------------------------------
set local role authenticated;
set local request.jwt.claims to :'admin_a';
select throws_ok($$select * from set_project_member_role('tap-a', 'a0000000-0000-4000-8000-000000000002', 'owner')$$,
  '42501', 'only an owner of project tap-a can grant, change or remove the owner role', 'an admin cannot make itself owner');
select throws_ok($$select remove_project_member('tap-a', 'a0000000-0000-4000-8000-000000000001')$$,
  '42501', 'only an owner of project tap-a can grant, change or remove the owner role', 'an admin cannot remove the owner');
select is((select role from set_project_member_role('tap-a', 'a0000000-0000-4000-8000-000000000003', 'member')),
  'member', 'an admin can change a viewer''s role');
select is((select role from set_project_member_role('tap-a', 'a0000000-0000-4000-8000-000000000003', 'viewer')),
  'viewer', 'and back');
select is((select refreshed from private.refresh_optimization_analytics_throttled(0)), true, 'an admin can refresh analytics');
reset role;

-- Viewer of A: reads A, writes nothing -----------------------------------------------------
set local role authenticated;
set local request.jwt.claims to :'viewer_a';
select results_eq('select distinct project_id from optimization_runs', array['tap-a'], 'the viewer reads A''s runs');
select results_eq('select project_id from optimization_samples', array['tap-a'], 'the viewer reads A''s samples');
select is_empty('select * from api_keys', 'the viewer sees no API keys (admins only)');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-a', 'x', 'miprov2')$$,
  '42501', 'new row violates row-level security policy for table "optimization_runs"', 'the viewer cannot add a run');
with changed as (update optimization_runs set description = 'x' where project_id = 'tap-a' returning 1)
select is(count(*)::int, 0, 'the viewer updates no run') from changed;
with gone as (delete from optimization_iterations where project_id = 'tap-a' returning 1)
select is(count(*)::int, 0, 'the viewer deletes no iteration') from gone;
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics', 'the viewer cannot refresh analytics');
reset role;

-- Member of A and B: sees both, but cannot link across them --------------------------------
set local role authenticated;
set local request.jwt.claims to :'member_ab';
select results_eq('select distinct project_id from optimization_runs order by 1', array['tap-a', 'tap-b'],
  'the member of A and B sees the runs of both');
select results_eq('select distinct project_id from project_optimization_analytics order by 1', array['tap-a', 'tap-b'],
  'the member of A and B sees the analytics of both');
select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration)
                   values ('b1000000-0000-4000-8000-000000000001', 'tap-a', 9)$$,
  '23503', null, 'an iteration of A cannot point at a run of B');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, sample_index)
                   values ('a1000000-0000-4000-8000-000000000001', 'tap-b', 0, 9)$$,
  '23503', null, 'a sample of B cannot point at a run of A');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
                   values ('a1000000-0000-4000-8000-000000000001', 'tap-a', 0, 'b2000000-0000-4000-8000-000000000001', 9)$$,
  '23503', null, 'a sample of A cannot point at an iteration of B');
select throws_ok($$update optimization_runs set project_id = 'tap-b' where project_id = 'tap-a'$$,
  '42501', null, 'a run cannot move from A to B');
reset role;

-- API keys of A -----------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims to :'key_rw';
select results_eq('select distinct project_id from optimization_runs', array['tap-a'], 'the read-write key reads only A');
select lives_ok($$insert into optimization_iterations (run_id, project_id, iteration, score)
                  values ('a1000000-0000-4000-8000-000000000001', 'tap-a', 1, 0.9)$$, 'the read-write key writes to A');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-b', 'x', 'miprov2')$$,
  '42501', 'new row violates row-level security policy for table "optimization_runs"', 'the read-write key cannot write to B');
select is_empty('select * from api_keys', 'an API key cannot list API keys');
select throws_ok($$select * from create_project('tap-c', 'C')$$,
  '42501', 'only signed-in users can create projects', 'an API key cannot create projects');
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics', 'an API key cannot refresh analytics');
reset role;

set local role authenticated;
set local request.jwt.claims to :'key_ro';
select results_eq('select distinct project_id from optimization_runs', array['tap-a'], 'the read-only key reads A');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-a', 'x', 'miprov2')$$,
  '42501', 'new row violates row-level security policy for table "optimization_runs"', 'the read-only key cannot insert');
with changed as (update optimization_runs set description = 'x' returning 1)
select is(count(*)::int, 0, 'the read-only key updates nothing') from changed;
with gone as (delete from optimization_samples returning 1)
select is(count(*)::int, 0, 'the read-only key deletes nothing') from gone;
reset role;

set local role authenticated;
set local request.jwt.claims to :'key_revoked';
select is_empty('select * from optimization_runs', 'the revoked key reads no run');
select is_empty('select * from project_config', 'the revoked key reads no project');
select is_empty('select * from project_optimization_analytics', 'the revoked key reads no analytics');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-a', 'x', 'miprov2')$$,
  '42501', 'new row violates row-level security policy for table "optimization_runs"', 'the revoked key cannot write');
reset role;

-- anon: no privileges at all -----------------------------------------------------------------
set local role anon;
set local request.jwt.claims to '{"role": "anon"}';
select throws_ok(format('select * from %I', t), '42501', format('permission denied for table %s', t),
                 format('anon cannot read %s', t))
from unnest(array['project_config', 'project_members', 'api_keys',
                  'optimization_runs', 'optimization_iterations', 'optimization_samples']) t;
select throws_ok('select * from project_optimization_analytics', '42501',
  'permission denied for view project_optimization_analytics', 'anon cannot read the analytics view');
reset role;

-- What the callers did, seen by the superuser ------------------------------------------------
select results_eq($$select description from optimization_runs where project_id = 'tap-b'$$,
  array[null::text], 'nothing of B changed');
select results_eq($$select run_name from optimization_runs order by run_name$$,
  array['new', 'run A', 'run B'], 'only the writes that were allowed happened');

select * from finish();
rollback;
