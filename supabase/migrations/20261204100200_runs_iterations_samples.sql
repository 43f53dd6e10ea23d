-- Optimization runs, iterations and samples (docs: optimization-runs-schema.md), with
-- the errata of DESIGN.md applied; their triggers are in run_triggers, their row-level
-- security in policies.

-- Runs ---------------------------------------------------------------------------

create table public.optimization_runs (
  id uuid not null default gen_random_uuid(),
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
  -- a retried create (same client-chosen id) is compared with the create that made the
  -- run: one digest per field of that body, so a retry that differs is refused naming them
  create_digest jsonb,

  constraint optimization_runs_time_order check (ended_at >= started_at),
  constraint optimization_runs_sample_counts
    check (samples_successful + samples_failed <= samples_evaluated),
  -- a run id is unique within its project (issue 12: another project may use it too); the
  -- target of the children's foreign keys, which name the project on both sides
  constraint optimization_runs_pkey primary key (project_id, id)
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
-- The runs list ordered by final_score (best first) over all statuses; the leaderboard's
-- partial index only serves status = 'completed'.
create index idx_optimization_runs_final_score
  on public.optimization_runs (project_id, final_score desc nulls last, id desc);
-- Where LISTEN is not delivered (PGlite behind its socket server), the server polls
-- recent changes instead; this index keeps that poll cheap.
create index idx_optimization_runs_updated_at on public.optimization_runs (updated_at desc);

-- Iterations -----------------------------------------------------------------------

create table public.optimization_iterations (
  id uuid not null default gen_random_uuid(),
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
  -- what DSPy optimizers report (issue 14): evaluation kind, the selected program, lineage, usage
  eval_kind text
    constraint optimization_iterations_eval_kind_check check (eval_kind in ('full', 'minibatch')),
  raw_score double precision
    constraint optimization_iterations_raw_score_finite check (raw_score not in ('Infinity', '-Infinity', 'NaN')),
  score_scale double precision
    constraint optimization_iterations_score_scale_positive check (score_scale > 0 and score_scale < 'Infinity'),
  is_selected boolean not null default false,
  candidate_id text
    constraint optimization_iterations_candidate_id_length check (char_length(candidate_id) between 1 and 128),
  parent_candidate_ids text[]
    constraint optimization_iterations_parent_candidate_ids_check
      check (cardinality(parent_candidate_ids) <= 1000 and array_position(parent_candidate_ids, null) is null),
  trial integer
    constraint optimization_iterations_trial_nonnegative check (trial >= 0),
  budget_used bigint
    constraint optimization_iterations_budget_used_nonnegative check (budget_used >= 0),
  elapsed_ms bigint
    constraint optimization_iterations_elapsed_ms_nonnegative check (elapsed_ms >= 0),
  dataset text
    constraint optimization_iterations_dataset_check check (dataset in ('train', 'val', 'test')),
  usage_by_role jsonb
    constraint optimization_iterations_usage_by_role_object check (jsonb_typeof(usage_by_role) = 'object'),
  -- tokens / cost_usd are what the iteration counts: what the client reported (these two,
  -- null when it reported none) or else the sums of its samples (kept by trigger)
  reported_tokens bigint
    constraint optimization_iterations_reported_tokens_nonnegative check (reported_tokens >= 0),
  reported_cost_usd numeric(14, 6)
    constraint optimization_iterations_reported_cost_nonnegative check (reported_cost_usd >= 0),
  sample_tokens bigint not null default 0,
  sample_cost_usd numeric(14, 6) not null default 0,

  constraint optimization_iterations_pkey primary key (project_id, id),
  constraint optimization_iterations_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade
);

-- Every key and index of a project-owned table leads with project_id (Citus distributes
-- by it; a query names it). The primary key also serves "by project".
-- The unique (run_id, iteration) constraint: also the index of "all iterations of a run".
create unique index idx_optimization_iterations_run_id
  on public.optimization_iterations (project_id, run_id, iteration);
-- At most one best iteration per run, and the lookup of it.
create unique index idx_optimization_iterations_best
  on public.optimization_iterations (project_id, run_id) where is_best;
create index idx_optimization_iterations_params_gin
  on public.optimization_iterations using gin (params jsonb_path_ops);
-- At most one selected iteration a run (a new selection clears the old one first).
create unique index idx_optimization_iterations_selected
  on public.optimization_iterations (project_id, run_id) where is_selected;
create index idx_optimization_iterations_candidate
  on public.optimization_iterations (project_id, run_id, candidate_id) where candidate_id is not null;

-- Samples --------------------------------------------------------------------------

create table public.optimization_samples (
  id bigint generated by default as identity,
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
  example_id text
    constraint optimization_samples_example_id_length check (char_length(example_id) between 1 and 200),
  feedback text
    constraint optimization_samples_feedback_length check (char_length(feedback) <= 10000),

  constraint optimization_samples_pkey primary key (project_id, id),
  constraint optimization_samples_run_fkey foreign key (project_id, run_id)
    references public.optimization_runs (project_id, id) on delete cascade,
  -- no action, not set null (iteration_id): Citus refuses a column list there, and
  -- iterations are deleted only with their run (lib/ deletes none), whose samples go too
  constraint optimization_samples_iteration_fkey foreign key (project_id, iteration_id)
    references public.optimization_iterations (project_id, id)
);

-- The unique (run_id, iteration, sample_index) constraint and query pattern 6's index.
create unique index idx_optimization_samples_run_id
  on public.optimization_samples (project_id, run_id, iteration, sample_index);
create index idx_optimization_samples_errors
  on public.optimization_samples (project_id, run_id, iteration, sample_index) where error is not null;
create index idx_optimization_samples_program_hash
  on public.optimization_samples (project_id, run_id, program_hash) where program_hash is not null;
create index idx_optimization_samples_iteration_id
  on public.optimization_samples (project_id, iteration_id) where iteration_id is not null;
-- One example followed across the iterations of a run.
create index idx_optimization_samples_example
  on public.optimization_samples (project_id, run_id, example_id) where example_id is not null;
