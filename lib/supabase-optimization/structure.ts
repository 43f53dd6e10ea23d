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
import { assertDistinctKeys, columns, lockRunForWrite, upsertChildRows, type ChildTable, type FieldColumn, type UpsertCounts } from './upsert.ts';

// What optimizers build besides evaluations (dspy-contract.md): program candidates with
// their lineage, MIPROv2's candidate pools, GEPA's Pareto fronts and proposals. Each is a
// table of the run keyed by (project, run, key), written in all-or-nothing batches of up
// to 1,000, upserted field by field, and read in key order a page at a time.

const CANDIDATES: ChildTable = {
  table: 'optimization_candidates',
  keys: columns({ candidateId: 'text' }),
  fields: columns({
    parentIds: { type: 'text[]', insertDefault: "'{}'::text[]" },
    origin: 'text',
    iteration: 'integer',
    programState: 'jsonb',
    programHash: 'text',
    score: 'numeric',
    rawScore: 'double precision',
    instanceScores: 'jsonb',
    budgetUsed: 'bigint',
    metadata: { type: 'jsonb', insertDefault: "'{}'::jsonb" },
  }),
};

const CANDIDATE_POOL: ChildTable = {
  table: 'optimization_candidate_pool',
  keys: columns({
    predictorIndex: 'integer',
    kind: 'text',
    candidateIndex: 'integer',
  }),
  fields: columns({
    predictorName: 'text',
    text: 'text',
    content: 'jsonb',
  }),
};

const PARETO: ChildTable = {
  table: 'optimization_pareto_snapshots',
  keys: columns({ step: 'integer' }),
  fields: columns({
    iteration: 'integer',
    budgetUsed: 'bigint',
    front: 'jsonb',
    bestScores: 'jsonb',
  }),
};

const PROPOSALS: ChildTable = {
  table: 'optimization_proposals',
  keys: columns({ proposalIndex: 'integer' }),
  fields: columns({
    iteration: 'integer',
    kind: 'text',
    parentIds: 'text[]',
    candidateId: 'text',
    accepted: 'boolean',
    reason: 'text',
    predictors: 'text[]',
    reflectiveDataset: 'jsonb',
    prompt: 'text',
    rawOutput: 'text',
    proposedState: 'jsonb',
    subsampleIds: 'text[]',
    scoresBefore: 'double precision[]',
    scoresAfter: 'double precision[]',
    budgetUsed: 'bigint',
    metadata: { type: 'jsonb', insertDefault: "'{}'::jsonb" },
  }),
};

// The four writers by API resource name, each with the schema of its batch.
const STRUCTURE_WRITES = {
  candidates: { spec: CANDIDATES, schema: candidateBatchSchema, what: 'candidate' },
  'candidate-pool': { spec: CANDIDATE_POOL, schema: candidatePoolBatchSchema, what: 'pool entry' },
  pareto: { spec: PARETO, schema: paretoBatchSchema, what: 'step' },
  proposals: { spec: PROPOSALS, schema: proposalBatchSchema, what: 'proposal' },
} as const;
export type StructureResource = keyof typeof STRUCTURE_WRITES;
export const isStructureResource = (name: string): name is StructureResource => Object.hasOwn(STRUCTURE_WRITES, name);

function parseBatch(resource: StructureResource, runId: string, input: unknown[]) {
  const { spec, schema, what } = STRUCTURE_WRITES[resource];
  assertUuid(runId, 'runId');
  const items = parseInput(schema as typeof candidateBatchSchema, input as CandidateInput[]) as Record<string, unknown>[];
  assertDistinctKeys(items, spec.keys.map((k) => k.field), what);
  return { spec, items };
}

async function writeParsed(tx: Tx, spec: ChildTable, projectId: string, runId: string, items: Record<string, unknown>[]): Promise<UpsertCounts> {
  await lockRunForWrite(tx, projectId, runId);
  return upsertChildRows(tx, spec, runId, projectId, items);
}

async function writeBatch(scope: Scope, resource: StructureResource, runId: string, input: unknown[]): Promise<UpsertCounts> {
  const { spec, items } = parseBatch(resource, runId, input);
  const projectId = await projectOfRun(scope, runId);
  try {
    return await inScope(scope, (tx) => writeParsed(tx, spec, projectId, runId, items));
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await inScope(scope, (tx) => missingRun(tx, projectId, runId));
    throw error;
  }
}

export const upsertOptimizationCandidates = (scope: Scope, runId: string, input: CandidateInput[]) => writeBatch(scope, 'candidates', runId, input);
export const upsertCandidatePool = (scope: Scope, runId: string, input: CandidatePoolEntryInput[]) => writeBatch(scope, 'candidate-pool', runId, input);
export const upsertParetoSnapshots = (scope: Scope, runId: string, input: ParetoSnapshotInput[]) => writeBatch(scope, 'pareto', runId, input);
export const upsertOptimizationProposals = (scope: Scope, runId: string, input: ProposalInput[]) => writeBatch(scope, 'proposals', runId, input);

// A batch inside the caller's transaction (the demo seeder's replay of recorded writes).
export async function upsertStructureInTx(tx: Tx, resource: StructureResource, projectId: string, runId: string, input: unknown[]): Promise<UpsertCounts> {
  const { spec, items } = parseBatch(resource, runId, input);
  return writeParsed(tx, spec, projectId, runId, items);
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
