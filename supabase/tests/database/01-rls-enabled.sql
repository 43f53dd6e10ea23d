-- Row-level security is on everywhere, the policies are the expected ones, and the roles
-- callers use have no privileges beyond them.
begin;
create extension if not exists pgtap;
select plan(39);

select ok(
  (select relrowsecurity from pg_class where oid = format('public.%I', t)::regclass),
  format('RLS is enabled on %s', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples',
                  'project_config', 'project_members', 'api_keys', 'optimization_analytics_refreshes']) t;

select is_empty($$
  select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
$$, 'no public table lacks RLS');

-- The schema document's two policies, plus the restrictive ones that stop viewers writing.
select policies_are('public', t, array[
  'Service role has full access',
  'Users can manage own project ' || t,
  'Only writers can update ' || t,
  'Only writers can delete ' || t
], format('%s has exactly its policies', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples']) t;

select policy_roles_are('public', t, 'Service role has full access', array['service_role'],
                        format('"Service role has full access" on %s applies to service_role', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples']) t;

select policy_cmd_is('public', t, 'Service role has full access', 'all',
                     format('"Service role has full access" on %s covers every command', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples']) t;

select policy_roles_are('public', t, 'Users can manage own project ' || t, array['authenticated'],
                        format('"Users can manage own project %s" applies to authenticated', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples']) t;

select policy_cmd_is('public', t, 'Users can manage own project ' || t, 'all',
                     format('"Users can manage own project %s" covers every command', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples']) t;

select policies_are('public', 'project_config', array[
  'Service role has full access', 'Members can view their projects',
  'Admins can update their projects', 'Owners can delete their projects'
], 'project_config has exactly its policies');
select policies_are('public', 'project_members', array[
  'Service role has full access', 'Members can view their project members'
], 'project_members has exactly its policies');
-- callers create projects and change memberships through SECURITY DEFINER functions only
-- (no trigger writes to these Citus reference tables)
select table_privs_are('public', 'project_config', 'authenticated', array['SELECT', 'UPDATE', 'DELETE'],
  'authenticated reads, updates and deletes projects but does not insert them');
select table_privs_are('public', 'project_members', 'authenticated', array['SELECT'],
  'authenticated only reads memberships'); 
select policies_are('public', 'api_keys', array[
  'Service role has full access', 'Admins can view project API keys', 'Admins can create project API keys',
  'Admins can update project API keys', 'Admins can delete project API keys'
], 'api_keys has exactly its policies');

-- anon gets nothing; the analytics view's raw numbers are for the service role only.
select table_privs_are('public', t, 'anon', array[]::text[], format('anon has no privileges on %s', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples',
                  'project_config', 'project_members', 'api_keys', 'optimization_analytics_refreshes']) t;

select table_privs_are('public', 'optimization_run_analytics', 'authenticated', array[]::text[],
                       'authenticated cannot read optimization_run_analytics');
select table_privs_are('public', 'optimization_run_analytics', 'anon', array[]::text[],
                       'anon cannot read optimization_run_analytics');
select table_privs_are('public', 'project_optimization_analytics', 'authenticated', array['SELECT'],
                       'authenticated reads analytics through project_optimization_analytics');

select function_privs_are('public', 'refresh_optimization_analytics', array[]::text[], 'anon', array[]::text[],
                          'anon cannot refresh analytics');

select * from finish();
rollback;
