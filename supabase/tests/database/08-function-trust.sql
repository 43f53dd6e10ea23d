-- Functions trust the database role, not the claims (migrations tenancy, analytics): any session can set
-- request.jwt.claims to anything, so a claim may say which user `authenticated` acts for,
-- never which role the session has. And SECURITY DEFINER functions are executable only by
-- the roles that call them.
begin;
create extension if not exists pgtap;
select plan(27);

\set owner_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000f1"}'
\set viewer_a '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000f2"}'
\set newcomer '{"role": "authenticated", "sub": "a0000000-0000-4000-8000-0000000000f3"}'
\set service_claims '{"role": "service_role"}'
\set service_viewer '{"role": "service_role", "sub": "a0000000-0000-4000-8000-0000000000f2"}'
\set service_key '{"role": "service_role", "api_key_id": "a3000000-0000-4000-8000-0000000000f1"}'
\set live_key 'a3000000-0000-4000-8000-0000000000f1'
\set revoked_key 'a3000000-0000-4000-8000-0000000000f2'
\set unknown_key 'a3000000-0000-4000-8000-0000000000ff'

-- Roles are cluster-wide: named after this backend, so concurrent runs do not collide.
select 'tap_outsider_' || pg_backend_pid() as outsider,
       'tap_owner_member_' || pg_backend_pid() as owner_member,
       'tap_app_' || pg_backend_pid() as app,
       (select pg_get_userbyid(relowner) from pg_class where oid = 'public.optimization_run_analytics'::regclass) as view_owner
\gset

-- Fixtures, as the superuser ------------------------------------------------------------
insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-0000000000f1', 'trust-owner@example.test'),
  ('a0000000-0000-4000-8000-0000000000f2', 'trust-viewer@example.test'),
  ('a0000000-0000-4000-8000-0000000000f3', 'trust-newcomer@example.test');
insert into project_config (id, name) values ('trust-a', 'Trust A');
insert into project_members (project_id, user_id, role) values
  ('trust-a', 'a0000000-0000-4000-8000-0000000000f1', 'owner'),
  ('trust-a', 'a0000000-0000-4000-8000-0000000000f2', 'viewer');
insert into api_keys (id, project_id, name, key_hash, key_prefix, revoked_at) values
  (:'live_key', 'trust-a', 'live', repeat('e', 64), 'osk_trust', null),
  (:'revoked_key', 'trust-a', 'revoked', repeat('f', 64), 'osk_trusr', now());

-- a role granted EXECUTE that is none of the trusted ones
create role :"outsider" nologin;
grant execute on function refresh_optimization_analytics() to :"outsider";
-- a role with the analytics view's owner's rights (as psql or pg_cron sessions have)
create role :"owner_member" nologin;
grant :"view_owner" to :"owner_member";
-- a connecting role that is no superuser (as Supabase's postgres is): it may switch to
-- authenticated and, as the functions' owner does, execute the key check
create role :"app" nologin;
grant authenticated to :"app";
grant execute on function private.require_live_api_key(uuid) to :"app";

-- as authenticated: only through the throttle (migration analytics), and only an owner or admin
set local role authenticated;
select set_config('request.jwt.claims', :'owner_a', true);
select throws_ok('select refresh_optimization_analytics()', '42501', null,
  'authenticated cannot call the refresh itself (it would skip the throttle)');
select set_config('request.jwt.claims', :'service_claims', true);
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics',
  'authenticated claiming "role": "service_role" cannot refresh analytics');
select set_config('request.jwt.claims', '', true);
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics',
  'authenticated without claims cannot refresh analytics');
select set_config('request.jwt.claims', :'service_viewer', true);
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics',
  'a viewer claiming "role": "service_role" cannot refresh analytics');
select set_config('request.jwt.claims', :'service_key', true);
select throws_ok('select private.refresh_optimization_analytics_throttled(0)', '42501',
  'only project owners and admins can refresh analytics',
  'an API key claiming "role": "service_role" cannot refresh analytics');
select set_config('request.jwt.claims', :'owner_a', true);
select is((select refreshed from private.refresh_optimization_analytics_throttled(0)), true,
  'the owner of a project refreshes analytics (the dashboard''s refresh button)');
reset role;

-- as the service role: whatever the claims say -------------------------------------------
set local role service_role;
select set_config('request.jwt.claims', '', true);
select is((select refreshed from refresh_optimization_analytics()), true,
  'the service role refreshes analytics without claims');
select set_config('request.jwt.claims', :'viewer_a', true);
select is((select refreshed from refresh_optimization_analytics()), true,
  'the service role refreshes analytics whatever its claims say');
reset role;

-- as other database roles: only one with the view owner's rights ------------------------
select set_config('request.jwt.claims', '', true);
select is((select refreshed from refresh_optimization_analytics()), true,
  'a direct session of the superuser refreshes analytics without claims');
set local role :"owner_member";
select is((select refreshed from refresh_optimization_analytics()), true,
  'a role with the view owner''s rights refreshes analytics without claims');
