-- Every object the schema document names exists under that name.
begin;
create extension if not exists pgtap;
select plan(49);

select has_table('public', t, format('table %s exists', t))
from unnest(array['optimization_runs', 'optimization_iterations', 'optimization_samples',
                  'project_config', 'project_members', 'api_keys', 'optimization_analytics_refreshes']) t;

select has_materialized_view('public', 'optimization_run_analytics', 'materialized view optimization_run_analytics exists');
select has_view('public', 'project_optimization_analytics', 'view project_optimization_analytics exists');

select has_index('public', tbl, idx, format('index %s exists on %s', idx, tbl))
from (values
  ('optimization_runs', 'idx_optimization_runs_project_id'),
  ('optimization_runs', 'idx_optimization_runs_status'),
  ('optimization_runs', 'idx_optimization_runs_optimizer_type'),
  ('optimization_runs', 'idx_optimization_runs_run_name'),
  ('optimization_runs', 'idx_optimization_runs_performance'),
  ('optimization_runs', 'idx_optimization_runs_config_gin'),
  ('optimization_runs', 'idx_optimization_runs_metadata_gin'),
  ('optimization_runs', 'idx_optimization_runs_tags_gin'),
  ('optimization_iterations', 'idx_optimization_iterations_params_gin'),
  ('optimization_iterations', 'idx_optimization_iterations_run_id'),
  ('optimization_iterations', 'idx_optimization_iterations_best'),
  ('optimization_samples', 'idx_optimization_samples_run_id'),
  ('optimization_run_analytics', 'idx_optimization_run_analytics_pk')
) as i(tbl, idx);

select index_is_type('public', tbl, idx, 'gin', format('%s is a GIN index', idx))
from (values
  ('optimization_runs', 'idx_optimization_runs_config_gin'),
  ('optimization_runs', 'idx_optimization_runs_metadata_gin'),
  ('optimization_runs', 'idx_optimization_runs_tags_gin'),
  ('optimization_iterations', 'idx_optimization_iterations_params_gin')
) as i(tbl, idx);

select index_is_unique('public', tbl, idx, format('%s is unique', idx))
from (values
  ('optimization_iterations', 'idx_optimization_iterations_run_id'),
  ('optimization_samples', 'idx_optimization_samples_run_id'),
  ('optimization_run_analytics', 'idx_optimization_run_analytics_pk')
) as i(tbl, idx);

select is(
  (select pg_get_expr(indpred, indrelid) from pg_index
   where indexrelid = 'public.idx_optimization_runs_performance'::regclass),
  '(status = ''completed''::text)',
  'idx_optimization_runs_performance is partial: completed runs only');

select has_function('public', f, format('function %s exists', f))
from unnest(array['update_optimization_runs_updated_at', 'update_run_statistics_from_iterations',
                  'mark_best_iteration', 'get_optimization_run_summary', 'get_top_runs_by_score',
                  'refresh_optimization_analytics']) f;

select trigger_is('public', tbl, trg, 'public', fn, format('trigger %s on %s calls %s', trg, tbl, fn))
from (values
  ('optimization_runs', 'trigger_update_optimization_runs_updated_at', 'update_optimization_runs_updated_at'),
  ('optimization_iterations', 'trigger_update_run_statistics', 'update_run_statistics_from_iterations'),
  ('optimization_iterations', 'trigger_mark_best_iteration', 'mark_best_iteration')
) as t(tbl, trg, fn);

select is(
  (select attgenerated::text from pg_attribute
   where attrelid = 'public.optimization_runs'::regclass and attname = col),
  's', format('optimization_runs.%s is a stored generated column', col))
from unnest(array['duration_ms', 'improvement', 'improvement_pct']) col;

select col_type_is('public', 'optimization_runs', col, 'numeric(7,4)', format('optimization_runs.%s is numeric(7,4)', col))
from unnest(array['initial_score', 'final_score', 'best_score']) col;

select fk_ok('public', 'optimization_iterations', array['project_id', 'run_id'],
             'public', 'optimization_runs', array['project_id', 'id'],
             'an iteration names its run and that run''s project');
select fk_ok('public', 'optimization_samples', array['project_id', 'run_id'],
             'public', 'optimization_runs', array['project_id', 'id'],
             'a sample names its run and that run''s project');
select fk_ok('public', 'optimization_samples', array['project_id', 'iteration_id'],
             'public', 'optimization_iterations', array['project_id', 'id'],
             'a sample''s iteration belongs to the sample''s project');
select fk_ok('public', 'optimization_runs', 'project_id', 'public', 'project_config', 'id',
             'a run belongs to a project');

select * from finish();
rollback;
