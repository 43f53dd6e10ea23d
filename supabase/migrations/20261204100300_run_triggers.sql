-- The triggers that keep what the application never computes: updated_at, tenancy that
-- cannot move, the run's statistics and best iteration, the selected iteration, usage
-- summed from samples, and run counts per (project, status, optimizer type). No trigger
-- notifies: the application announces a run's change after its transaction commits.

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

-- The best iteration ---------------------------------------------------------------------

-- The one ordering of "best": selected first, then full, unlabelled, minibatch
-- evaluations, each by score, the earliest iteration on a tie.
create function private.best_iteration_id(p_project_id text, p_run_id uuid) returns uuid
language plpgsql stable set search_path = ''
as $$
declare
  v_id uuid;
begin
  select i.id into v_id
  from public.optimization_iterations i
  where i.project_id = p_project_id and i.run_id = p_run_id and (i.is_selected or i.score is not null)
  order by i.is_selected desc,
           case i.eval_kind when 'full' then 0 when 'minibatch' then 2 else 1 end,
           i.score desc nulls last,
           i.iteration asc
  limit 1;
  return v_id;
end
$$;

-- Exactly one best iteration per run (private.best_iteration_id).
create function private.recompute_best_iteration(p_project_id text, p_run_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_best uuid;
begin
  -- serializes concurrent writers of one run's iterations
  perform 1 from public.optimization_runs where project_id = p_project_id and id = p_run_id for no key update;
  v_best := private.best_iteration_id(p_project_id, p_run_id);
  update public.optimization_iterations
  set is_best = false
  where project_id = p_project_id and run_id = p_run_id and is_best and id is distinct from v_best;
  if v_best is not null then
    update public.optimization_iterations
    set is_best = true
    where project_id = p_project_id and id = v_best and not is_best;
  end if;
end
$$;

create function public.mark_best_iteration() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.recompute_best_iteration(coalesce(new.project_id, old.project_id), coalesce(new.run_id, old.run_id));
  return null;
end
$$;

create trigger trigger_mark_best_iteration
  after insert or delete or update of score, iteration, eval_kind, is_selected
  on public.optimization_iterations
  for each row execute function public.mark_best_iteration();

-- Run statistics -------------------------------------------------------------------------

-- Recomputes the run's iteration statistics from its iterations; best_score is the best
-- iteration's score. Row level, so it also runs for each row of a batch; a bulk load skips
-- it (optiscope.bulk_load) and recomputes with private.recompute_run_statistics (errata 7).
create function private.recompute_run_statistics(p_project_id text, p_run_ids uuid[]) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.optimization_runs r
  set iterations = s.n,
      best_score = s.best,
      avg_latency_ms = s.avg_latency,
      total_tokens = s.tokens,
      total_cost_usd = s.cost
  from (
    select r2.id,
           count(i.id)::integer as n,
           (select b.score from public.optimization_iterations b
            where b.project_id = p_project_id and b.id = private.best_iteration_id(p_project_id, r2.id)) as best,
           round(avg(i.latency_ms), 2) as avg_latency,
           coalesce(sum(i.tokens), 0) as tokens,
           coalesce(sum(i.cost_usd), 0) as cost
    from public.optimization_runs r2
    left join public.optimization_iterations i on i.project_id = r2.project_id and i.run_id = r2.id
    where r2.project_id = p_project_id and r2.id = any (p_run_ids)
    group by r2.id
  ) s
  where r.project_id = p_project_id and r.id = s.id
    and (r.iterations, r.best_score, r.avg_latency_ms, r.total_tokens, r.total_cost_usd)
        is distinct from (s.n, s.best, s.avg_latency, s.tokens, s.cost);
end
$$;

create function public.update_run_statistics_from_iterations() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.recompute_run_statistics(coalesce(new.project_id, old.project_id), array[coalesce(new.run_id, old.run_id)]);
  return null;
end
$$;

create trigger trigger_update_run_statistics
  after insert or delete or update of score, latency_ms, tokens, cost_usd, reported_tokens,
    reported_cost_usd, sample_tokens, sample_cost_usd, eval_kind, is_selected
  on public.optimization_iterations
  for each row execute function public.update_run_statistics_from_iterations();

-- Selection and usage ----------------------------------------------------------------------

-- A selection clears the run's other one before the row is written (the unique index
-- allows one). Other iterations are matched by number: on an upsert the conflicting row
-- is the one being written.
create function private.clear_other_selection() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.optimization_iterations
  set is_selected = false
  where project_id = new.project_id and run_id = new.run_id and is_selected and iteration <> new.iteration;
  return new;
end
$$;

create trigger trigger_clear_other_selection
  before insert or update of is_selected on public.optimization_iterations
  for each row when (new.is_selected)
  execute function private.clear_other_selection();

