-- API rate limits shared by every server process (WEB_CONCURRENCY > 1, or several hosts):
-- one row per caller holding its "theoretical arrival time" (GCRA), which is the token
-- bucket the in-process limiter was: a burst of p_per_minute, refilled one request every
-- 60 s / p_per_minute. One upsert per request, no other reads.
-- Unlogged: counters are not worth WAL, and losing them in a crash only resets the limits.

create unlogged table private.api_rate_limits (
  key text primary key,
  tat timestamptz not null
);
-- Read and written only by the SECURITY DEFINER function below.
alter table private.api_rate_limits enable row level security;
revoke all on private.api_rate_limits from public, anon, authenticated;

-- Takes one request from p_key's allowance of p_per_minute (> 0): ok, or how many seconds
-- until the next request would be allowed.
create function private.take_api_rate_limit_token(
  p_key text,
  p_per_minute integer,
  out ok boolean,
  out retry_after_seconds integer
)
language plpgsql security definer
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_step interval := make_interval(secs => 60.0 / p_per_minute);
  v_tat timestamptz;
begin
  if p_per_minute is null or p_per_minute <= 0 then
    raise exception 'p_per_minute must be a positive integer' using errcode = '22023';
  end if;
  -- allowed while the caller is at most a minute (the whole bucket) ahead of the clock
  insert into private.api_rate_limits as l (key, tat) values (p_key, v_now + v_step)
  on conflict (key) do update set tat = greatest(l.tat, v_now) + v_step
    where greatest(l.tat, v_now) + v_step - v_now <= interval '60 seconds'
  returning l.tat into v_tat;
  if found then
    ok := true;
    retry_after_seconds := 0;
    return;
  end if;
  select l.tat into v_tat from private.api_rate_limits l where l.key = p_key;
  ok := false;
  retry_after_seconds := greatest(1, ceil(extract(epoch from (greatest(v_tat, v_now) + v_step - interval '60 seconds' - v_now))))::integer;
end
$$;

revoke all on function private.take_api_rate_limit_token(text, integer) from public, anon, authenticated;
grant execute on function private.take_api_rate_limit_token(text, integer) to service_role;
