import { ApiError } from './errors.ts';
import { apiHandler, json, methodNotAllowed } from './handler.ts';
import { parseQuery } from './query.ts';
import {
  listStructureSchema,
  MAX_STRUCTURE_PER_BATCH,
  ValidationError,
  type ListStructureInput,
  type Page,
  type Scope,
  type UpsertCounts,
} from '../supabase-optimization/index.ts';
import { z } from 'zod';

type Params = { id: string };

// The four optimizer-structure resources under /runs/{id}/ (candidates, candidate-pool,
// pareto, proposals) share one shape: GET a page in key order, POST a batch of up to 1,000
// upserted field by field, answered with how many rows were inserted and updated.
export function runChildRoutes<T>(
  what: string,
  list: (scope: Scope, input: ListStructureInput) => Promise<Page<T>>,
  upsert: (scope: Scope, runId: string, input: never[]) => Promise<UpsertCounts>,
) {
  const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params, searchParams }) => {
    return json(await list(caller.scope, parseQuery(listStructureSchema, searchParams, { fixed: { runId: params.id } }) as ListStructureInput));
  });

  const POST = apiHandler<Params, z.ZodUnknown>({ access: 'write', body: z.unknown() }, async ({ caller, params, body }) => {
    if (!Array.isArray(body)) throw new ValidationError([{ path: '', message: `send an array of ${what}` }]);
    if (body.length > MAX_STRUCTURE_PER_BATCH) {
      throw new ApiError('payload_too_large', `at most ${MAX_STRUCTURE_PER_BATCH} ${what} per request; got ${body.length}`);
    }
    return json(await upsert(caller.scope, params.id, body as never[]), 201);
  });

  const unsupported = methodNotAllowed(['GET', 'POST']);
  return { GET, POST, unsupported };
}
