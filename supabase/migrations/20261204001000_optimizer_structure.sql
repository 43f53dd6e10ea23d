-- What DSPy optimizers really do (issue 14, /work/notes/dspy-contract.md): evaluation kinds,
-- the selected program, lineage and usage on iterations; example ids and feedback on
-- samples; candidates, MIPROv2 candidate pools, GEPA Pareto fronts and proposals as tables.
-- The best iteration: the selected one, else the best full evaluation; a minibatch never
-- outranks a full or an unlabelled evaluation. Samples' tokens and cost add up into their
-- iteration when it reported none.

-- Iterations -----------------------------------------------------------------------------

alter table public.optimization_iterations
  add column eval_kind text
    constraint optimization_iterations_eval_kind_check check (eval_kind in ('full', 'minibatch')),
  add column raw_score double precision
    constraint optimization_iterations_raw_score_finite check (raw_score not in ('Infinity', '-Infinity', 'NaN')),
  add column score_scale double precision
    constraint optimization_iterations_score_scale_positive check (score_scale > 0 and score_scale < 'Infinity'),
  add column is_selected boolean not null default false,
  add column candidate_id text
    constraint optimization_iterations_candidate_id_length check (char_length(candidate_id) between 1 and 128),
  add column parent_candidate_ids text[]
    constraint optimization_iterations_parent_candidate_ids_check
      check (cardinality(parent_candidate_ids) <= 1000 and array_position(parent_candidate_ids, null) is null),
  add column trial integer
    constraint optimization_iterations_trial_nonnegative check (trial >= 0),
  add column budget_used bigint
    constraint optimization_iterations_budget_used_nonnegative check (budget_used >= 0),
  add column elapsed_ms bigint
    constraint optimization_iterations_elapsed_ms_nonnegative check (elapsed_ms >= 0),
  add column dataset text
    constraint optimization_iterations_dataset_check check (dataset in ('train', 'val', 'test')),
  add column usage_by_role jsonb
    constraint optimization_iterations_usage_by_role_object check (jsonb_typeof(usage_by_role) = 'object'),
  -- tokens / cost_usd are what the iteration counts: what the client reported (these two,
  -- null when it reported none) or else the sums of its samples (kept by trigger)
  add column reported_tokens bigint
    constraint optimization_iterations_reported_tokens_nonnegative check (reported_tokens >= 0),
  add column reported_cost_usd numeric(14, 6)
    constraint optimization_iterations_reported_cost_nonnegative check (reported_cost_usd >= 0),
  add column sample_tokens bigint not null default 0,
  add column sample_cost_usd numeric(14, 6) not null default 0;

-- What was stored so far was reported by the client (there were no sample sums).
update public.optimization_iterations set reported_tokens = tokens where tokens > 0;
update public.optimization_iterations set reported_cost_usd = cost_usd where cost_usd > 0;

-- At most one selected iteration a run (a new selection clears the old one first).
create unique index idx_optimization_iterations_selected
  on public.optimization_iterations (run_id) where is_selected;
create index idx_optimization_iterations_candidate
  on public.optimization_iterations (run_id, candidate_id) where candidate_id is not null;

-- Samples --------------------------------------------------------------------------------

alter table public.optimization_samples
  add column example_id text
    constraint optimization_samples_example_id_length check (char_length(example_id) between 1 and 200),
  add column feedback text
    constraint optimization_samples_feedback_length check (char_length(feedback) <= 10000);

-- One example followed across the iterations of a run.
create index idx_optimization_samples_example
  on public.optimization_samples (run_id, example_id) where example_id is not null;

-- The best iteration ---------------------------------------------------------------------

-- The one ordering of "best": selected first, then full, unlabelled, minibatch
-- evaluations, each by score, the earliest iteration on a tie.
create function private.best_iteration_id(p_run_id uuid) returns uuid
language sql stable set search_path = ''
as $$
  select i.id
  from public.optimization_iterations i
  where i.run_id = p_run_id and (i.is_selected or i.score is not null)
  order by i.is_selected desc,
           case i.eval_kind when 'full' then 0 when 'minibatch' then 2 else 1 end,
           i.score desc nulls last,
           i.iteration asc
  limit 1
