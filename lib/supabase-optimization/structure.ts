import { valuesPage, type CandidatePoolEntry, type OptimizationCandidate, type OptimizationProposal, type Page, type ParetoSnapshot } from './dto.ts';
import { NotFoundError, ValidationError, parseInput } from './errors.ts';
import { assertUuid, missingRun } from './runs.ts';
import {
  candidateBatchSchema,
  candidatePoolBatchSchema,
  listStructureSchema,
  paretoBatchSchema,
  proposalBatchSchema,
  type CandidateInput,
  type CandidatePoolEntryInput,
  type ListStructureInput,
  type ParetoSnapshotInput,
  type ProposalInput,
} from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectOfRun, readInScope, type Scope, type Tx } from './scope.ts';
import { assertDistinctKeys, lockRunForWrite, upsertChildRows, type ChildTable, type FieldColumn, type UpsertCounts } from './upsert.ts';

// What optimizers build besides evaluations (dspy-contract.md): program candidates with
// their lineage, MIPROv2's candidate pools, GEPA's Pareto fronts and proposals. Each is a
// table of the run keyed by (project, run, key), written in all-or-nothing batches of up
// to 1,000, upserted field by field, and read in key order a page at a time.

const CANDIDATES: ChildTable = {
  table: 'optimization_candidates',
  keys: [{ field: 'candidateId', column: 'candidate_id', type: 'text' }],
  fields: [
    { field: 'parentIds', column: 'parent_ids', type: 'text[]', insertDefault: "'{}'::text[]" },
    { field: 'origin', column: 'origin', type: 'text' },
    { field: 'iteration', column: 'iteration', type: 'integer' },
    { field: 'programState', column: 'program_state', type: 'jsonb' },
    { field: 'programHash', column: 'program_hash', type: 'text' },
    { field: 'score', column: 'score', type: 'numeric' },
    { field: 'rawScore', column: 'raw_score', type: 'double precision' },
    { field: 'instanceScores', column: 'instance_scores', type: 'jsonb' },
    { field: 'budgetUsed', column: 'budget_used', type: 'bigint' },
    { field: 'metadata', column: 'metadata', type: 'jsonb', insertDefault: "'{}'::jsonb" },
  ],
};

const CANDIDATE_POOL: ChildTable = {
  table: 'optimization_candidate_pool',
  keys: [
    { field: 'predictorIndex', column: 'predictor_index', type: 'integer' },
    { field: 'kind', column: 'kind', type: 'text' },
    { field: 'candidateIndex', column: 'candidate_index', type: 'integer' },
  ],
  fields: [
    { field: 'predictorName', column: 'predictor_name', type: 'text' },
    { field: 'text', column: 'text', type: 'text' },
    { field: 'content', column: 'content', type: 'jsonb' },
  ],
};

const PARETO: ChildTable = {
  table: 'optimization_pareto_snapshots',
  keys: [{ field: 'step', column: 'step', type: 'integer' }],
  fields: [
    { field: 'iteration', column: 'iteration', type: 'integer' },
    { field: 'budgetUsed', column: 'budget_used', type: 'bigint' },
    { field: 'front', column: 'front', type: 'jsonb' },
    { field: 'bestScores', column: 'best_scores', type: 'jsonb' },
  ],
};

const PROPOSALS: ChildTable = {
  table: 'optimization_proposals',
  keys: [{ field: 'proposalIndex', column: 'proposal_index', type: 'integer' }],
  fields: [
    { field: 'iteration', column: 'iteration', type: 'integer' },
    { field: 'kind', column: 'kind', type: 'text' },
    { field: 'parentIds', column: 'parent_ids', type: 'text[]' },
    { field: 'candidateId', column: 'candidate_id', type: 'text' },
    { field: 'accepted', column: 'accepted', type: 'boolean' },
    { field: 'reason', column: 'reason', type: 'text' },
    { field: 'predictors', column: 'predictors', type: 'text[]' },
    { field: 'reflectiveDataset', column: 'reflective_dataset', type: 'jsonb' },
    { field: 'prompt', column: 'prompt', type: 'text' },
    { field: 'rawOutput', column: 'raw_output', type: 'text' },
    { field: 'proposedState', column: 'proposed_state', type: 'jsonb' },
    { field: 'subsampleIds', column: 'subsample_ids', type: 'text[]' },
    { field: 'scoresBefore', column: 'scores_before', type: 'double precision[]' },
    { field: 'scoresAfter', column: 'scores_after', type: 'double precision[]' },
    { field: 'budgetUsed', column: 'budget_used', type: 'bigint' },
    { field: 'metadata', column: 'metadata', type: 'jsonb', insertDefault: "'{}'::jsonb" },
  ],
};

async function writeBatch(scope: Scope, spec: ChildTable, runId: string, items: Record<string, unknown>[], what: string): Promise<UpsertCounts> {
  assertUuid(runId, 'runId');
  assertDistinctKeys(items, spec.keys.map((k) => k.field), what);
  const projectId = await projectOfRun(scope, runId);
  try {
    return await inScope(scope, async (tx) => {
      await lockRunForWrite(tx, projectId, runId);
      return upsertChildRows(tx, spec, runId, projectId, items);
    });
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await inScope(scope, (tx) => missingRun(tx, projectId, runId));
    throw error;
  }
}

