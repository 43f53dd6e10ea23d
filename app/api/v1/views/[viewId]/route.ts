import { apiHandler, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { parseProjectQuery } from '@/lib/api/query';
import { deleteSavedView, ValidationError } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { viewId: string };

// DELETE /api/v1/views/{viewId}?projectId= — remove a saved view
export const DELETE = apiHandler<Params>({ access: 'write' }, async ({ caller, params, searchParams }) => {
  const projectId = requestedProject(caller, parseProjectQuery(searchParams).projectId);
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  await deleteSavedView(caller.scope, projectId, params.viewId);
  return new Response(null, { status: 204 });
});

const unsupported = methodNotAllowed(['DELETE']);
export const GET = unsupported;
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
