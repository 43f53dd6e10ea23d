import type { Fragment } from 'postgres';
import type { z } from 'zod';
import { valuesPage, type OptimizationSample, type Page, type UpsertCounts } from './dto.ts';
import { NotFoundError, ValidationError, parseInput } from './errors.ts';
import { missingRun } from './runs.ts';
import { listSamplesSchema, sampleBatchSchema, type CreateSampleInput, type ListSamplesInput } from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectOfRun, projectOfRuns, readInScope, runChanged, type Scope, type Tx } from './scope.ts';

const JSON_OID = 114; // the json type (tx.json sends jsonb)

export type SampleBatchResult = UpsertCounts;

// Thousands of samples in one round trip and one statement: all of them are written or
// none is. Upserts on (run_id, iteration, sample_index), so a retried batch is harmless.
export async function batchCreateOptimizationSamples(
  scope: Scope,
  input: CreateSampleInput[],
): Promise<SampleBatchResult> {
  const samples = parseInput(sampleBatchSchema, input);
  const runIds = [...new Set(samples.map((s) => s.runId))];
  // a batch's runs are of one project (a scope without one: the project they are found in)
  const projectId = await projectOfRuns(scope, runIds);
  if (projectId === null) throw new NotFoundError('run', runIds[0]);
  try {
    return await inScope(scope, (tx) => writeSamples(tx, projectId, samples));
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await inScope(scope, (tx) => refusedRuns(tx, projectId, runIds));
    throw error;
  }
}

// batchCreateOptimizationSamples inside the caller's transaction (the demo seeder's replay).
export async function insertSamplesInTx(tx: Tx, projectId: string, input: CreateSampleInput[]): Promise<SampleBatchResult> {
  return writeSamples(tx, projectId, parseInput(sampleBatchSchema, input));
}

async function writeSamples(tx: Tx, projectId: string, samples: z.output<typeof sampleBatchSchema>): Promise<SampleBatchResult> {
  const seen = new Set<string>();
  samples.forEach((s, i) => {
    const key = `${s.runId}/${s.iteration}/${s.sampleIndex}`;
    if (seen.has(key)) {
      throw new ValidationError([
        { path: `${i}.sampleIndex`, message: `sample ${s.sampleIndex} of iteration ${s.iteration} appears twice in the batch` },
      ]);
    }
    seen.add(key);
  });
  const runIds = [...new Set(samples.map((s) => s.runId))];
  const rows = samples.map((s) => ({
    run_id: s.runId,
    iteration: s.iteration,
    sample_index: s.sampleIndex,
    input: s.input ?? {},
    output: s.output ?? null,
    expected: s.expected ?? null,
    score: s.score ?? null,
    error: s.error ?? null,
    latency_ms: s.latencyMs ?? null,
    tokens: s.tokens ?? 0,
    cost_usd: s.costUsd ?? 0,
    program_hash: s.programHash ?? null,
    metadata: s.metadata ?? {},
    example_id: s.exampleId ?? null,
    feedback: s.feedback ?? null,
  }));
  const [result] = await tx<{ inserted: number; total: number; runs: Array<{ id: string; project_id: string }> | null }[]>`
    with input as (
      -- json, not jsonb: the batch is read field by field instead of first being
      -- built into one jsonb document (a third of the statement's time at 5,000 rows);
      -- and its JSON fields come out as json and are cast to jsonb here: read as jsonb
      -- by json_to_recordset itself they took four times as long (~220 of ~400 ms)
      select x.run_id, x.iteration, x.sample_index, x.input::jsonb as input,
             x.output::jsonb as output, x.expected::jsonb as expected, x.score, x.error,
             x.latency_ms, x.tokens, x.cost_usd, x.program_hash, x.metadata::jsonb as metadata,
             x.example_id, x.feedback
      from json_to_recordset(${tx.typed(rows as never, JSON_OID)}) as x(
        run_id uuid, iteration integer, sample_index integer, input json, output json,
        expected json, score numeric, error text, latency_ms numeric, tokens integer,
        cost_usd numeric, program_hash text, metadata json, example_id text, feedback text
      )
    ), runs as materialized (
      -- the batch's few runs and their iterations read once (hash joins), not once a row;
      -- locked first, as iteration writers do: the usage trigger updates iterations
      select r.id, r.project_id from optimization_runs r
      where r.project_id = ${projectId} and r.id = any(${runIds}::uuid[])
      order by r.id for no key update
    ), iterations as materialized (
      select i.id, i.run_id, i.iteration from optimization_iterations i
      where i.project_id = ${projectId} and i.run_id = any(${runIds}::uuid[])
    ), written as (
      insert into optimization_samples (
        run_id, project_id, iteration, iteration_id, sample_index, input, output, expected,
        score, error, latency_ms, tokens, cost_usd, program_hash, metadata, example_id, feedback
      )
      select x.run_id, r.project_id, x.iteration, i.id, x.sample_index, x.input, x.output,
             x.expected, x.score, x.error, x.latency_ms, x.tokens, x.cost_usd, x.program_hash,
             x.metadata, x.example_id, x.feedback
      from input x
      join runs r on r.id = x.run_id
      left join iterations i on i.run_id = x.run_id and i.iteration = x.iteration
      on conflict (project_id, run_id, iteration, sample_index) do update set
        iteration_id = excluded.iteration_id,
        input = excluded.input,
        output = excluded.output,
        expected = excluded.expected,
        score = excluded.score,
        error = excluded.error,
        latency_ms = excluded.latency_ms,
        tokens = excluded.tokens,
        cost_usd = excluded.cost_usd,
        program_hash = excluded.program_hash,
        metadata = excluded.metadata,
        example_id = excluded.example_id,
        feedback = excluded.feedback
      returning (xmax = 0) as inserted
    )
    select (count(*) filter (where inserted))::int as inserted, count(*)::int as total,
           (select json_agg(json_build_object('id', r.id, 'project_id', r.project_id)) from runs r) as runs
    from written
  `;
  if ((result?.total ?? 0) !== rows.length) {
    // some run is not visible (or not writable) to the caller: throwing rolls the batch back
    throw await refusedRuns(tx, projectId, runIds);
  }
  for (const run of result!.runs ?? []) runChanged(tx, run.project_id, run.id);
  return { inserted: result!.inserted, updated: result!.total - result!.inserted };
}

