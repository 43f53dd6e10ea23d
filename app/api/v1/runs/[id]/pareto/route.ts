import { runChildRoutes } from '@/lib/api/run-children';
import { listParetoSnapshots, upsertParetoSnapshots } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/runs/{id}/pareto — a page in key order (limit, cursor)
// POST /api/v1/runs/{id}/pareto — up to 1,000 Pareto snapshots, upserted field by field
const routes = runChildRoutes('Pareto snapshots', listParetoSnapshots, upsertParetoSnapshots);

export const GET = routes.GET;
export const POST = routes.POST;
const unsupported = routes.unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
