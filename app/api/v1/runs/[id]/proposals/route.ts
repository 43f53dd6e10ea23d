import { runChildRoutes } from '@/lib/api/run-children';
import { listOptimizationProposals, upsertOptimizationProposals } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/runs/{id}/proposals — a page in key order (limit, cursor)
// POST /api/v1/runs/{id}/proposals — up to 1,000 proposals, upserted field by field
const routes = runChildRoutes('proposals', listOptimizationProposals, upsertOptimizationProposals);

export const GET = routes.GET;
export const POST = routes.POST;
const unsupported = routes.unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
