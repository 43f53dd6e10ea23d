// The projects home reads the data layer (listProjectOverviews in lib/supabase-optimization);
// this module only keeps the type components/status-badge.tsx imports.
export type { RunStatus } from '../supabase-optimization/index.ts';
