import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { getConfig } from '@/lib/config';
import { markCrashedSchema, markRunCrashed } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// POST /api/v1/runs/{id}/crash — mark a stalled running run crashed (status failed)
export const POST = apiHandler<Params, typeof markCrashedSchema>({ access: 'write', body: markCrashedSchema }, async ({ caller, params, body }) =>
  json(await markRunCrashed(caller.scope, params.id, body, getConfig().stalledRunMinutes)),
);

const unsupported = methodNotAllowed(['POST']);
export const GET = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
