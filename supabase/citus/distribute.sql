-- Distributes the migrated schema on a Citus cluster. Not a migration: run once by hand on
-- the coordinator after `npm run db:migrate`, before any data (docs/scale-out.md):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f supabase/citus/distribute.sql
-- Order: save and drop every foreign key touching these tables, create the reference tables,
-- distribute the runs and the tables colocated with them, then re-create the foreign keys.
-- (With the foreign keys in place Citus refuses reference tables pointing at local tables, and
-- falls back to undistributing, which fails on identity columns.) The lists are
-- lib/db/distribution.ts's; tests/distribution-rules.test.ts checks this file against them.

-- the tables carry triggers; Citus refuses to distribute them, and then to fire them, without this
set citus.enable_unsafe_triggers = on;
do $$ begin execute format('alter database %I set citus.enable_unsafe_triggers = on', current_database()); end $$;

begin;
-- foreign keys to reference tables are added in the same transaction as the shards: one connection per node
set local citus.multi_shard_modify_mode to 'sequential';

-- every foreign key of the application's schemas, and every one pointing at auth.users
create temp table distribute_fks on commit drop as
  select k.conrelid::regclass as tbl, k.conname, pg_get_constraintdef(k.oid) as def
  from pg_constraint k
  where k.contype = 'f'
    and (k.connamespace in ('public'::regnamespace, 'private'::regnamespace)
         or k.confrelid = 'auth.users'::regclass);

do $$
declare f record;
begin
  for f in select * from distribute_fks loop
    execute format('alter table %s drop constraint %I', f.tbl, f.conname);
  end loop;
end $$;

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

-- reference tables' keys first: the distributed tables' keys point at them
do $$
declare f record;
begin
  for f in select * from distribute_fks d
           order by exists (select 1 from pg_dist_partition p where p.logicalrelid = d.tbl and p.partmethod = 'n') desc,
                    d.tbl::text, d.conname
  loop
    execute format('alter table %s add constraint %I %s', f.tbl, f.conname, f.def);
  end loop;
end $$;

select count(*) as foreign_keys_restored from distribute_fks;

commit;
