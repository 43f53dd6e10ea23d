import { ValidationError, parseInput } from './errors.ts';
import { insertSamplesInTx } from './samples.ts';
import { upsertIterationsInTx } from './iterations.ts';
import { insertRunInTx, updateRunInTx } from './runs.ts';
import { createRunSchema, updateRunSchema, type CreateSampleInput, type IterationFieldsInput } from './schemas.ts';
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
      await updateRunInTx(tx, target.runId, parseInput(updateRunSchema, body));
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource === 'iterations') {
      await upsertIterationsInTx(tx, target.runId, (Array.isArray(body) ? body : [body]) as IterationFieldsInput[]);
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource === 'samples') {
      const samples = Array.isArray(body) ? body : (body as { samples?: unknown[] }).samples ?? [];
      await insertSamplesInTx(tx, samples.map((s) => ({ ...(s as object), runId: target.runId })) as CreateSampleInput[]);
    } else if (write.method === 'POST' && parts.length === 3 && parts[1] === RUN_ID_PLACEHOLDER && resource && isStructureResource(resource)) {
      await upsertStructureInTx(tx, resource, target.runId, body as unknown[]);
    } else {
      throw new ValidationError([{ path: `${index}`, message: `${write.method} ${write.path} is not a write of a run` }]);
    }
  }
}
