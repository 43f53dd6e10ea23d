-- Read models: a run's summary, a project's top runs, and the analytics materialized view
-- with its refresh (owners and admins, throttled for the app).

-- SECURITY INVOKER: the caller's RLS decides what it sees, so another tenant's run id
-- returns no row (errata 4). PL/pgSQL, as every function that reads a project-owned
-- table (Citus: no SQL function over distributed tables); it keeps its plans for the
-- session. Without SET search_path (a SET clause costs a plan per call); SECURITY INVOKER,
-- so a search_path the caller chose cannot lend them anyone else's rights; their tables
-- are schema-qualified.
-- get_optimization_run_summary and get_top_runs_by_score, unchanged but for their SET
-- search_path: a SQL function with a SET clause is planned again on every call and never
-- inlined (0.7 ms for a one-row summary; 0.27 ms inlined into the caller's query). Both
-- are SECURITY INVOKER: they run with the caller's own rights and RLS, so a search_path the
-- caller chose cannot lend them anyone else's; their tables are schema-qualified.
create function public.get_optimization_run_summary(p_run_id uuid)
returns table (
  run_id uuid,
  project_id text,
  run_name text,
  optimizer_type text,
  status text,
  tags text[],
  initial_score numeric,
  final_score numeric,
  best_score numeric,
  improvement numeric,
  improvement_pct numeric,
  iterations integer,
  best_iteration integer,
  best_iteration_score numeric,
  samples_evaluated integer,
  samples_successful integer,
  samples_failed integer,
  success_rate numeric,
  total_tokens bigint,
  total_cost_usd numeric,
  avg_latency_ms numeric,
  started_at timestamptz,
  ended_at timestamptz,
  duration_ms bigint,
  created_at timestamptz,
  updated_at timestamptz
)
language plpgsql stable security invoker
as $$
begin
  return query
  select r.id, r.project_id, r.run_name, r.optimizer_type, r.status, r.tags,
         r.initial_score, r.final_score, r.best_score, r.improvement, r.improvement_pct,
         r.iterations, b.iteration, b.score,
         r.samples_evaluated, r.samples_successful, r.samples_failed,
         case when r.samples_evaluated > 0
           then round(r.samples_successful::numeric / r.samples_evaluated, 4) end,
         r.total_tokens, r.total_cost_usd, r.avg_latency_ms,
         r.started_at, r.ended_at, r.duration_ms, r.created_at, r.updated_at
  from public.optimization_runs r
  left join public.optimization_iterations b on b.project_id = r.project_id and b.run_id = r.id and b.is_best
  where r.id = p_run_id;
end
$$;

-- Top completed runs of a project; repeats the partial index's predicate and order so
-- idx_optimization_runs_performance serves it (errata 6).
create function public.get_top_runs_by_score(p_project_id text, p_limit integer default 10)
returns table (
  id uuid,
  run_name text,
  optimizer_type text,
  status text,
  tags text[],
  initial_score numeric,
  final_score numeric,
  best_score numeric,
  improvement numeric,
  improvement_pct numeric,
  iterations integer,
  total_cost_usd numeric,
  duration_ms bigint,
  created_at timestamptz
)
language plpgsql stable security invoker
as $$
begin
  return query
  select r.id, r.run_name, r.optimizer_type, r.status, r.tags, r.initial_score,
         r.final_score, r.best_score, r.improvement, r.improvement_pct, r.iterations,
         r.total_cost_usd, r.duration_ms, r.created_at
  from public.optimization_runs r
  where r.project_id = p_project_id
    and r.status = 'completed'
  order by r.final_score desc nulls last, r.created_at desc, r.id desc
  limit least(greatest(coalesce(p_limit, 10), 1), 100);
end
$$;

-- Analytics --------------------------------------------------------------------------

create materialized view public.optimization_run_analytics as
select
  project_id,
  optimizer_type,
  status,
  count(*)::bigint as run_count,
  count(*) filter (where status = 'completed')::bigint as completed_runs,
  round(avg(final_score), 4) as avg_final_score,
  max(final_score) as best_final_score,
  round(avg(improvement), 4) as avg_improvement,
  coalesce(sum(total_cost_usd), 0) as total_cost_usd,
  coalesce(sum(total_tokens), 0)::bigint as total_tokens,
  coalesce(sum(iterations), 0)::bigint as total_iterations,
  round(avg(duration_ms)) as avg_duration_ms,
  min(created_at) as first_run_at,
  max(created_at) as last_run_at
from public.optimization_runs
group by project_id, optimizer_type, status;

create unique index idx_optimization_run_analytics_pk
  on public.optimization_run_analytics (project_id, optimizer_type, status);

-- The view holds every tenant's numbers and has no RLS: never exposed (errata 3).
revoke all on public.optimization_run_analytics from public, anon, authenticated;
grant select on public.optimization_run_analytics to service_role;

-- What callers read instead: the same rows, filtered to the caller's projects.
create view public.project_optimization_analytics
with (security_barrier = true) as
select a.*
from public.optimization_run_analytics a
where a.project_id = any ((select private.readable_project_ids())::text[]);

revoke all on public.project_optimization_analytics from public, anon;
grant select on public.project_optimization_analytics to authenticated, service_role;

-- pg_matviews has no refresh time (errata 2): each refresh is recorded here.
create table public.optimization_analytics_refreshes (
  id bigint generated always as identity primary key,
  refreshed_at timestamptz not null default now(),
  duration_ms integer not null,
  refreshed_by uuid
);
alter table public.optimization_analytics_refreshes enable row level security;
revoke all on public.optimization_analytics_refreshes from public, anon, authenticated;
grant select on public.optimization_analytics_refreshes to service_role;

create policy "Service role has full access" on public.optimization_analytics_refreshes
  for all to service_role using (true) with check (true);



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

-- Refreshes the analytics view for whoever private.may_refresh_analytics() lets through. A
-- caller that finds a refresh already running gets refreshed = false and does not queue.
create function public.refresh_optimization_analytics(
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

-- When analytics were last refreshed (readable by any signed-in caller); read with every
-- analytics request: PL/pgSQL keeps its plan (SECURITY DEFINER needs its SET search_path).
create function public.get_optimization_analytics_last_refresh()
returns timestamptz
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_at timestamptz;
begin
  select max(r.refreshed_at) into v_at from public.optimization_analytics_refreshes r;
  return v_at;
end
$$;

-- A throttle in front of refresh_optimization_analytics(): any signed-in user can become an
-- owner (by creating a project), and a refresh recomputes the view over every run, so the
-- app refreshes only through this function: at most one refresh in flight (the same
-- advisory lock the refresh takes) and at least p_min_interval_seconds between two, read
-- from optimization_analytics_refreshes, so it holds across server processes. In private,
-- which PostgREST does not expose: the interval is the server's setting, not the caller's.
-- It leaves refresh_optimization_analytics() itself untouched; both ask
-- private.may_refresh_analytics() who may refresh.

create function private.refresh_optimization_analytics_throttled(
  p_min_interval_seconds integer,
  out refreshed boolean,
  out refreshed_at timestamptz,
  out duration_ms integer,
  out retry_after_seconds integer
)
language plpgsql security definer
set search_path = ''
as $$
declare
  v_last timestamptz;
  v_next timestamptz;
begin
  if p_min_interval_seconds is null or p_min_interval_seconds < 0 then
    raise exception 'p_min_interval_seconds must be a non-negative integer' using errcode = '22023';
  end if;
  -- the refresh's own rule, checked first so that a caller who may not refresh is told so
  -- (403) rather than to wait (429)
  if not private.may_refresh_analytics() then
    raise exception 'only project owners and admins can refresh analytics'
      using errcode = '42501';
  end if;

  select r.refreshed_at, r.duration_ms into v_last, duration_ms
  from public.optimization_analytics_refreshes r order by r.id desc limit 1;

  -- held until this transaction ends; refresh_optimization_analytics() takes it again (it
  -- stacks within a session), so no refresh of any process starts in between
  if not pg_try_advisory_xact_lock(hashtext('public.refresh_optimization_analytics')) then
    refreshed := false;
    refreshed_at := v_last;
    -- the running refresh's end is unknown: the interval after it, and never less than 5 s
    retry_after_seconds := greatest(p_min_interval_seconds, 5);
    return;
  end if;

  -- read again under the lock: a refresh may have committed since the read above
  select r.refreshed_at, r.duration_ms into v_last, duration_ms
  from public.optimization_analytics_refreshes r order by r.id desc limit 1;
  v_next := v_last + make_interval(secs => p_min_interval_seconds);
  if v_last is not null and v_next > clock_timestamp() then
    refreshed := false;
    refreshed_at := v_last;
    retry_after_seconds := greatest(1, ceil(extract(epoch from (v_next - clock_timestamp()))))::integer;
    return;
  end if;

  select r.refreshed, r.refreshed_at, r.duration_ms into refreshed, refreshed_at, duration_ms
  from public.refresh_optimization_analytics() r;
  retry_after_seconds := null;
end
$$;


-- Signed-in callers refresh only through the throttle (the app calls it): on Supabase,
-- public functions are callable over PostgREST (/rest/v1/rpc/...) with a user's own token,
-- which would bypass it. The service role, pg_cron and direct sessions keep the function.
revoke all on function public.refresh_optimization_analytics() from public, anon, authenticated;
grant execute on function public.refresh_optimization_analytics() to service_role;
revoke all on function private.refresh_optimization_analytics_throttled(integer) from public, anon;
grant execute on function private.refresh_optimization_analytics_throttled(integer) to authenticated, service_role;
revoke all on function public.get_optimization_analytics_last_refresh() from public, anon;
grant execute on function public.get_optimization_analytics_last_refresh() to authenticated, service_role;
revoke all on function public.get_optimization_run_summary(uuid) from public, anon;
grant execute on function public.get_optimization_run_summary(uuid) to authenticated, service_role;
revoke all on function public.get_top_runs_by_score(text, integer) from public, anon;
grant execute on function public.get_top_runs_by_score(text, integer) to authenticated, service_role;