export async function upsertOptimizationCandidates(scope: Scope, runId: string, input: CandidateInput[]): Promise<UpsertCounts> {
  const items = parseInput(candidateBatchSchema, input);
  return writeBatch(scope, CANDIDATES, runId, items, 'candidate');
}

export async function upsertCandidatePool(scope: Scope, runId: string, input: CandidatePoolEntryInput[]): Promise<UpsertCounts> {
  const items = parseInput(candidatePoolBatchSchema, input);
  return writeBatch(scope, CANDIDATE_POOL, runId, items, 'pool entry');
}

export async function upsertParetoSnapshots(scope: Scope, runId: string, input: ParetoSnapshotInput[]): Promise<UpsertCounts> {
  const items = parseInput(paretoBatchSchema, input);
  return writeBatch(scope, PARETO, runId, items, 'step');
}

export async function upsertOptimizationProposals(scope: Scope, runId: string, input: ProposalInput[]): Promise<UpsertCounts> {
  const items = parseInput(proposalBatchSchema, input);
  return writeBatch(scope, PROPOSALS, runId, items, 'proposal');
}

// The four writers inside the caller's transaction, by API resource name (the demo
// seeder's replay of recorded writes).
const STRUCTURE_WRITES = {
  candidates: { spec: CANDIDATES, schema: candidateBatchSchema, what: 'candidate' },
  'candidate-pool': { spec: CANDIDATE_POOL, schema: candidatePoolBatchSchema, what: 'pool entry' },
  pareto: { spec: PARETO, schema: paretoBatchSchema, what: 'step' },
  proposals: { spec: PROPOSALS, schema: proposalBatchSchema, what: 'proposal' },
} as const;
export type StructureResource = keyof typeof STRUCTURE_WRITES;
export const isStructureResource = (name: string): name is StructureResource => Object.hasOwn(STRUCTURE_WRITES, name);

export async function upsertStructureInTx(
  tx: Tx,
  resource: StructureResource,
  projectId: string,
  runId: string,
  input: unknown[],
): Promise<UpsertCounts> {
  const { spec, schema, what } = STRUCTURE_WRITES[resource];
  assertUuid(runId, 'runId');
  const items = parseInput(schema as typeof candidateBatchSchema, input as CandidateInput[]) as Record<string, unknown>[];
  assertDistinctKeys(items, spec.keys.map((k) => k.field), what);
  await lockRunForWrite(tx, projectId, runId);
  return upsertChildRows(tx, spec, runId, projectId, items);
}

// Lists -----------------------------------------------------------------------------------

// A cursor is the last row's key as a JSON array, checked against the key's types.
function decodeCursor(cursor: string | undefined, keys: FieldColumn[]): unknown[] | null {
  if (cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.length === keys.length &&
    parsed.every((v, i) => (keys[i]!.type === 'integer' ? Number.isInteger(v) && (v as number) >= 0 : typeof v === 'string'));
  if (!ok) throw new ValidationError([{ path: 'cursor', message: 'is not a cursor of this list (use nextCursor)' }]);
  return parsed as unknown[];
}

const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');

async function listChildRows<T>(scope: Scope, spec: ChildTable, input: ListStructureInput): Promise<Page<T>> {
  const { runId, limit, cursor } = parseInput(listStructureSchema, input);
  const after = decodeCursor(cursor, spec.keys);
  const keyList = spec.keys.map((k) => k.column).join(', ');
  // the cursor's values are parameters $3, $4, ... cast to the key's types
  const afterValues = after?.map((_, i) => `$${i + 4}::${spec.keys[i]!.type}`).join(', ');
  const projectId = await projectOfRun(scope, runId);
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    // the primary key (project_id, run_id, key...) gives the order
    tx.unsafe(
      `select * from public.${spec.table}
       where project_id = $3 and run_id = $1
         ${afterValues ? `and (${keyList}) > (${afterValues})` : ''}
       order by ${keyList}
       limit $2`,
      [runId, limit + 1, projectId, ...((after ?? []) as (string | number)[])],
    ).values(),
  ] as const);
  if (run.length === 0) throw new NotFoundError('run', runId);
  const { data, next } = valuesPage<T>(rows as never, limit);
  return { data, nextCursor: next ? encodeCursor(spec.keys.map((k) => next(k.column))) : null };
}

export const listOptimizationCandidates = (scope: Scope, input: ListStructureInput) =>
  listChildRows<OptimizationCandidate>(scope, CANDIDATES, input);
export const listCandidatePool = (scope: Scope, input: ListStructureInput) =>
  listChildRows<CandidatePoolEntry>(scope, CANDIDATE_POOL, input);
export const listParetoSnapshots = (scope: Scope, input: ListStructureInput) =>
  listChildRows<ParetoSnapshot>(scope, PARETO, input);
export const listOptimizationProposals = (scope: Scope, input: ListStructureInput) =>
  listChildRows<OptimizationProposal>(scope, PROPOSALS, input);

export type { UpsertCounts };
