import { apiHandler, json, methodNotAllowed, requestedProject } from '@/lib/api/handler';
import { parseProjectQuery } from '@/lib/api/query';
import { createSavedView, createSavedViewSchema, listSavedViews, ValidationError } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

const createViewBody = createSavedViewSchema.partial({ projectId: true });

function projectOf(given: string | null | undefined, fallback: string | null): string {
  const projectId = given ?? fallback;
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  return projectId;
}

// GET /api/v1/views — the project's saved views (shared with its members)
export const GET = apiHandler({ access: 'read' }, async ({ caller, searchParams }) =>
  json({ data: await listSavedViews(caller.scope, projectOf(requestedProject(caller, parseProjectQuery(searchParams).projectId), caller.projectId)) }),
);

// POST /api/v1/views — save a named set of filters, columns, sort and grouping
export const POST = apiHandler({ access: 'write', body: createViewBody }, async ({ caller, body }) =>
  json(await createSavedView(caller.scope, { ...body, projectId: projectOf(body.projectId, caller.projectId) }), 201),
);

const unsupported = methodNotAllowed(['GET', 'POST']);
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
