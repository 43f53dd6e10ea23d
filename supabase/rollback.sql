-- Removes everything the migrations in supabase/migrations created, data included.
-- Run by hand: psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f supabase/rollback.sql
-- The compatibility script's roles and auth schema are left alone (Supabase owns them).

begin;

drop trigger if exists trigger_notify_run_change on public.optimization_runs;
drop function if exists private.notify_run_change();

drop function if exists public.add_project_member(text, text, text);
drop function if exists public.list_project_members(text);

-- 20261204200000_run_list_sorting (create or replace of the search functions dropped below;
-- private.run_order_expr and private.run_order_type go with the private schema)
delete from supabase_migrations.schema_migrations where version = '20261204200000';

-- 20261204002000_run_analysis
drop trigger if exists trigger_audit_run_update on public.optimization_runs;
drop table if exists public.run_changes;
drop table if exists public.saved_views;
drop table if exists public.run_stars;
drop table if exists public.run_notes;
delete from supabase_migrations.schema_migrations where version = '20261204002000';

-- 20261204000500_analytics_refresh_only_throttled (a revoke: nothing to drop)
delete from supabase_migrations.schema_migrations where version = '20261204000500';

-- 20261204000400_demo_seedings
drop table if exists private.demo_seedings;
delete from supabase_migrations.schema_migrations where version = '20261204000400';

-- 20261204000300_api_rate_limits
drop function if exists private.take_api_rate_limit_tokens(text, integer, integer);
drop table if exists private.api_rate_limits;
delete from supabase_migrations.schema_migrations where version = '20261204000300';

-- 20261204000200_analytics_refresh_throttle
drop function if exists private.refresh_optimization_analytics_throttled(integer);
delete from supabase_migrations.schema_migrations where version = '20261204000200';
drop function if exists public.refresh_optimization_analytics();
drop function if exists public.get_optimization_analytics_last_refresh();
drop function if exists public.get_top_runs_by_score(text, integer);
drop function if exists public.get_optimization_run_summary(uuid);
drop view if exists public.project_optimization_analytics;
drop materialized view if exists public.optimization_run_analytics;
drop table if exists public.optimization_analytics_refreshes;

drop function if exists public.total_optimization_runs(jsonb, integer);
drop function if exists public.search_optimization_runs(jsonb, integer, integer);
drop function if exists public.count_optimization_runs(jsonb, integer);

drop table if exists public.optimization_proposals;
drop table if exists public.optimization_pareto_snapshots;
drop table if exists public.optimization_candidate_pool;
drop table if exists public.optimization_candidates;
drop table if exists public.optimization_samples;
drop table if exists public.optimization_iterations;
drop table if exists public.optimization_runs;
drop function if exists public.mark_best_iteration();
drop function if exists public.update_run_statistics_from_iterations();
drop function if exists public.update_optimization_runs_updated_at();

drop table if exists private.run_counts;
drop table if exists public.api_keys;
drop table if exists public.project_members;
drop table if exists public.project_config;

-- private.require_live_api_key (20261125002100), the usage and selection triggers'
-- functions (20261204001000) and the other private helpers
drop schema if exists private cascade;

delete from supabase_migrations.schema_migrations where version in (
  '20261125000100', '20261125000200', '20261125000300', '20261125000400', '20261125000500',
  '20261125001000', '20261125002000', '20261125002100', '20261125002200',
  '20261204000100',
  '20261204000600',
  '20261204001000'
);

commit;
