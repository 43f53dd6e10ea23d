import { runChildRoutes } from '@/lib/api/run-children';
import { listCandidatePool, upsertCandidatePool } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/runs/{id}/candidate-pool — a page in key order (limit, cursor)
// POST /api/v1/runs/{id}/candidate-pool — up to 1,000 candidate pool entries, upserted field by field
const routes = runChildRoutes('candidate pool entries', listCandidatePool, upsertCandidatePool);

export const GET = routes.GET;
export const POST = routes.POST;
const unsupported = routes.unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
