import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { setRunStar } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// PUT /api/v1/runs/{id}/star — star the run for the signed-in user (viewers too)
export const PUT = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) => json(await setRunStar(caller.scope, params.id, true)));

// DELETE /api/v1/runs/{id}/star — remove the signed-in user's star
export const DELETE = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) => json(await setRunStar(caller.scope, params.id, false)));

const unsupported = methodNotAllowed(['PUT', 'DELETE']);
export const GET = unsupported;
export const POST = unsupported;
export const PATCH = unsupported;
