-- What DSPy optimizers really do (issue 14, /work/notes/dspy-contract.md): candidates,
-- MIPROv2 candidate pools, GEPA Pareto fronts and proposals as tables (the iterations' and
-- samples' own columns for it are in runs_iterations_samples).

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
  constraint optimization_candidates_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
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
  constraint optimization_candidate_pool_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
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
  constraint optimization_pareto_snapshots_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
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
  constraint optimization_proposals_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
);

-- The proposals that produced a candidate (lineage views).
create index idx_optimization_proposals_candidate
  on public.optimization_proposals (project_id, run_id, candidate_id) where candidate_id is not null;

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
                    using (project_id = any (private.readable_project_ids()))
                    with check (project_id = any (private.writable_project_ids()))', t);
    execute format('create policy "Only writers can update %1$s" on public.%1$I
                    as restrictive for update to authenticated
                    using (project_id = any (private.writable_project_ids()))', t);
    execute format('create policy "Only writers can delete %1$s" on public.%1$I
                    as restrictive for delete to authenticated
                    using (project_id = any (private.writable_project_ids()))', t);
  end loop;
end
$$;
