import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { listRunChanges } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id}/changes — who renamed, retagged, annotated or re-statused the run, newest first
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) =>
  json({ data: await listRunChanges(caller.scope, params.id) }),
);

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
