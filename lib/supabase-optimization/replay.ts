import { ValidationError, parseInput } from './errors.ts';
import { insertSamplesInTx } from './samples.ts';
import { upsertIterationsInTx } from './iterations.ts';
import { insertRunInTx, updateRunInTx } from './runs.ts';
import {
  createRunSchema,
  MAX_SAMPLES_PER_BATCH,
  MAX_STRUCTURE_PER_BATCH,
  updateRunSchema,
  type CreateSampleInput,
  type IterationFieldsInput,
} from './schemas.ts';
import { isStructureResource, upsertStructureInTx } from './structure.ts';
import type { Tx } from './scope.ts';

// One API write as a client sent it: `POST /runs`, `PATCH /runs/{runId}` or
// `POST /runs/{runId}/<resource>`, with the run's id as the placeholder "{runId}".
export interface RecordedWrite {
  method: string;
  path: string;
  body: unknown;
}

export const RUN_ID_PLACEHOLDER = '{runId}';

// The upsert key of an item of each batch resource (as the Python sender merges them).
const BATCH_KEYS: Record<string, (item: Record<string, unknown>) => unknown[]> = {
  iterations: (i) => [i.iteration],
  samples: (i) => [i.iteration, i.sampleIndex],
  candidates: (i) => [i.candidateId],
  'candidate-pool': (i) => [i.predictorIndex, i.kind, i.candidateIndex],
  pareto: (i) => [i.step],
  proposals: (i) => [i.proposalIndex],
};
const BATCH_CAPS: Record<string, number> = { samples: MAX_SAMPLES_PER_BATCH };

// Merges batch writes that follow each other up to the next run create or update, as the
// Python sender does when writes queue up (the same resource into one batch while its keys
// stay distinct and within the API's caps): the same end state in far fewer statements.
export function coalesceRecordedWrites(writes: RecordedWrite[]): RecordedWrite[] {
  const out: RecordedWrite[] = [];
  let open = new Map<string, { write: RecordedWrite; keys: Set<string>; selected: boolean }>();
  for (const write of writes) {
    const resource = write.path.split('/').filter(Boolean)[2];
    const keyOf = resource ? BATCH_KEYS[resource] : undefined;
    if (write.method !== 'POST' || !keyOf || !Array.isArray(write.body)) {
      open = new Map();
      out.push(write);
      continue;
    }
    const items = write.body as Record<string, unknown>[];
    const keys = items.map((i) => JSON.stringify(keyOf(i)));
    const selected = resource === 'iterations' && items.some((i) => i.selected === true);
    const current = open.get(write.path);
    const body = current?.write.body as unknown[] | undefined;
    if (
      current && body &&
      new Set(keys).size === keys.length &&
      !keys.some((k) => current.keys.has(k)) &&
      body.length + items.length <= (BATCH_CAPS[resource!] ?? MAX_STRUCTURE_PER_BATCH) &&
      !(selected && current.selected)
    ) {
      body.push(...items);
      for (const k of keys) current.keys.add(k);
      current.selected ||= selected;
      continue;
    }
    const merged = { ...write, body: [...items] };
    open.set(write.path, { write: merged, keys: new Set(keys), selected });
    out.push(merged);
  }
  return out;
}

// Replays a run's recorded API writes, in order, inside the caller's transaction and
// through the same validation and statements as the API's handlers, as run `runId` of
// `projectId` (the demo seeder loads recorded DSPy compiles with it).
export async function replayRecordedWrites(
  tx: Tx,
  target: { projectId: string; runId: string; createdBy: string | null },
  writes: RecordedWrite[],
): Promise<void> {
  const rebind = (body: unknown) =>
    JSON.parse(JSON.stringify(body).replaceAll(RUN_ID_PLACEHOLDER, target.runId)) as unknown;
  for (const [index, write] of writes.entries()) {
    const body = rebind(write.body);
    const parts = write.path.split('/').filter(Boolean);
    const resource = parts[2];
    if (write.method === 'POST' && parts.length === 1 && parts[0] === 'runs') {
      const run = parseInput(createRunSchema, { ...(body as object), id: target.runId, projectId: target.projectId });
      await insertRunInTx(tx, run, target.createdBy);
    } else if (write.method === 'PATCH' && parts.length === 2 && parts[1] === RUN_ID_PLACEHOLDER) {
      await updateRunInTx(tx, target.projectId, target.runId, parseInput(updateRunSchema, body));
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource === 'iterations') {
      await upsertIterationsInTx(tx, target.projectId, target.runId, (Array.isArray(body) ? body : [body]) as IterationFieldsInput[]);
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource === 'samples') {
      const samples = Array.isArray(body) ? body : (body as { samples?: unknown[] }).samples ?? [];
      await insertSamplesInTx(tx, target.projectId, samples.map((s) => ({ ...(s as object), runId: target.runId })) as CreateSampleInput[]);
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource && isStructureResource(resource)) {
      await upsertStructureInTx(tx, resource, target.projectId, target.runId, body as unknown[]);
    } else {
      throw new ValidationError([{ path: `${index}`, message: `${write.method} ${write.path} is not a write of a run` }]);
    }
  }
}
