// How the schema spreads over a Citus cluster: the small tables every policy reads are
// reference tables (a copy on each node); every other table with a project_id column is
// distributed by project_id, colocated with optimization_runs (supabase/citus/distribute.sql;
// tests/distribution-rules.test.ts holds the schema to the rules this implies).
export const DISTRIBUTION_COLUMN = 'project_id';
export const COLOCATE_WITH = 'public.optimization_runs';
export const REFERENCE_TABLES = ['auth.users', 'public.project_config', 'public.project_members', 'public.api_keys'] as const;
