import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { withPathRunId } from '@/lib/api/bodies';
import {
  createOptimizationIteration,
  createOptimizationIterations,
  listOptimizationIterations,
} from '@/lib/supabase-optimization';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id}/iterations — every iteration in order
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params }) =>
  json({ data: await listOptimizationIterations(caller.scope, params.id) }),
);

// POST /api/v1/runs/{id}/iterations — one iteration or an array; upserts on the number
export const POST = apiHandler<Params, z.ZodUnknown>({ access: 'write', body: z.unknown() }, async ({ caller, params, body }) => {
  if (Array.isArray(body)) {
    const rows = await createOptimizationIterations(caller.scope, params.id, withPathRunId(body, params.id) as never);
    return json({ data: rows }, 201);
  }
  const [fields] = withPathRunId([body], params.id);
  return json(await createOptimizationIteration(caller.scope, { ...(fields as object), runId: params.id } as never), 201);
});

const unsupported = methodNotAllowed(['GET', 'POST']);
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
