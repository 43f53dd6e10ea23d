import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { parseListRunsQuery } from '@/lib/api/query';
import { createOptimizationRun, createRunSchema, listOptimizationRuns } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

const createRunBody = createRunSchema.partial({ projectId: true });

// GET /api/v1/runs — list runs of a project (an API key's project by default)
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  const filters = parseListRunsQuery(searchParams, caller.projectId);
  requestedProject(caller, filters.projectId);
  return json(await listOptimizationRuns(caller.scope, filters));
});

// POST /api/v1/runs — create a run; a client-chosen id makes retries safe
export const POST = apiHandler({ access: 'write', body: createRunBody }, async ({ caller, body }) => {
  const projectId = requestedProject(caller, body.projectId);
  const run = await createOptimizationRun(caller.scope, { ...body, projectId: projectId ?? '' });
  return json(run, 201, { location: `/api/v1/runs/${run.id}` });
});

const unsupported = methodNotAllowed(['GET', 'POST']);
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
