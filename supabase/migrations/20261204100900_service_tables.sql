-- Service tables: no tenant's rows, read and written only by the service role or by
-- SECURITY DEFINER functions.

-- API rate limits shared by every server process (WEB_CONCURRENCY > 1, or several hosts):
-- one row per caller holding its "theoretical arrival time" (GCRA), which is the token
-- bucket the in-process limiter was: a burst of p_per_minute, refilled one request every
-- 60 s / p_per_minute.
-- Unlogged: counters are not worth WAL, and losing them in a crash only resets the limits.

create unlogged table private.api_rate_limits (
  key text primary key,
  tat timestamptz not null
);
-- Read and written only by the SECURITY DEFINER function below.
alter table private.api_rate_limits enable row level security;
revoke all on private.api_rate_limits from public, anon, authenticated;

-- Takes up to p_wanted requests (>= 1) from p_key's allowance of p_per_minute (> 0): how
-- many were granted (0 to p_wanted), and when none, how many seconds until one would be. A
-- server process takes a small lease of requests at a time and spends it locally, so most
-- requests cost no round trip (lib/api/rate-limit.ts).
create function private.take_api_rate_limit_tokens(
  p_key text,
  p_per_minute integer,
  p_wanted integer,
  out granted integer,
  out retry_after_seconds integer
)
language plpgsql security definer
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_step double precision;
  v_tat timestamptz;
begin
  if p_per_minute is null or p_per_minute <= 0 or p_wanted is null or p_wanted <= 0 then
    raise exception 'p_per_minute and p_wanted must be positive integers' using errcode = '22023';
  end if;
  v_step := 60.0 / p_per_minute;
  insert into private.api_rate_limits (key, tat) values (p_key, v_now) on conflict (key) do nothing;
  select greatest(l.tat, v_now) into v_tat from private.api_rate_limits l where l.key = p_key for update;
  -- allowed while the caller is at most a minute (the whole bucket) ahead of the clock
  granted := least(p_wanted, floor((60.0 - extract(epoch from (v_tat - v_now))) / v_step))::integer;
  if granted >= 1 then
    update private.api_rate_limits set tat = v_tat + make_interval(secs => granted * v_step) where key = p_key;
    retry_after_seconds := 0;
  else
    granted := 0;
    retry_after_seconds := greatest(1, ceil(extract(epoch from (v_tat - v_now)) + v_step - 60.0))::integer;
  end if;
end
$$;

revoke all on function private.take_api_rate_limit_tokens(text, integer, integer) from public, anon, authenticated;
grant execute on function private.take_api_rate_limit_tokens(text, integer, integer) to service_role;

-- When the demo data was seeded. A first start (npm start) seeds only a database that was
-- never seeded, so that a user who deleted the demo projects keeps them gone even when
-- no project is left; npm run db:seed still seeds on request.

create table private.demo_seedings (
  id bigint generated always as identity primary key,
  seeded_at timestamptz not null default now()
);
alter table private.demo_seedings enable row level security;
revoke all on private.demo_seedings from public, anon, authenticated;
grant select, insert on private.demo_seedings to service_role;
create policy "Service role has full access" on private.demo_seedings
  for all to service_role using (true) with check (true);
