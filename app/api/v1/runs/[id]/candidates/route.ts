import { runChildRoutes } from '@/lib/api/run-children';
import { listOptimizationCandidates, upsertOptimizationCandidates } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/runs/{id}/candidates — a page in key order (limit, cursor)
// POST /api/v1/runs/{id}/candidates — up to 1,000 candidates, upserted field by field
const routes = runChildRoutes('candidates', listOptimizationCandidates, upsertOptimizationCandidates);

export const GET = routes.GET;
export const POST = routes.POST;
const unsupported = routes.unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
