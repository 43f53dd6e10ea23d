import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import {
  deleteOptimizationRun,
  getOptimizationRun,
  updateOptimizationRun,
  updateRunSchema,
} from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id} — one run
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) =>
  json(await getOptimizationRun(caller.scope, params.id)),
);

// PATCH /api/v1/runs/{id} — update fields and status (a finished run stays finished)
export const PATCH = apiHandler<Params, typeof updateRunSchema>(
  { access: 'write', body: updateRunSchema },
  async ({ caller, params, body }) => json(await updateOptimizationRun(caller.scope, params.id, body)),
);

// DELETE /api/v1/runs/{id} — delete a run with its iterations and samples
export const DELETE = apiHandler<Params>({ access: 'write' }, async ({ caller, params }) => {
  await deleteOptimizationRun(caller.scope, params.id);
  return new Response(null, { status: 204 });
});

const unsupported = methodNotAllowed(['GET', 'PATCH', 'DELETE']);
export const POST = unsupported;
export const PUT = unsupported;
