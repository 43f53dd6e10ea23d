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

revoke all on function private.refresh_optimization_analytics_throttled(integer) from public, anon;
grant execute on function private.refresh_optimization_analytics_throttled(integer) to authenticated, service_role;
