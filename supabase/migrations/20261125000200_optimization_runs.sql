-- Optimization runs, iterations and samples (docs: optimization-runs-schema.md), with
-- the errata of DESIGN.md applied.

-- Runs ---------------------------------------------------------------------------

create table public.optimization_runs (
  id uuid primary key default gen_random_uuid(),
  project_id text not null references public.project_config (id) on delete cascade,
  run_name text not null
    constraint optimization_runs_run_name_length check (char_length(btrim(run_name)) between 1 and 500),
  description text
    constraint optimization_runs_description_length check (char_length(description) <= 10000),
  optimizer_type text not null
    constraint optimization_runs_optimizer_type_format check (optimizer_type ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
  status text not null default 'pending'
    constraint optimization_runs_status_check
      check (status in ('pending', 'running', 'completed', 'failed', 'cancelled')),
  config jsonb not null default '{}'::jsonb
    constraint optimization_runs_config_object check (jsonb_typeof(config) = 'object'),
  metadata jsonb not null default '{}'::jsonb
    constraint optimization_runs_metadata_object check (jsonb_typeof(metadata) = 'object'),
  tags text[] not null default '{}'::text[]
    constraint optimization_runs_tags_check
      check (cardinality(tags) <= 50 and array_position(tags, null) is null),
  error_message text,

  started_at timestamptz,
  ended_at timestamptz,
  duration_ms bigint generated always as
    ((extract(epoch from (ended_at - started_at)) * 1000)::bigint) stored,

  initial_score numeric(7, 4)
    constraint optimization_runs_initial_score_range check (initial_score between 0 and 1),
  final_score numeric(7, 4)
    constraint optimization_runs_final_score_range check (final_score between 0 and 1),
  best_score numeric(7, 4)
    constraint optimization_runs_best_score_range check (best_score between 0 and 1),
  improvement numeric(7, 4) generated always as (final_score - initial_score) stored,
  improvement_pct numeric(12, 2) generated always as (
    case when initial_score > 0
      then round((final_score - initial_score) / initial_score * 100, 2) end
  ) stored,

  iterations integer not null default 0
    constraint optimization_runs_iterations_nonnegative check (iterations >= 0),
  samples_evaluated integer not null default 0
    constraint optimization_runs_samples_evaluated_nonnegative check (samples_evaluated >= 0),
  samples_successful integer not null default 0
    constraint optimization_runs_samples_successful_nonnegative check (samples_successful >= 0),
  samples_failed integer not null default 0
    constraint optimization_runs_samples_failed_nonnegative check (samples_failed >= 0),

  total_tokens bigint not null default 0
    constraint optimization_runs_total_tokens_nonnegative check (total_tokens >= 0),
  total_cost_usd numeric(14, 6) not null default 0
    constraint optimization_runs_total_cost_nonnegative check (total_cost_usd >= 0),
  avg_latency_ms numeric(12, 2)
    constraint optimization_runs_avg_latency_nonnegative check (avg_latency_ms >= 0),

  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_runs_time_order check (ended_at >= started_at),
  constraint optimization_runs_sample_counts
    check (samples_successful + samples_failed <= samples_evaluated),
  -- target of the children's composite foreign keys: a child names its run and its project
  constraint optimization_runs_id_project_id_key unique (id, project_id)
);

-- Every list index ends in id so a keyset cursor (created_at, id) has a total order.
create index idx_optimization_runs_project_id
  on public.optimization_runs (project_id, created_at desc, id desc);
create index idx_optimization_runs_status
  on public.optimization_runs (project_id, status, created_at desc, id desc);
create index idx_optimization_runs_optimizer_type
  on public.optimization_runs (project_id, optimizer_type, created_at desc, id desc);
create index idx_optimization_runs_run_name
  on public.optimization_runs (project_id, run_name);
create index idx_optimization_runs_performance
  on public.optimization_runs (project_id, final_score desc nulls last, created_at desc, id desc)
  where status = 'completed';
-- jsonb_path_ops serves containment (config @> '{"model":"gpt-4"}'), the form every
-- config filter is written in (errata 1).
create index idx_optimization_runs_config_gin
  on public.optimization_runs using gin (config jsonb_path_ops);
create index idx_optimization_runs_metadata_gin
  on public.optimization_runs using gin (metadata jsonb_path_ops);
create index idx_optimization_runs_tags_gin
  on public.optimization_runs using gin (tags);

-- Iterations -----------------------------------------------------------------------

create table public.optimization_iterations (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null,
  project_id text not null,
  iteration integer not null
    constraint optimization_iterations_iteration_nonnegative check (iteration >= 0),
  score numeric(7, 4)
    constraint optimization_iterations_score_range check (score between 0 and 1),
  is_best boolean not null default false,
  params jsonb not null default '{}'::jsonb
    constraint optimization_iterations_params_object check (jsonb_typeof(params) = 'object'),
  program_state jsonb,
  program_hash text
    constraint optimization_iterations_program_hash_length check (char_length(program_hash) <= 128),
  samples_evaluated integer not null default 0
    constraint optimization_iterations_samples_evaluated_nonnegative check (samples_evaluated >= 0),
  latency_ms numeric(12, 2)
    constraint optimization_iterations_latency_nonnegative check (latency_ms >= 0),
  tokens bigint not null default 0
    constraint optimization_iterations_tokens_nonnegative check (tokens >= 0),
  cost_usd numeric(14, 6) not null default 0
    constraint optimization_iterations_cost_nonnegative check (cost_usd >= 0),
  duration_ms integer
    constraint optimization_iterations_duration_nonnegative check (duration_ms >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_iterations_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade,
  -- target of the samples' link to their iteration
  constraint optimization_iterations_id_run_id_key unique (id, run_id)
);

-- The unique (run_id, iteration) constraint: also the index of "all iterations of a run".
create unique index idx_optimization_iterations_run_id
  on public.optimization_iterations (run_id, iteration);
-- At most one best iteration per run, and the lookup of it.
create unique index idx_optimization_iterations_best
  on public.optimization_iterations (run_id) where is_best;
create index idx_optimization_iterations_project_id
  on public.optimization_iterations (project_id);
create index idx_optimization_iterations_params_gin
  on public.optimization_iterations using gin (params jsonb_path_ops);

-- Samples --------------------------------------------------------------------------

create table public.optimization_samples (
  id bigint generated by default as identity primary key,
  run_id uuid not null,
  project_id text not null,
  iteration integer not null
    constraint optimization_samples_iteration_nonnegative check (iteration >= 0),
  iteration_id uuid,
  sample_index integer not null
    constraint optimization_samples_sample_index_nonnegative check (sample_index >= 0),
  input jsonb not null default '{}'::jsonb,
  output jsonb,
  expected jsonb,
  score numeric(7, 4)
    constraint optimization_samples_score_range check (score between 0 and 1),
  error text,
  latency_ms numeric(12, 2)
    constraint optimization_samples_latency_nonnegative check (latency_ms >= 0),
  tokens integer not null default 0
    constraint optimization_samples_tokens_nonnegative check (tokens >= 0),
  cost_usd numeric(14, 6) not null default 0
    constraint optimization_samples_cost_nonnegative check (cost_usd >= 0),
  program_hash text
    constraint optimization_samples_program_hash_length check (char_length(program_hash) <= 128),
  metadata jsonb not null default '{}'::jsonb
    constraint optimization_samples_metadata_object check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),

  constraint optimization_samples_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade,
  constraint optimization_samples_iteration_fkey foreign key (iteration_id, run_id)
    references public.optimization_iterations (id, run_id) on delete set null (iteration_id)
);

-- The unique (run_id, iteration, sample_index) constraint and query pattern 6's index.
create unique index idx_optimization_samples_run_id
  on public.optimization_samples (run_id, iteration, sample_index);
create index idx_optimization_samples_errors
  on public.optimization_samples (run_id, iteration, sample_index) where error is not null;
create index idx_optimization_samples_project_id
  on public.optimization_samples (project_id);
create index idx_optimization_samples_program_hash
  on public.optimization_samples (run_id, program_hash) where program_hash is not null;
create index idx_optimization_samples_iteration_id
  on public.optimization_samples (iteration_id) where iteration_id is not null;

-- Triggers ---------------------------------------------------------------------------

create function public.update_optimization_runs_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger trigger_update_optimization_runs_updated_at
  before update on public.optimization_runs
  for each row execute function public.update_optimization_runs_updated_at();

create trigger trigger_update_optimization_iterations_updated_at
  before update on public.optimization_iterations
  for each row execute function public.update_optimization_runs_updated_at();

-- No update moves a row to another project (or a child to another run).
create function private.prevent_tenant_change() returns trigger
language plpgsql
as $$
begin
  if new.project_id is distinct from old.project_id then
    raise exception '% rows cannot move to another project (% -> %)',
      tg_table_name, old.project_id, new.project_id
      using errcode = '42501';
  end if;
  if tg_table_name <> 'optimization_runs' and new.run_id is distinct from old.run_id then
    raise exception '% rows cannot move to another run', tg_table_name
      using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger trigger_prevent_tenant_change
  before update of project_id on public.optimization_runs
  for each row execute function private.prevent_tenant_change();
create trigger trigger_prevent_tenant_change
  before update of project_id, run_id on public.optimization_iterations
  for each row execute function private.prevent_tenant_change();
create trigger trigger_prevent_tenant_change
  before update of project_id, run_id on public.optimization_samples
  for each row execute function private.prevent_tenant_change();

-- Recomputes the run's iteration statistics from its iterations. Row level, so it also
-- runs for each row of a batch; a bulk load that disables it must recompute them
-- with private.recompute_run_statistics (errata 7).
create function private.recompute_run_statistics(p_run_ids uuid[]) returns void
language sql security definer set search_path = ''
as $$
  update public.optimization_runs r
  set iterations = s.n,
      best_score = s.best,
      avg_latency_ms = s.avg_latency,
      total_tokens = s.tokens,
      total_cost_usd = s.cost
  from (
    select r2.id,
           count(i.id)::integer as n,
           max(i.score) as best,
           round(avg(i.latency_ms), 2) as avg_latency,
           coalesce(sum(i.tokens), 0) as tokens,
           coalesce(sum(i.cost_usd), 0) as cost
    from public.optimization_runs r2
    left join public.optimization_iterations i on i.run_id = r2.id
    where r2.id = any (p_run_ids)
    group by r2.id
  ) s
  where r.id = s.id
    and (r.iterations, r.best_score, r.avg_latency_ms, r.total_tokens, r.total_cost_usd)
        is distinct from (s.n, s.best, s.avg_latency, s.tokens, s.cost)
$$;

create function public.update_run_statistics_from_iterations() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.recompute_run_statistics(array[coalesce(new.run_id, old.run_id)]);
  return null;
end
$$;

create trigger trigger_update_run_statistics
  after insert or delete or update of score, latency_ms, tokens, cost_usd
  on public.optimization_iterations
  for each row execute function public.update_run_statistics_from_iterations();

-- Exactly one best iteration per run: the highest score, the earliest iteration on a tie.
create function private.recompute_best_iteration(p_run_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_best uuid;
begin
  -- serializes concurrent writers of one run's iterations
  perform 1 from public.optimization_runs where id = p_run_id for no key update;
  select id into v_best
  from public.optimization_iterations
  where run_id = p_run_id and score is not null
  order by score desc, iteration asc
  limit 1;
  update public.optimization_iterations
  set is_best = false
  where run_id = p_run_id and is_best and id is distinct from v_best;
  if v_best is not null then
    update public.optimization_iterations
    set is_best = true
    where id = v_best and not is_best;
  end if;
end
$$;

create function public.mark_best_iteration() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.recompute_best_iteration(coalesce(new.run_id, old.run_id));
  return null;
end
$$;

create trigger trigger_mark_best_iteration
  after insert or delete or update of score, iteration
  on public.optimization_iterations
  for each row execute function public.mark_best_iteration();

-- Helper functions -------------------------------------------------------------------

-- SECURITY INVOKER: the caller's RLS decides what it sees, so another tenant's run id
-- returns no row (errata 4).
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
language sql stable security invoker
set search_path = ''
as $$
  select r.id, r.project_id, r.run_name, r.optimizer_type, r.status, r.tags,
         r.initial_score, r.final_score, r.best_score, r.improvement, r.improvement_pct,
         r.iterations, b.iteration, b.score,
         r.samples_evaluated, r.samples_successful, r.samples_failed,
         case when r.samples_evaluated > 0
           then round(r.samples_successful::numeric / r.samples_evaluated, 4) end,
         r.total_tokens, r.total_cost_usd, r.avg_latency_ms,
         r.started_at, r.ended_at, r.duration_ms, r.created_at, r.updated_at
  from public.optimization_runs r
  left join public.optimization_iterations b on b.run_id = r.id and b.is_best
  where r.id = p_run_id
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
language sql stable security invoker
set search_path = ''
as $$
  select r.id, r.run_name, r.optimizer_type, r.status, r.tags, r.initial_score,
         r.final_score, r.best_score, r.improvement, r.improvement_pct, r.iterations,
         r.total_cost_usd, r.duration_ms, r.created_at
  from public.optimization_runs r
  where r.project_id = p_project_id
    and r.status = 'completed'
  order by r.final_score desc nulls last, r.created_at desc, r.id desc
  limit least(greatest(coalesce(p_limit, 10), 1), 100)
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

-- Refreshes the analytics view for owners and admins (and the service role). A caller
-- that finds a refresh already running gets refreshed = false and does not queue.
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
  -- no claims: a direct database session (psql, pg_cron), trusted as the service role is
  if auth.jwt() is not null
     and coalesce(auth.role(), '') <> 'service_role'
     and cardinality(private.admin_project_ids()) = 0 then
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

-- When analytics were last refreshed (readable by any signed-in caller).
create function public.get_optimization_analytics_last_refresh()
returns timestamptz
language sql stable security definer set search_path = ''
as $$ select max(refreshed_at) from public.optimization_analytics_refreshes $$;

revoke all on function public.refresh_optimization_analytics() from public, anon;
grant execute on function public.refresh_optimization_analytics() to authenticated, service_role;
revoke all on function public.get_optimization_analytics_last_refresh() from public, anon;
grant execute on function public.get_optimization_analytics_last_refresh() to authenticated, service_role;
revoke all on function public.get_optimization_run_summary(uuid) from public, anon;
grant execute on function public.get_optimization_run_summary(uuid) to authenticated, service_role;
revoke all on function public.get_top_runs_by_score(text, integer) from public, anon;
grant execute on function public.get_top_runs_by_score(text, integer) to authenticated, service_role;
revoke all on function public.update_optimization_runs_updated_at(),
  public.update_run_statistics_from_iterations(), public.mark_best_iteration() from public, anon;
revoke all on function private.recompute_run_statistics(uuid[]),
  private.recompute_best_iteration(uuid), private.prevent_tenant_change() from public, anon, authenticated;

-- Row-level security -------------------------------------------------------------------
-- The schema document's two policies per table, with the document's names. A viewer
-- (and a read-only API key) reads through "Users can manage own project ..." but the
-- restrictive policies stop its updates and deletes; its inserts fail the WITH CHECK.

alter table public.optimization_runs enable row level security;
alter table public.optimization_iterations enable row level security;
alter table public.optimization_samples enable row level security;

revoke all on public.optimization_runs, public.optimization_iterations,
  public.optimization_samples from anon;
grant select, insert, update, delete on public.optimization_runs,
  public.optimization_iterations, public.optimization_samples to authenticated, service_role;
grant usage, select on sequence public.optimization_samples_id_seq to authenticated, service_role;

create policy "Service role has full access" on public.optimization_runs
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_runs" on public.optimization_runs
  for all to authenticated
  using (project_id = any ((select private.readable_project_ids())::text[]))
  with check (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can update optimization_runs" on public.optimization_runs
  as restrictive for update to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can delete optimization_runs" on public.optimization_runs
  as restrictive for delete to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));

create policy "Service role has full access" on public.optimization_iterations
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_iterations" on public.optimization_iterations
  for all to authenticated
  using (project_id = any ((select private.readable_project_ids())::text[]))
  with check (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can update optimization_iterations" on public.optimization_iterations
  as restrictive for update to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can delete optimization_iterations" on public.optimization_iterations
  as restrictive for delete to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));

create policy "Service role has full access" on public.optimization_samples
  for all to service_role using (true) with check (true);
create policy "Users can manage own project optimization_samples" on public.optimization_samples
  for all to authenticated
  using (project_id = any ((select private.readable_project_ids())::text[]))
  with check (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can update optimization_samples" on public.optimization_samples
  as restrictive for update to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));
create policy "Only writers can delete optimization_samples" on public.optimization_samples
  as restrictive for delete to authenticated
  using (project_id = any ((select private.writable_project_ids())::text[]));
