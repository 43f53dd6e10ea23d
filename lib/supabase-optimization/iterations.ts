import { toDto, toDtos, type OptimizationIteration, type OptimizationRun } from './dto.ts';
import { NotFoundError, ValidationError, parseInput } from './errors.ts';
import { assertUuid, missingRun } from './runs.ts';
import {
  createIterationSchema,
  iterationBatchSchema,
  type CreateIterationInput,
  type IterationFieldsInput,
} from './schemas.ts';
import { inScope, isInsufficientPrivilege, readInScope, type Scope, type Tx } from './scope.ts';
import type { z } from 'zod';

type IterationFields = z.output<typeof iterationBatchSchema>[number];

function toRecord(it: IterationFields) {
  return {
    iteration: it.iteration,
    score: it.score ?? null,
    params: it.params ?? {},
    program_state: it.programState ?? null,
    program_hash: it.programHash ?? null,
    samples_evaluated: it.samplesEvaluated ?? 0,
    latency_ms: it.latencyMs ?? null,
    tokens: it.tokens ?? 0,
    cost_usd: it.costUsd ?? 0,
    duration_ms: it.durationMs ?? null,
  };
}

// One statement for the whole batch: upsert on (run_id, iteration), then link samples
// that were posted before their iteration.
async function upsertIterations(tx: Tx, runId: string, items: IterationFields[]): Promise<OptimizationIteration[]> {
  const rows = await tx<Record<string, unknown>[]>`
    with input as (
      select * from jsonb_to_recordset(${tx.json(items.map(toRecord))}) as x(
        iteration integer, score numeric, params jsonb, program_state jsonb, program_hash text,
        samples_evaluated integer, latency_ms numeric, tokens bigint, cost_usd numeric, duration_ms integer
      )
    ), upserted as (
      insert into optimization_iterations (
        run_id, project_id, iteration, score, params, program_state, program_hash,
        samples_evaluated, latency_ms, tokens, cost_usd, duration_ms
      )
      select r.id, r.project_id, x.iteration, x.score, x.params, x.program_state, x.program_hash,
             x.samples_evaluated, x.latency_ms, x.tokens, x.cost_usd, x.duration_ms
      from input x cross join optimization_runs r
      where r.id = ${runId}
      order by x.iteration
      on conflict (run_id, iteration) do update set
        score = excluded.score,
        params = excluded.params,
        program_state = excluded.program_state,
        program_hash = excluded.program_hash,
        samples_evaluated = excluded.samples_evaluated,
        latency_ms = excluded.latency_ms,
        tokens = excluded.tokens,
        cost_usd = excluded.cost_usd,
        duration_ms = excluded.duration_ms
      returning *
    ), linked as (
      update optimization_samples s set iteration_id = u.id
      from upserted u
      where s.run_id = u.run_id and s.iteration = u.iteration and s.iteration_id is null
    )
    select * from upserted order by iteration
  `;
  if (rows.length === 0) throw await missingRun(tx, runId);
  // is_best is maintained by trigger_mark_best_iteration after each row; read it back
  const best = await tx<{ id: string; is_best: boolean }[]>`
    select id, is_best from optimization_iterations where run_id = ${runId} and id = any(${rows.map((r) => r.id as string)}::uuid[])
  `;
  const isBest = new Map(best.map((b) => [b.id, b.is_best]));
  return rows.map((row) => toDto<OptimizationIteration>({ ...row, is_best: isBest.get(row.id as string) ?? false }));
}

async function writeIterations(scope: Scope, runId: string, items: IterationFields[]): Promise<OptimizationIteration[]> {
  const seen = new Set<number>();
  items.forEach((item, i) => {
    if (seen.has(item.iteration)) {
      throw new ValidationError([{ path: `${i}.iteration`, message: `iteration ${item.iteration} appears twice in the batch` }]);
    }
    seen.add(item.iteration);
  });
  try {
    return await inScope(scope, (tx) => upsertIterations(tx, runId, items));
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await inScope(scope, (tx) => missingRun(tx, runId));
    throw error;
  }
}

export async function createOptimizationIteration(
  scope: Scope,
  input: CreateIterationInput,
): Promise<OptimizationIteration> {
  const { runId, ...fields } = parseInput(createIterationSchema, input);
  const [row] = await writeIterations(scope, runId, [fields]);
  return row!;
}

// All-or-nothing batch of up to 1,000 iterations of one run, upserted on the number.
export async function createOptimizationIterations(
  scope: Scope,
  runId: string,
  input: IterationFieldsInput[],
): Promise<OptimizationIteration[]> {
  assertUuid(runId, 'runId');
  return writeIterations(scope, runId, parseInput(iterationBatchSchema, input));
}

export async function listOptimizationIterations(scope: Scope, runId: string): Promise<OptimizationIteration[]> {
  assertUuid(runId, 'runId');
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select * from optimization_iterations where run_id = ${runId} order by iteration
    `,
  ]);
  if (run.length === 0) throw new NotFoundError('run', runId);
  return toDtos<OptimizationIteration>(rows);
}

// Query pattern 5 of the schema document in one call: the run and its iterations in order,
// read together in one transaction (one round trip), and the best iteration among them
// (is_best, kept on one iteration a run by trigger), so the three agree.
export async function getOptimizationRunWithIterations(
  scope: Scope,
  runId: string,
): Promise<{ run: OptimizationRun; iterations: OptimizationIteration[]; bestIteration: OptimizationIteration | null }> {
  assertUuid(runId, 'runId');
  const [runs, rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`select * from optimization_runs where id = ${runId}`,
    tx<Record<string, unknown>[]>`select * from optimization_iterations where run_id = ${runId} order by iteration`,
  ]);
  if (runs.length === 0) throw new NotFoundError('run', runId);
  const iterations = toDtos<OptimizationIteration>(rows);
  return {
    run: toDto<OptimizationRun>(runs[0]!),
    iterations,
    bestIteration: iterations.find((iteration) => iteration.isBest) ?? null,
  };
}

export async function getBestOptimizationIteration(scope: Scope, runId: string): Promise<OptimizationIteration | null> {
  assertUuid(runId, 'runId');
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select * from optimization_iterations where run_id = ${runId} and is_best = true
    `,
  ]);
  if (run.length === 0) throw new NotFoundError('run', runId);
  return rows[0] ? toDto<OptimizationIteration>(rows[0]) : null;
}
