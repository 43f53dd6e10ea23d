-- Functions decide whom to trust from the database role, never from the claims.
--
-- request.jwt.claims is a setting any session may set to anything; only the database role
-- (SET ROLE needs membership of the role) says who a session is allowed to be. The claims
-- still say which user an `authenticated` session acts for, as PostgREST sets them from a
-- verified JWT, and membership is looked up from them.
--
-- 1. refresh_optimization_analytics() let through any session whose claims said
--    "role": "service_role", and any session without claims, whatever its role. Now it
--    refreshes for the service role (the demo seeder), for a role that could refresh the
--    view itself (its owner or a superuser: psql, pg_cron, the migrator), and for
--    `authenticated` acting for an owner or admin of a project (the dashboard's refresh
--    button and POST /api/v1/analytics/refresh); anyone else gets 42501.
-- 2. private.require_live_api_key(uuid) told any `authenticated` caller whether a key id is
--    live. Only the connecting role calls it, in withUserScope's first statement, and
--    EXECUTE is checked when that statement starts, before its set_config('role', ...)
--    runs: `authenticated` and the service role never need it.
-- 3. The same for the other SECURITY DEFINER functions nobody calls directly:
--    private.api_key_project and private.member_project_ids (unused since
--    private.project_ids_for replaced them, 20261125001000), private.project_ids_for (only
--    the SECURITY DEFINER role helpers call it, as their owner) and the trigger function
--    private.add_project_owner (a trigger fires without EXECUTE on its function). The
--    other trigger functions that still had PostgreSQL's default grant to PUBLIC lose it too.

-- 1. ------------------------------------------------------------------------------------

-- Who may refresh the analytics view: one rule for the refresh and for the app's throttled
-- path (20261204000200). current_user in a SECURITY DEFINER function is its owner: the
-- caller's role is the one SET ROLE chose (withUserScope, PostgREST), or else the login role.
create function private.may_refresh_analytics()
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
declare
  v_caller name := coalesce(nullif(current_setting('role'), 'none'), session_user);
begin
  if v_caller = 'service_role' then
    return true;
  elsif v_caller = 'authenticated' then
    return cardinality(private.admin_project_ids()) > 0;
  end if;
  return pg_catalog.pg_has_role(v_caller,
    (select c.relowner from pg_catalog.pg_class c where c.oid = 'public.optimization_run_analytics'::regclass),
    'usage');
end
$$;

revoke all on function private.may_refresh_analytics() from public, anon, authenticated, service_role;

create or replace function public.refresh_optimization_analytics(
  out refreshed boolean,
  out refreshed_at timestamptz,
  out duration_ms integer
)
language plpgsql security definer
set search_path = ''
as $$
declare
  v_started timestamptz := clock_timestamp();
begin
  if not private.may_refresh_analytics() then
    raise exception 'only project owners and admins can refresh analytics'
      using errcode = '42501';
  end if;

  if not pg_try_advisory_xact_lock(hashtext('public.refresh_optimization_analytics')) then
    refreshed := false;
    select r.refreshed_at, r.duration_ms into refreshed_at, duration_ms
    from public.optimization_analytics_refreshes r order by r.id desc limit 1;
    return;
  end if;

  refresh materialized view concurrently public.optimization_run_analytics;

  refreshed := true;
  refreshed_at := clock_timestamp();
  duration_ms := (extract(epoch from (refreshed_at - v_started)) * 1000)::integer;
  insert into public.optimization_analytics_refreshes (refreshed_at, duration_ms, refreshed_by)
  values (refreshed_at, duration_ms, auth.uid());
end
$$;

revoke all on function public.refresh_optimization_analytics() from public, anon;
grant execute on function public.refresh_optimization_analytics() to authenticated, service_role;

-- 2. and 3. -----------------------------------------------------------------------------

revoke all on function private.require_live_api_key(uuid), private.api_key_project(text),
  private.member_project_ids(text[]), private.project_ids_for(text[], text, boolean),
  private.add_project_owner()
  from public, anon, authenticated, service_role;

revoke all on function private.touch_updated_at(), private.guard_project_members(),
  private.guard_api_keys(), private.notify_run_change()
  from public, anon, authenticated, service_role;
