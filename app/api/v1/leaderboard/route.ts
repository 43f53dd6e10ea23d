import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { assertOnlyParams } from '@/lib/api/query';
import {
  DEFAULT_LEADERBOARD_LIMIT,
  getTopRunsByScore,
  listOptimizationRuns,
  MAX_LEADERBOARD_LIMIT,
  topRunDtoSchema,
  ValidationError,
} from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/leaderboard — top completed runs by final score, optionally by optimizer or tag
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  assertOnlyParams(searchParams, ['projectId', 'limit', 'optimizerType', 'tag']);
  const projectId = requestedProject(caller, searchParams.get('projectId'));
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  const limitRaw = searchParams.get('limit');
  const limit = limitRaw === null ? DEFAULT_LEADERBOARD_LIMIT : Number(limitRaw);
  const optimizerType = searchParams.get('optimizerType') ?? undefined;
  const tag = searchParams.get('tag') ?? undefined;
  if (!optimizerType && !tag) {
    return json({ data: await getTopRunsByScore(caller.scope, projectId, limit) });
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LEADERBOARD_LIMIT) {
    throw new ValidationError([{ path: 'limit', message: `must be an integer from 1 to ${MAX_LEADERBOARD_LIMIT}` }]);
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
  // the same fields as the plain leaderboard's
  return json({ data: page.data.map((run) => topRunDtoSchema.parse(run)) });
});

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
