import { toDto, toDtos, type OptimizationIteration, type OptimizationRun } from './dto.ts';
import { NotFoundError, ValidationError, parseInput } from './errors.ts';
import { assertUuid, missingRun } from './runs.ts';
import {
  createIterationSchema,
  iterationBatchSchema,
  type CreateIterationInput,
  type EvalKind,
  type IterationFieldsInput,
} from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectOfRun, readInScope, type Scope, type Tx } from './scope.ts';
import { assertDistinctKeys, columns, lockRunForWrite, upsertChildRows, type ChildTable } from './upsert.ts';
import type { z } from 'zod';

type IterationFields = z.output<typeof iterationBatchSchema>[number];

// The API's fields and their columns. tokens / costUsd are what the client reported; the
// trigger trigger_effective_iteration_usage makes the row's tokens / cost_usd from them or,
// when none was reported, from the iteration's samples.
const ITERATIONS: ChildTable = {
  table: 'optimization_iterations',
  keys: columns({ iteration: 'integer' }),
  fields: columns({
    score: 'numeric',
    params: { type: 'jsonb', insertDefault: "'{}'::jsonb" },
    programState: 'jsonb',
    programHash: 'text',
    samplesEvaluated: { type: 'integer', insertDefault: '0' },
    latencyMs: 'numeric',
    tokens: { type: 'bigint', column: 'reported_tokens' },
    costUsd: { type: 'numeric', column: 'reported_cost_usd' },
    durationMs: 'integer',
    evalKind: 'text',
    rawScore: 'double precision',
    scoreScale: 'double precision',
    selected: { type: 'boolean', column: 'is_selected', insertDefault: 'false' },
    candidateId: 'text',
    parentCandidateIds: 'text[]',
    trial: 'integer',
    budgetUsed: 'bigint',
    elapsedMs: 'bigint',
    dataset: 'text',
    usageByRole: 'jsonb',
  }),
};

// Samples posted before their iteration are linked to it once it exists.
const LINK_SAMPLES = `
  update public.optimization_samples s set iteration_id = i.id
  from inserted i
  where s.project_id = $3 and s.run_id = i.run_id and s.iteration = i.iteration and s.iteration_id is null
`;

// One statement for the batch, field by field, then the rows as the triggers left them
// (is_best, tokens and cost_usd are theirs).
async function upsertIterations(tx: Tx, projectId: string, runId: string, items: IterationFields[]): Promise<OptimizationIteration[]> {
  await lockRunForWrite(tx, projectId, runId);
  await upsertChildRows(tx, ITERATIONS, runId, projectId, items, LINK_SAMPLES);
  const rows = await tx<Record<string, unknown>[]>`
    select * from optimization_iterations
    where project_id = ${projectId} and run_id = ${runId} and iteration = any(${items.map((i) => i.iteration)}::int[])
    order by iteration
  `;
  return toDtos<OptimizationIteration>(rows);
}

// Clients that name the kind only in params (eval_type, minibatch, full_eval, as older
// optimizers log it) get it stored in eval_kind, the one column the best-iteration rule and
// the dashboard read; an evalKind sent (null included) wins.
function evalKindOfParams(params: unknown): EvalKind | null {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return null;
  const p = params as Record<string, unknown>;
  const type = p.eval_type ?? p.evalType;
  if (type === 'minibatch' || type === 'full') return type;
  const full = p.full_eval ?? p.fullEval;
  if (typeof p.minibatch === 'boolean') return p.minibatch ? 'minibatch' : 'full';
  if (typeof full === 'boolean') return full ? 'full' : 'minibatch';
  return null;
}

function withKindFromParams(items: IterationFields[]): IterationFields[] {
  return items.map((item) => {
    if (item.evalKind !== undefined) return item;
    const kind = evalKindOfParams(item.params);
    return kind ? { ...item, evalKind: kind } : item;
  });
}

function checkIterationBatch(items: IterationFields[]): void {
  assertDistinctKeys(items, ['iteration'], 'iteration');
  const selected = items.filter((item) => item.selected === true);
  if (selected.length > 1) {
    throw new ValidationError([
      { path: `${items.indexOf(selected[1]!)}.selected`, message: 'at most one iteration of a run is selected; the batch selects several' },
    ]);
  }
}

// createOptimizationIterations inside the caller's transaction (the demo seeder's replay).
export async function upsertIterationsInTx(
  tx: Tx,
  projectId: string,
  runId: string,
  input: IterationFieldsInput[],
): Promise<OptimizationIteration[]> {
  assertUuid(runId, 'runId');
  const items = withKindFromParams(parseInput(iterationBatchSchema, input));
  checkIterationBatch(items);
  return upsertIterations(tx, projectId, runId, items);
}

async function writeIterations(scope: Scope, runId: string, parsed: IterationFields[]): Promise<OptimizationIteration[]> {
  const items = withKindFromParams(parsed);
  checkIterationBatch(items);
  const projectId = await projectOfRun(scope, runId);
  try {
    return await inScope(scope, (tx) => upsertIterations(tx, projectId, runId, items));
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await inScope(scope, (tx) => missingRun(tx, projectId, runId));
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
  const projectId = await projectOfRun(scope, runId);
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select * from optimization_iterations where project_id = ${projectId} and run_id = ${runId} order by iteration
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
  const projectId = await projectOfRun(scope, runId);
  const [runs, rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`select * from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select * from optimization_iterations where project_id = ${projectId} and run_id = ${runId} order by iteration
    `,
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
  const projectId = await projectOfRun(scope, runId);
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select * from optimization_iterations where project_id = ${projectId} and run_id = ${runId} and is_best = true
    `,
  ]);
  if (run.length === 0) throw new NotFoundError('run', runId);
  return rows[0] ? toDto<OptimizationIteration>(rows[0]) : null;
}
