import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { getOptimizationRunSummary } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/runs/{id}/summary — scores, best iteration, sample and cost totals
export const GET = apiHandler<{ id: string }>({ access: 'read' }, async ({ caller, params }) =>
  json(await getOptimizationRunSummary(caller.scope, params.id)),
);

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