// Why a batch's runs were refused: one is not found, else one is read-only.
async function refusedRuns(tx: Tx, projectId: string, runIds: string[]): Promise<Error> {
  for (const id of runIds) {
    const refused = await missingRun(tx, projectId, id);
    if (refused instanceof NotFoundError) return refused;
  }
  return missingRun(tx, projectId, runIds[0]!);
}

function decodeSampleCursor(cursor: string): [number, number] {
  const match = /^(\d{1,10})\.(\d{1,10})$/.exec(cursor);
  if (!match) throw new ValidationError([{ path: 'cursor', message: 'is not a samples cursor (use nextCursor)' }]);
  return [Number(match[1]), Number(match[2])];
}

// Samples of a run in (iteration, sample_index) order with a keyset cursor.
export async function listOptimizationSamples(
  scope: Scope,
  input: ListSamplesInput,
): Promise<Page<OptimizationSample>> {
  const filters = parseInput(listSamplesSchema, input);
  const after = filters.cursor ? decodeSampleCursor(filters.cursor) : null;
  const projectId = await projectOfRun(scope, filters.runId);
  const [run, rows] = await readInScope(scope, (tx) => {
    const conditions: Fragment[] = [tx`project_id = ${projectId}`, tx`run_id = ${filters.runId}`];
    if (filters.iteration !== undefined) conditions.push(tx`iteration = ${filters.iteration}`);
    if (filters.minScore !== undefined) conditions.push(tx`score >= ${filters.minScore}`);
    if (filters.maxScore !== undefined) conditions.push(tx`score <= ${filters.maxScore}`);
    if (filters.errorsOnly) conditions.push(tx`error is not null`);
    if (filters.exampleId !== undefined) conditions.push(tx`example_id = ${filters.exampleId}`);
    if (after) conditions.push(tx`(iteration, sample_index) > (${after[0]}, ${after[1]})`);
    const where = conditions.reduce((acc, c) => tx`${acc} and ${c}`);
    return [
      tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${filters.runId}`,
      tx`
        select * from optimization_samples where ${where}
        order by iteration, sample_index
        limit ${filters.limit + 1}
      `.values(),
    ] as const;
  });
  if (run.length === 0) throw new NotFoundError('run', filters.runId);
  const { data, next } = valuesPage<OptimizationSample>(rows, filters.limit);
  return { data, nextCursor: next ? `${next('iteration')}.${next('sample_index')}` : null };
}