-- tokens / cost_usd from the reported values or the samples' sums. A writer that sets
-- tokens or cost_usd itself (seeds, older scripts) reports them.
create function private.effective_iteration_usage() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return new;
  end if;
  -- a negative value written directly is left for the row's checks to refuse
  if new.tokens < 0 or new.cost_usd < 0 then
    return new;
  end if;
  if tg_op = 'INSERT' then
    if new.reported_tokens is null and new.tokens > 0 then new.reported_tokens := new.tokens; end if;
    if new.reported_cost_usd is null and new.cost_usd > 0 then new.reported_cost_usd := new.cost_usd; end if;
    -- samples posted before their iteration
    select coalesce(sum(s.tokens), 0), coalesce(sum(s.cost_usd), 0)
      into new.sample_tokens, new.sample_cost_usd
    from public.optimization_samples s
    where s.project_id = new.project_id and s.run_id = new.run_id and s.iteration = new.iteration;
  else
    if new.tokens is distinct from old.tokens and new.reported_tokens is not distinct from old.reported_tokens then
      new.reported_tokens := nullif(new.tokens, 0);
    end if;
    if new.cost_usd is distinct from old.cost_usd and new.reported_cost_usd is not distinct from old.reported_cost_usd then
      new.reported_cost_usd := nullif(new.cost_usd, 0);
    end if;
  end if;
  new.tokens := case when new.reported_tokens > 0 then new.reported_tokens else new.sample_tokens end;
  new.cost_usd := case when new.reported_cost_usd > 0 then new.reported_cost_usd else new.sample_cost_usd end;
  return new;
end
$$;

create trigger trigger_effective_iteration_usage
  before insert or update of tokens, cost_usd, reported_tokens, reported_cost_usd, sample_tokens, sample_cost_usd
  on public.optimization_iterations
  for each row execute function private.effective_iteration_usage();

-- Samples' usage into their iteration: one statement-level trigger per event adds the
-- batch's differences per (run, iteration), so a batch of thousands updates each of its
-- iterations once. Runs are locked first, in key order, as the iteration writers do.
-- (Transition tables are visible only in the trigger's own function: each sums its own.)
-- The batch is summed from the transition table alone, then each iteration is updated by
-- its full key: Citus cannot ship a transition table into a query on a distributed table
-- (executor could not find named tuplestore), and runs a lock or update by key on one shard.
create function private.add_sample_usage(p_deltas jsonb, p_lock_runs boolean) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_run record;
  d record;
begin
  if p_lock_runs then
    -- one lock per run, by its full key: Citus runs only such a row lock on a shard
    for v_run in select distinct x.project_id, x.run_id
                 from jsonb_to_recordset(p_deltas) x(project_id text, run_id uuid)
                 order by x.project_id, x.run_id loop
      perform 1 from public.optimization_runs r
      where r.project_id = v_run.project_id and r.id = v_run.run_id for no key update;
    end loop;
  end if;
  for d in select x.project_id, x.run_id, x.iteration, x.t, x.c
           from jsonb_to_recordset(p_deltas) x(project_id text, run_id uuid, iteration integer, t bigint, c numeric)
           order by x.project_id, x.run_id, x.iteration loop
    continue when d.t = 0 and d.c = 0;
    update public.optimization_iterations i
    set sample_tokens = i.sample_tokens + d.t, sample_cost_usd = i.sample_cost_usd + d.c
    where i.project_id = d.project_id and i.run_id = d.run_id and i.iteration = d.iteration;
  end loop;
end
$$;

create function private.samples_usage_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.add_sample_usage((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'run_id', run_id, 'iteration', iteration, 't', t, 'c', c))
    from (select project_id, run_id, iteration, sum(tokens) as t, sum(cost_usd) as c
          from new_samples group by project_id, run_id, iteration) g
  ), true);
  return null;
end
$$;

create function private.samples_usage_updated() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.add_sample_usage((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'run_id', run_id, 'iteration', iteration, 't', t, 'c', c))
    from (select project_id, run_id, iteration, sum(tokens) as t, sum(cost) as c
          from (select project_id, run_id, iteration, tokens::bigint as tokens, cost_usd as cost from new_samples
                union all
                select project_id, run_id, iteration, -tokens::bigint, -cost_usd from old_samples) u
          group by project_id, run_id, iteration) g
  ), true);
  return null;
end
$$;

create function private.samples_usage_deleted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  -- no lock: a run being deleted has no iterations left to update
  perform private.add_sample_usage((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'run_id', run_id, 'iteration', iteration, 't', -t, 'c', -c))
    from (select project_id, run_id, iteration, sum(tokens) as t, sum(cost_usd) as c
          from old_samples group by project_id, run_id, iteration) g
  ), false);
  return null;
end
$$;

create trigger trigger_samples_usage_inserted
  after insert on public.optimization_samples
  referencing new table as new_samples
  for each statement execute function private.samples_usage_inserted();
create trigger trigger_samples_usage_updated
  after update on public.optimization_samples
  referencing old table as old_samples new table as new_samples
  for each statement execute function private.samples_usage_updated();
create trigger trigger_samples_usage_deleted
  after delete on public.optimization_samples
  referencing old table as old_samples
  for each statement execute function private.samples_usage_deleted();

