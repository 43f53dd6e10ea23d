import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { getRunNote, runNoteSchema, setRunNote } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id}/note — the run's Markdown note (null when it has none)
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) =>
  json({ note: await getRunNote(caller.scope, params.id) }),
);

// PUT /api/v1/runs/{id}/note — write the note; an empty body removes it
export const PUT = apiHandler<Params, typeof runNoteSchema>({ access: 'write', body: runNoteSchema }, async ({ caller, params, body }) =>
  json({ note: await setRunNote(caller.scope, params.id, body) }),
);

const unsupported = methodNotAllowed(['GET', 'PUT']);
export const POST = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
