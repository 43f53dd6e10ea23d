-- Signed-in callers refresh analytics only through the throttle
-- (private.refresh_optimization_analytics_throttled, which the app calls): on Supabase,
-- public functions are callable over PostgREST (/rest/v1/rpc/...) with a user's own token,
-- which would bypass it. The service role, pg_cron and direct sessions keep the function.
revoke execute on function public.refresh_optimization_analytics() from authenticated;
