import { ApiError } from '@/lib/api/errors';
import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { withPathRunId } from '@/lib/api/bodies';
import { parseListSamplesQuery } from '@/lib/api/query';
import {
  batchCreateOptimizationSamples,
  listOptimizationSamples,
  MAX_SAMPLES_PER_BATCH,
  ValidationError,
} from '@/lib/supabase-optimization';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// GET /api/v1/runs/{id}/samples — samples by iteration, score range, errors only, example; cursor paging
export const GET = apiHandler<Params>({ access: 'read' }, async ({ caller, params, searchParams }) => {
  const page = await listOptimizationSamples(caller.scope, parseListSamplesQuery(searchParams, params.id));
  return json(page);
});

// POST /api/v1/runs/{id}/samples — up to 5,000 samples, all or nothing; upserts on
// (iteration, sampleIndex), so a retried batch leaves no duplicates
export const POST = apiHandler<Params, z.ZodUnknown>({ access: 'write', body: z.unknown() }, async ({ caller, params, body }) => {
  const samples = Array.isArray(body) ? body : (body as { samples?: unknown })?.samples;
  if (!Array.isArray(samples)) {
    throw new ValidationError([{ path: 'samples', message: 'send an array of samples, or {"samples": [...]}' }]);
  }
  // {"samples": [...]} and nothing else: a field beside it would be silently dropped
  const extra = Array.isArray(body) ? [] : Object.keys(body as object).filter((key) => key !== 'samples');
  if (extra.length) {
    throw new ValidationError([{ path: '', message: `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}` }]);
  }
  if (samples.length > MAX_SAMPLES_PER_BATCH) {
    throw new ApiError('payload_too_large', `at most ${MAX_SAMPLES_PER_BATCH} samples per request; got ${samples.length}`);
  }
  const rows = withPathRunId(samples, params.id).map((s) => ({ ...(s as object), runId: params.id }));
  const result = await batchCreateOptimizationSamples(caller.scope, rows as never);
  return json(result, 201);
});

const unsupported = methodNotAllowed(['GET', 'POST']);
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