-- Run counts ------------------------------------------------------------------------------

create table private.run_counts (
  project_id text not null references public.project_config (id) on delete cascade,
  status text not null,
  optimizer_type text not null,
  runs bigint not null,
  primary key (project_id, status, optimizer_type)
);
-- Read and written only by the SECURITY DEFINER functions below.
alter table private.run_counts enable row level security;
revoke all on private.run_counts from public, anon, authenticated;

-- Adds deltas [{project_id, status, optimizer_type, runs}] to the counts (negative runs
-- subtract). Keys are locked in one order, so concurrent writers cannot deadlock on them;
-- a project being deleted (its counts go with it) is skipped.
create function private.add_run_counts(p_deltas jsonb) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.run_counts as c (project_id, status, optimizer_type, runs)
  select d.project_id, d.status, d.optimizer_type, sum(d.runs)
  from jsonb_to_recordset(p_deltas) as d(project_id text, status text, optimizer_type text, runs bigint)
  where exists (select 1 from public.project_config p where p.id = d.project_id)
  group by d.project_id, d.status, d.optimizer_type
  having sum(d.runs) <> 0
  order by d.project_id, d.status, d.optimizer_type
  on conflict (project_id, status, optimizer_type) do update set runs = c.runs + excluded.runs;
end
$$;

create function private.count_inserted_runs() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.add_run_counts((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'status', status,
                                        'optimizer_type', optimizer_type, 'runs', n))
    from (select project_id, status, optimizer_type, count(*) as n
          from inserted_runs group by 1, 2, 3) g
  ));
  return null;
end
$$;

create function private.count_deleted_runs() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.add_run_counts((
    select jsonb_agg(jsonb_build_object('project_id', project_id, 'status', status,
                                        'optimizer_type', optimizer_type, 'runs', -n))
    from (select project_id, status, optimizer_type, count(*) as n
          from deleted_runs group by 1, 2, 3) g
  ));
  return null;
end
$$;

-- Row level (and only when the status or optimizer changes): status changes come one run
-- at a time, and transition tables would rule out the column list.
create function private.count_updated_run() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a bulk load (SET LOCAL optiscope.bulk_load = 'on') recomputes this itself afterwards
  if current_setting('optiscope.bulk_load', true) = 'on' then
    return null;
  end if;
  perform private.add_run_counts(jsonb_build_array(
    jsonb_build_object('project_id', old.project_id, 'status', old.status, 'optimizer_type', old.optimizer_type, 'runs', -1),
    jsonb_build_object('project_id', new.project_id, 'status', new.status, 'optimizer_type', new.optimizer_type, 'runs', 1)
  ));
  return null;
end
$$;

create function private.clear_run_counts() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.run_counts;
  return null;
end
$$;

create trigger trigger_count_inserted_runs
  after insert on public.optimization_runs
  referencing new table as inserted_runs
  for each statement execute function private.count_inserted_runs();
create trigger trigger_count_deleted_runs
  after delete on public.optimization_runs
  referencing old table as deleted_runs
  for each statement execute function private.count_deleted_runs();
create trigger trigger_count_updated_run
  after update of status, optimizer_type on public.optimization_runs
  for each row
  when (old.status is distinct from new.status or old.optimizer_type is distinct from new.optimizer_type)
  execute function private.count_updated_run();
create trigger trigger_clear_run_counts
  after truncate on public.optimization_runs
  for each statement execute function private.clear_run_counts();

-- Recounts from the runs themselves: for bulk loads, which skip the triggers (the same
-- rule as private.recompute_run_statistics, DESIGN.md errata 7). Null: every project.
create function private.recompute_run_counts(p_project_ids text[] default null) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.run_counts c where p_project_ids is null or c.project_id = any (p_project_ids);
  insert into private.run_counts (project_id, status, optimizer_type, runs)
  select r.project_id, r.status, r.optimizer_type, count(*)
  from public.optimization_runs r
  where p_project_ids is null or r.project_id = any (p_project_ids)
  group by 1, 2, 3;
end
$$;

-- Trigger functions and their helpers run only as triggers or for their owner.
revoke all on function public.update_optimization_runs_updated_at(),
  public.update_run_statistics_from_iterations(), public.mark_best_iteration() from public, anon;
revoke all on function private.recompute_run_statistics(text, uuid[]),
  private.recompute_best_iteration(text, uuid), private.prevent_tenant_change() from public, anon, authenticated;
revoke all on function private.best_iteration_id(text, uuid), private.clear_other_selection(),
  private.effective_iteration_usage(), private.samples_usage_inserted(),
  private.samples_usage_updated(), private.samples_usage_deleted(), private.add_sample_usage(jsonb, boolean)
  from public, anon, authenticated;
revoke all on function private.add_run_counts(jsonb), private.count_inserted_runs(), private.count_deleted_runs(),
  private.count_updated_run(), private.clear_run_counts(), private.recompute_run_counts(text[])
  from public, anon, authenticated;
