import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { parseAnalysisQuery } from '@/lib/api/query';
import { getGroupedScoreCurves, type RunAnalysisInput } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/analysis/curves — score curves of the filtered runs, grouped, mean ± spread
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) =>
  json(await getGroupedScoreCurves(caller.scope, parseAnalysisQuery(searchParams, caller.projectId) as RunAnalysisInput)),
);

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
