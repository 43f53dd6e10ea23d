-- Distributes the migrated schema on a Citus cluster. Not a migration: run once by hand on
-- the coordinator after `npm run db:migrate`, before any data (docs/scale-out.md):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f supabase/citus/distribute.sql
-- Reference tables first (the distributed tables' foreign keys point at them), then the
-- runs, then the tables colocated with them, in foreign-key order. The lists are
-- lib/db/distribution.ts's; tests/distribution-rules.test.ts checks this file against them.

begin;

select create_reference_table('auth.users');
select create_reference_table('public.project_config');
select create_reference_table('public.project_members');
select create_reference_table('public.api_keys');

select create_distributed_table('public.optimization_runs', 'project_id');
select create_distributed_table('public.optimization_iterations', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.optimization_samples', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.optimization_candidates', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.optimization_candidate_pool', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.optimization_pareto_snapshots', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.optimization_proposals', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.run_notes', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.run_stars', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.run_changes', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('public.saved_views', 'project_id', colocate_with => 'public.optimization_runs');
select create_distributed_table('private.run_counts', 'project_id', colocate_with => 'public.optimization_runs');

commit;