reset role;
set local role :"outsider";
select throws_ok('select refresh_optimization_analytics()', '42501',
  'only project owners and admins can refresh analytics',
  'another role with EXECUTE cannot refresh analytics without claims');
select set_config('request.jwt.claims', :'service_claims', true);
select throws_ok('select refresh_optimization_analytics()', '42501',
  'only project owners and admins can refresh analytics',
  'nor by claiming "role": "service_role"');
select set_config('request.jwt.claims', :'owner_a', true);
select throws_ok('select refresh_optimization_analytics()', '42501',
  'only project owners and admins can refresh analytics',
  'nor with an owner''s claims (they count for authenticated only)');
reset role;
select set_config('request.jwt.claims', '', true);

-- private.require_live_api_key: for the connecting role only ------------------------------
select ok(not has_function_privilege('authenticated', 'private.require_live_api_key(uuid)', 'execute'),
  'authenticated has no execute privilege on the key check');
select ok(not has_function_privilege('service_role', 'private.require_live_api_key(uuid)', 'execute'),
  'the service role has no execute privilege on the key check');

set local role authenticated;
select set_config('request.jwt.claims', :'owner_a', true);
select throws_ok(format('select private.require_live_api_key(%L)', :'live_key'), '42501',
  'permission denied for function require_live_api_key', 'authenticated cannot ask about a live key');
select throws_ok(format('select private.require_live_api_key(%L)', :'unknown_key'), '42501',
  'permission denied for function require_live_api_key', 'and gets the same answer for an unknown key');
reset role;

-- withUserScope's first statement, from a connecting role that is no superuser: EXECUTE is
-- checked when the statement starts, before its set_config('role', ...) runs
set local role :"app";
select results_eq(
  format($$select set_config('role', 'authenticated', true), private.require_live_api_key(%L)$$, :'live_key'),
  $$values ('authenticated'::text, true)$$,
  'the statement that switches to authenticated checks a live key');
select is(current_user::text, 'authenticated', 'and the transaction goes on as authenticated');
select throws_ok(format('select private.require_live_api_key(%L)', :'live_key'), '42501',
  'permission denied for function require_live_api_key', 'where the key check is no longer executable');
reset role;
set local role :"app";
select throws_ok(
  format($$select set_config('role', 'authenticated', true), private.require_live_api_key(%L)$$, :'revoked_key'),
  '28000', 'this API key is not valid (unknown, revoked or expired)',
  'the same statement refuses a revoked key');
reset role;

-- every SECURITY DEFINER function -----------------------------------------------------------
select is_empty($$
  select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'private') and p.prosecdef
    and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0))
$$, 'no SECURITY DEFINER function is executable by PUBLIC');
select is_empty($$
  select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'private') and p.prosecdef and has_function_privilege('anon', p.oid, 'execute')
$$, 'no SECURITY DEFINER function is executable by anon');
-- Callers' entry points and the RLS helpers their policies call; nothing else.
select set_eq($$
  select r.rolname::text, p.oid::regprocedure::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  cross join pg_roles r
  where n.nspname in ('public', 'private') and p.prosecdef
    and r.rolname in ('authenticated', 'service_role') and has_function_privilege(r.oid, p.oid, 'execute')
$$, $$
  select r, f from unnest(array['authenticated', 'service_role']) r
  cross join unnest(array[
    'private.readable_project_ids()', 'private.writable_project_ids()',
    'private.admin_project_ids()', 'private.owner_project_ids()',
    'private.refresh_optimization_analytics_throttled(integer)', 'get_optimization_analytics_last_refresh()',
    'list_project_members(text)', 'add_project_member(text,text,text)',
    'set_project_member_role(text,uuid,text)', 'remove_project_member(text,uuid)',
    'search_optimization_runs(jsonb,integer,integer)', 'count_optimization_runs(jsonb,integer)',
    'total_optimization_runs(jsonb,integer)'
  ]) f
  -- a project's creator is the signed-in caller (auth.uid()): not the service role
  union all
  select 'authenticated', 'create_project(text,text,text)'
  -- the service role also refreshes directly (the demo seeder) and keeps the shared rate limit
  union all
  select 'service_role', f from unnest(array[
    'refresh_optimization_analytics()', 'private.take_api_rate_limit_tokens(text,integer,integer)'
  ]) f
$$, 'authenticated and the service role execute only the SECURITY DEFINER functions they call');
select is_empty($$
  select p.oid::regprocedure from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('public', 'private') and p.prosecdef and p.prosrc ~* 'auth\.role\(\)|->>\s*''role'''
$$, 'no SECURITY DEFINER function decides from the role in the claims');

-- projects are created through create_project, which makes the caller the owner
set local role authenticated;
select set_config('request.jwt.claims', :'newcomer', true);
select lives_ok($$select * from create_project('trust-new', 'New')$$,
  'a signed-in user creates a project');
select results_eq($$select user_id, role from project_members where project_id = 'trust-new'$$,
  $$values ('a0000000-0000-4000-8000-0000000000f3'::uuid, 'owner'::text)$$,
  'and create_project made them its owner');
reset role;

select * from finish();
rollback;
