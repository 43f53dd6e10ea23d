import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { parseAnalysisQuery } from '@/lib/api/query';
import { getConfigImportance, type ConfigImportanceInput } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/analysis/config-importance — which config keys go with the final score
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  // groupBy and smoothing are the curves' parameters: the schema names them as unknown here
  return json(await getConfigImportance(caller.scope, parseAnalysisQuery(searchParams, caller.projectId) as ConfigImportanceInput));
});

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
