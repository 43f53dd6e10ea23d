import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { parseProjectQuery } from '@/lib/api/query';
import { getOptimizationAnalytics } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/analytics — per optimizer and status: runs, average final score, spend
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) => {
  const projectId = requestedProject(caller, parseProjectQuery(searchParams).projectId);
  return json(await getOptimizationAnalytics(caller.scope, { projectId }));
});

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
