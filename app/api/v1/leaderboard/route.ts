import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { parseLeaderboardQuery } from '@/lib/api/query';
import { getTopRunsByScore, listOptimizationRuns, topRunDtoSchema, ValidationError } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/leaderboard — top completed runs by final score, optionally by optimizer or tag
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  const { projectId: requested, limit, optimizerType, tag } = parseLeaderboardQuery(searchParams);
  const projectId = requestedProject(caller, requested);
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  if (!optimizerType && !tag) {
    return json({ data: await getTopRunsByScore(caller.scope, projectId, limit) });
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