$$;

create or replace function private.recompute_best_iteration(p_run_id uuid) returns void
language plpgsql security definer set search_path = ''
as $$
declare
  v_best uuid;
begin
  -- serializes concurrent writers of one run's iterations
  perform 1 from public.optimization_runs where id = p_run_id for no key update;
  v_best := private.best_iteration_id(p_run_id);
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

-- best_score is the best iteration's score (no longer the highest of any kind).
create or replace function private.recompute_run_statistics(p_run_ids uuid[]) returns void
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
           (select b.score from public.optimization_iterations b
            where b.id = private.best_iteration_id(r2.id)) as best,
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

-- A selection clears the run's other one before the row is written (the unique index
-- allows one). Other iterations are matched by number: on an upsert the conflicting row
-- is the one being written.
create function private.clear_other_selection() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.optimization_iterations
  set is_selected = false
  where run_id = new.run_id and is_selected and iteration <> new.iteration;
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
    where s.run_id = new.run_id and s.iteration = new.iteration;
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

-- The run's statistics and best iteration follow kinds, selection and usage too.
drop trigger trigger_update_run_statistics on public.optimization_iterations;
create trigger trigger_update_run_statistics
  after insert or delete or update of score, latency_ms, tokens, cost_usd, reported_tokens,
    reported_cost_usd, sample_tokens, sample_cost_usd, eval_kind, is_selected
  on public.optimization_iterations
  for each row execute function public.update_run_statistics_from_iterations();

drop trigger trigger_mark_best_iteration on public.optimization_iterations;
create trigger trigger_mark_best_iteration
  after insert or delete or update of score, iteration, eval_kind, is_selected
  on public.optimization_iterations
  for each row execute function public.mark_best_iteration();

