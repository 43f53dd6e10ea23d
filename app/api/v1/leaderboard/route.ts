import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { assertOnlyParams } from '@/lib/api/query';
import { getTopRunsByScore, listOptimizationRuns, ValidationError } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/leaderboard — top completed runs by final score, optionally by optimizer or tag
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  assertOnlyParams(searchParams, ['projectId', 'limit', 'optimizerType', 'tag']);
  const projectId = requestedProject(caller, searchParams.get('projectId'));
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  const limitRaw = searchParams.get('limit');
  const limit = limitRaw === null ? 10 : Number(limitRaw);
  const optimizerType = searchParams.get('optimizerType') ?? undefined;
  const tag = searchParams.get('tag') ?? undefined;
  if (!optimizerType && !tag) {
    return json({ data: await getTopRunsByScore(caller.scope, projectId, limit) });
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ValidationError([{ path: 'limit', message: 'must be an integer from 1 to 100' }]);
  }
  const page = await listOptimizationRuns(caller.scope, {
    projectId,
    status: 'completed',
    optimizerType,
    tags: tag ? [tag] : undefined,
    orderBy: 'final_score',
    orderDirection: 'desc',
    limit,
  });
  return json({ data: page.data });
});

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
