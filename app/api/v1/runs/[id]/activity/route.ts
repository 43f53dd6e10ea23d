import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { getConfig } from '@/lib/config';
import { getRunActivity, NotFoundError } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id}/activity — the run's last write and whether it is stalled
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) => {
  const minutes = getConfig().stalledRunMinutes;
  const activity = (await getRunActivity(caller.scope, [params.id], minutes)).get(params.id);
  if (!activity) throw new NotFoundError('run', params.id);
  return json({ ...activity, stalledAfterMinutes: minutes });
});

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