-- Samples' usage into their iteration: one statement-level trigger per event adds the
-- batch's differences per (run, iteration), so a batch of thousands updates each of its
-- iterations once. Runs are locked first, in id order, as the iteration writers do.
-- (Transition tables are visible only in the trigger's own function: one body each.)
create function private.samples_usage_inserted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.optimization_runs r
  where r.id in (select distinct n.run_id from new_samples n) order by r.id for no key update;
  update public.optimization_iterations i
  set sample_tokens = i.sample_tokens + d.t, sample_cost_usd = i.sample_cost_usd + d.c
  from (select run_id, iteration, sum(tokens) as t, sum(cost_usd) as c
        from new_samples group by run_id, iteration) d
  where i.run_id = d.run_id and i.iteration = d.iteration and (d.t <> 0 or d.c <> 0);
  return null;
end
$$;

create function private.samples_usage_updated() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform 1 from public.optimization_runs r
  where r.id in (select distinct n.run_id from new_samples n) order by r.id for no key update;
  update public.optimization_iterations i
  set sample_tokens = i.sample_tokens + d.t, sample_cost_usd = i.sample_cost_usd + d.c
  from (select run_id, iteration, sum(tokens) as t, sum(cost) as c
        from (select run_id, iteration, tokens::bigint as tokens, cost_usd as cost from new_samples
              union all
              select run_id, iteration, -tokens::bigint, -cost_usd from old_samples) u
        group by run_id, iteration) d
  where i.run_id = d.run_id and i.iteration = d.iteration and (d.t <> 0 or d.c <> 0);
  return null;
end
$$;

create function private.samples_usage_deleted() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- a run being deleted has no iterations left to update
  update public.optimization_iterations i
  set sample_tokens = i.sample_tokens - d.t, sample_cost_usd = i.sample_cost_usd - d.c
  from (select run_id, iteration, sum(tokens) as t, sum(cost_usd) as c
        from old_samples group by run_id, iteration) d
  where i.run_id = d.run_id and i.iteration = d.iteration and (d.t <> 0 or d.c <> 0);
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

-- Iterations already stored take their samples' sums.
update public.optimization_iterations i
set sample_tokens = s.t, sample_cost_usd = s.c
from (select run_id, iteration, sum(tokens) as t, sum(cost_usd) as c
      from public.optimization_samples group by run_id, iteration) s
where i.run_id = s.run_id and i.iteration = s.iteration and (s.t <> 0 or s.c <> 0);

-- Candidates -----------------------------------------------------------------------------

create table public.optimization_candidates (
  project_id text not null,
  run_id uuid not null,
  candidate_id text not null
    constraint optimization_candidates_candidate_id_length check (char_length(candidate_id) between 1 and 128),
  parent_ids text[] not null default '{}'::text[]
    constraint optimization_candidates_parent_ids_check
      check (cardinality(parent_ids) <= 1000 and array_position(parent_ids, null) is null),
  origin text
    constraint optimization_candidates_origin_check
      check (origin in ('seed', 'reflective', 'merge', 'bootstrap', 'trial', 'other')),
  iteration integer
    constraint optimization_candidates_iteration_nonnegative check (iteration >= 0),
  program_state jsonb,
  program_hash text
    constraint optimization_candidates_program_hash_length check (char_length(program_hash) <= 128),
  score numeric(7, 4)
    constraint optimization_candidates_score_range check (score between 0 and 1),
  raw_score double precision
    constraint optimization_candidates_raw_score_finite check (raw_score not in ('Infinity', '-Infinity', 'NaN')),
  instance_scores jsonb
    constraint optimization_candidates_instance_scores_object check (jsonb_typeof(instance_scores) = 'object'),
  budget_used bigint
    constraint optimization_candidates_budget_used_nonnegative check (budget_used >= 0),
  metadata jsonb not null default '{}'::jsonb
    constraint optimization_candidates_metadata_object check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_candidates_pkey primary key (project_id, run_id, candidate_id),
  constraint optimization_candidates_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade
);

-- Candidate pools (MIPROv2) ----------------------------------------------------------------

create table public.optimization_candidate_pool (
  project_id text not null,
  run_id uuid not null,
  predictor_index integer not null
    constraint optimization_candidate_pool_predictor_index_nonnegative check (predictor_index >= 0),
  predictor_name text not null
    constraint optimization_candidate_pool_predictor_name_length check (char_length(predictor_name) between 1 and 500),
  kind text not null
    constraint optimization_candidate_pool_kind_check check (kind in ('instruction', 'demos')),
  candidate_index integer not null
    constraint optimization_candidate_pool_candidate_index_nonnegative check (candidate_index >= 0),
  text text
    constraint optimization_candidate_pool_text_length check (char_length(text) <= 100000),
  content jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_candidate_pool_pkey
    primary key (project_id, run_id, predictor_index, kind, candidate_index),
  constraint optimization_candidate_pool_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade
);

-- Pareto fronts (GEPA) ---------------------------------------------------------------------

create table public.optimization_pareto_snapshots (
  project_id text not null,
  run_id uuid not null,
  step integer not null
    constraint optimization_pareto_snapshots_step_nonnegative check (step >= 0),
  iteration integer
    constraint optimization_pareto_snapshots_iteration_nonnegative check (iteration >= 0),
  budget_used bigint
    constraint optimization_pareto_snapshots_budget_used_nonnegative check (budget_used >= 0),
  -- {exampleId: [candidateId, ...]}
  front jsonb not null
    constraint optimization_pareto_snapshots_front_object check (jsonb_typeof(front) = 'object'),
  best_scores jsonb
    constraint optimization_pareto_snapshots_best_scores_object check (jsonb_typeof(best_scores) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_pareto_snapshots_pkey primary key (project_id, run_id, step),
  constraint optimization_pareto_snapshots_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade
);

-- Proposals (GEPA) -------------------------------------------------------------------------

create table public.optimization_proposals (
  project_id text not null,
  run_id uuid not null,
  proposal_index integer not null
    constraint optimization_proposals_proposal_index_nonnegative check (proposal_index >= 0),
  iteration integer
    constraint optimization_proposals_iteration_nonnegative check (iteration >= 0),
  kind text not null
    constraint optimization_proposals_kind_check check (kind in ('reflective', 'merge')),
  parent_ids text[] not null default '{}'::text[]
    constraint optimization_proposals_parent_ids_check
      check (cardinality(parent_ids) <= 1000 and array_position(parent_ids, null) is null),
  candidate_id text
    constraint optimization_proposals_candidate_id_length check (char_length(candidate_id) between 1 and 128),
  accepted boolean not null,
  reason text
    constraint optimization_proposals_reason_length check (char_length(reason) <= 10000),
  predictors text[]
    constraint optimization_proposals_predictors_check
      check (cardinality(predictors) <= 1000 and array_position(predictors, null) is null),
  reflective_dataset jsonb,
  prompt text
    constraint optimization_proposals_prompt_length check (char_length(prompt) <= 1000000),
  raw_output text
    constraint optimization_proposals_raw_output_length check (char_length(raw_output) <= 1000000),
  proposed_state jsonb,
  subsample_ids text[]
    constraint optimization_proposals_subsample_ids_check
      check (cardinality(subsample_ids) <= 10000 and array_position(subsample_ids, null) is null),
  scores_before double precision[]
    constraint optimization_proposals_scores_before_check check (cardinality(scores_before) <= 10000),
  scores_after double precision[]
    constraint optimization_proposals_scores_after_check check (cardinality(scores_after) <= 10000),
  budget_used bigint
    constraint optimization_proposals_budget_used_nonnegative check (budget_used >= 0),
  metadata jsonb not null default '{}'::jsonb
    constraint optimization_proposals_metadata_object check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint optimization_proposals_pkey primary key (project_id, run_id, proposal_index),
  constraint optimization_proposals_run_fkey foreign key (run_id, project_id)
    references public.optimization_runs (id, project_id) on delete cascade
);

-- The proposals that produced a candidate (lineage views).
create index idx_optimization_proposals_candidate
  on public.optimization_proposals (run_id, candidate_id) where candidate_id is not null;

-- Triggers, grants and row-level security of the four tables: as for samples ---------------

do $$
declare
  t text;
begin
  foreach t in array array['optimization_candidates', 'optimization_candidate_pool',
                           'optimization_pareto_snapshots', 'optimization_proposals'] loop
    execute format('create trigger trigger_update_%1$s_updated_at before update on public.%1$I
                    for each row execute function public.update_optimization_runs_updated_at()', t);
    execute format('create trigger trigger_prevent_tenant_change before update of project_id, run_id on public.%I
                    for each row execute function private.prevent_tenant_change()', t);

    execute format('alter table public.%I enable row level security', t);
    execute format('revoke all on public.%I from anon', t);
    execute format('grant select, insert, update, delete on public.%I to authenticated, service_role', t);

    execute format('create policy "Service role has full access" on public.%I
                    for all to service_role using (true) with check (true)', t);
    execute format('create policy "Users can manage own project %1$s" on public.%1$I
                    for all to authenticated
                    using (project_id = any ((select private.readable_project_ids())::text[]))
                    with check (project_id = any ((select private.writable_project_ids())::text[]))', t);
    execute format('create policy "Only writers can update %1$s" on public.%1$I
                    as restrictive for update to authenticated
                    using (project_id = any ((select private.writable_project_ids())::text[]))', t);
    execute format('create policy "Only writers can delete %1$s" on public.%1$I
                    as restrictive for delete to authenticated
                    using (project_id = any ((select private.writable_project_ids())::text[]))', t);
  end loop;
end
$$;

revoke all on function private.best_iteration_id(uuid), private.clear_other_selection(),
  private.effective_iteration_usage(), private.samples_usage_inserted(),
  private.samples_usage_updated(), private.samples_usage_deleted() from public, anon, authenticated;
