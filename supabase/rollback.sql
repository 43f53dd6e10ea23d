-- Removes everything the migrations in supabase/migrations created, data included.
-- Run by hand: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f supabase/rollback.sql
-- The compatibility script's roles and auth schema are left alone (Supabase owns them).

begin;

-- 20261204100900_service_tables
drop table if exists private.demo_seedings;
drop table if exists private.api_rate_limits;

-- 20261204100800_run_analysis
drop trigger if exists trigger_audit_run_update on public.optimization_runs;
drop table if exists public.run_changes;
drop table if exists public.saved_views;
drop table if exists public.run_stars;
drop table if exists public.run_notes;

-- 20261204100700_optimizer_structure
drop table if exists public.optimization_proposals;
drop table if exists public.optimization_pareto_snapshots;
drop table if exists public.optimization_candidate_pool;
drop table if exists public.optimization_candidates;

-- 20261204100600_run_search
drop function if exists public.total_optimization_runs(jsonb, integer);
drop function if exists public.search_optimization_runs(jsonb, integer, integer);
drop function if exists public.count_optimization_runs(jsonb, integer);

-- 20261204100500_analytics
drop function if exists public.refresh_optimization_analytics();
drop function if exists public.get_optimization_analytics_last_refresh();
drop function if exists public.get_top_runs_by_score(text, integer);
drop function if exists public.get_optimization_run_summary(uuid);
drop view if exists public.project_optimization_analytics;
drop materialized view if exists public.optimization_run_analytics;
drop table if exists public.optimization_analytics_refreshes;

-- 20261204100400_policies go with their tables; 20261204100300_run_triggers with the
-- tables and the private schema

-- 20261204100200_runs_iterations_samples
drop table if exists public.optimization_samples;
drop table if exists public.optimization_iterations;
drop table if exists public.optimization_runs;
drop function if exists public.mark_best_iteration();
drop function if exists public.update_run_statistics_from_iterations();
drop function if exists public.update_optimization_runs_updated_at();

-- 20261204100100_tenancy
drop function if exists public.create_project(text, text, text);
drop function if exists public.set_project_member_role(text, uuid, text);
drop function if exists public.remove_project_member(text, uuid);
drop function if exists public.add_project_member(text, text, text);
drop function if exists public.list_project_members(text);
drop table if exists private.run_counts;
drop table if exists public.api_keys;
drop table if exists public.project_members;
drop table if exists public.project_config;

-- every private helper, trigger function and table (run counts included)
drop schema if exists private cascade;

delete from supabase_migrations.schema_migrations where version in (
  '20261204100100', '20261204100200', '20261204100300', '20261204100400', '20261204100500',
  '20261204100600', '20261204100700', '20261204100800', '20261204100900'
);

commit;
