-- Constraints reject bad rows with the constraint's name in the error.
begin;
create extension if not exists pgtap;
select plan(27);

insert into project_config (id, name) values ('tap-c', 'Constraints'), ('tap-d', 'Other');
insert into optimization_runs (id, project_id, run_name, optimizer_type) values
  ('d1000000-0000-4000-8000-000000000001', 'tap-c', 'run', 'miprov2'),
  ('d1000000-0000-4000-8000-000000000002', 'tap-c', 'run 2', 'miprov2'),
  ('d1000000-0000-4000-8000-000000000003', 'tap-d', 'run of d', 'miprov2');
insert into optimization_iterations (id, run_id, project_id, iteration) values
  ('d2000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000001', 'tap-c', 0);
insert into optimization_samples (id, run_id, project_id, iteration, sample_index) values
  (900001, 'd1000000-0000-4000-8000-000000000001', 'tap-c', 0, 0);

-- A run of tap-c with one column overridden.
create function pg_temp.bad_run(p_column text, p_value text) returns text language sql as $$
  select format('insert into optimization_runs (project_id, run_name, optimizer_type, %I) values (%L, %L, %L, %s)',
                p_column, 'tap-c', 'probe', 'miprov2', p_value)
$$;

select throws_ok(pg_temp.bad_run(col, val), '23514',
  format('new row for relation "optimization_runs" violates check constraint "%s"', con),
  format('optimization_runs rejects %s = %s', col, val))
from (values
  ('initial_score', '1.5', 'optimization_runs_initial_score_range'),
  ('final_score', '-0.1', 'optimization_runs_final_score_range'),
  ('best_score', '1.0001', 'optimization_runs_best_score_range'),
  ('status', '''done''', 'optimization_runs_status_check'),
  ('config', '''[]''', 'optimization_runs_config_object'),
  ('tags', 'array[''a'', null]', 'optimization_runs_tags_check'),
  ('iterations', '-1', 'optimization_runs_iterations_nonnegative'),
  ('total_tokens', '-1', 'optimization_runs_total_tokens_nonnegative'),
  ('total_cost_usd', '-1', 'optimization_runs_total_cost_nonnegative')
) as c(col, val, con);

select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type) values ('tap-c', 'x', 'MIPRO v2')$$,
  '23514', 'new row for relation "optimization_runs" violates check constraint "optimization_runs_optimizer_type_format"',
  'an optimizer_type that is not lower-case letters, digits, "_", "." or "-" is rejected');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type, started_at, ended_at)
                   values ('tap-c', 'x', 'miprov2', '2026-01-02', '2026-01-01')$$,
  '23514', 'new row for relation "optimization_runs" violates check constraint "optimization_runs_time_order"',
  'ended_at before started_at is rejected');
select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type, samples_evaluated, samples_successful, samples_failed)
                   values ('tap-c', 'x', 'miprov2', 5, 4, 2)$$,
  '23514', 'new row for relation "optimization_runs" violates check constraint "optimization_runs_sample_counts"',
  'more successful + failed samples than evaluated is rejected');
select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration, score)
                   values ('d1000000-0000-4000-8000-000000000001', 'tap-c', 5, 1.01)$$,
  '23514', 'new row for relation "optimization_iterations" violates check constraint "optimization_iterations_score_range"',
  'an iteration score above 1 is rejected');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, sample_index, score)
                   values ('d1000000-0000-4000-8000-000000000001', 'tap-c', 0, 5, -0.5)$$,
  '23514', 'new row for relation "optimization_samples" violates check constraint "optimization_samples_score_range"',
  'a sample score below 0 is rejected');

select throws_ok(pg_temp.bad_run(col, 'null'), '23502',
  format('null value in column "%s" of relation "optimization_runs" violates not-null constraint', col),
  format('optimization_runs.%s is not null', col))
from unnest(array['status', 'config', 'tags']) col;
select throws_ok($$insert into optimization_runs (project_id, optimizer_type) values ('tap-c', 'miprov2')$$,
  '23502', 'null value in column "run_name" of relation "optimization_runs" violates not-null constraint',
  'a run needs a name');

select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration)
                   values ('d1000000-0000-4000-8000-000000000001', 'tap-c', 0)$$,
  '23505', 'duplicate key value violates unique constraint "idx_optimization_iterations_run_id"',
  'a run cannot have two iterations with the same number');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, sample_index)
                   values ('d1000000-0000-4000-8000-000000000001', 'tap-c', 0, 0)$$,
  '23505', 'duplicate key value violates unique constraint "idx_optimization_samples_run_id"',
  'an iteration cannot have two samples with the same index');

select throws_ok($$insert into optimization_iterations (run_id, project_id, iteration)
                   values ('d1000000-0000-4000-8000-000000000003', 'tap-c', 1)$$,
  '23503', 'insert or update on table "optimization_iterations" violates foreign key constraint "optimization_iterations_run_fkey"',
  'an iteration cannot point at a run of another project');
select throws_ok($$insert into optimization_samples (run_id, project_id, iteration, sample_index)
                   values ('d1000000-0000-4000-8000-000000000003', 'tap-c', 0, 1)$$,
  '23503', 'insert or update on table "optimization_samples" violates foreign key constraint "optimization_samples_run_fkey"',
  'a sample cannot point at a run of another project');

select throws_ok($$update optimization_runs set project_id = 'tap-d' where id = 'd1000000-0000-4000-8000-000000000001'$$,
  '42501', 'optimization_runs rows cannot move to another project (tap-c -> tap-d)', 'a run cannot move to another project');
select throws_ok($$update optimization_iterations set run_id = 'd1000000-0000-4000-8000-000000000002'
                   where id = 'd2000000-0000-4000-8000-000000000001'$$,
  '42501', 'optimization_iterations rows cannot move to another run', 'an iteration cannot move to another run');
select throws_ok($$update optimization_samples set project_id = 'tap-d' where id = 900001$$,
  '42501', 'optimization_samples rows cannot move to another project (tap-c -> tap-d)', 'a sample cannot move to another project');
select throws_ok($$update optimization_samples set run_id = 'd1000000-0000-4000-8000-000000000002' where id = 900001$$,
  '42501', 'optimization_samples rows cannot move to another run', 'a sample cannot move to another run');

select throws_ok($$insert into optimization_runs (project_id, run_name, optimizer_type, duration_ms) values ('tap-c', 'x', 'miprov2', 5)$$,
  '428C9', 'cannot insert a non-DEFAULT value into column "duration_ms"', 'duration_ms cannot be written');

select * from finish();
rollback;
