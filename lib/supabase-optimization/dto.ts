import type { JsonObject, JsonValue } from './schemas.ts';

// snake_case rows to camelCase DTOs: timestamps as ISO strings (NUMERIC and BIGINT
// already arrive as numbers, see lib/db/client.ts).
export function toDto<T>(row: Record<string, unknown>, omit?: string): T {
  return objectConverter(Object.keys(row), omit)(row) as T;
}

// toDto for every row of one result: the rows share their columns (postgres.js builds each
// from the statement's columns), so the first row's columns serve them all.
export function toDtos<T>(rows: readonly Record<string, unknown>[], omit?: string): T[] {
  if (rows.length === 0) return [];
  const convert = objectConverter(Object.keys(rows[0]!), omit);
  return rows.map((row) => convert(row) as T);
}

// toDtos for rows read with .values() (arrays in the order of `columns`): postgres.js makes
// an object row with a run's 29 columns a slow dictionary-mode object (bench/RESULTS.md).
export function valuesToDtos<T>(rows: readonly (readonly unknown[])[], columns: readonly { name: string }[], omit?: string): T[] {
  if (rows.length === 0) return [];
  const fields = fieldsOf(columns.map((c) => c.name), omit);
  return rows.map((row) => {
    const dto: Record<string, unknown> = {};
    for (const { index, name } of fields) dto[name] = isoDates(row[index]);
    return dto as T;
  });
}

// One page of a list read with .values() and limit + 1 rows (the extra row says that a next
// page exists): the page's DTOs, and the last row's values by column name for the next
// page's cursor. The result is emptied so minor GCs need not keep it (bench/RESULTS.md).
export function valuesPage<T>(
  rows: unknown[][] & { columns: readonly { name: string }[] },
  limit: number,
  omit?: string,
): { data: T[]; next: ((column: string) => unknown) | null } {
  const columns = rows.columns;
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  const data = valuesToDtos<T>(page, columns, omit);
  rows.length = 0;
  return { data, next: last ? (column) => last[columns.findIndex((c) => c.name === column)] : null };
}

// Columns the data layer keeps for itself and never shows (a run's create digest).
const INTERNAL_COLUMNS = new Set(['create_digest']);

interface Field {
  index: number;
  column: string;
  name: string;
}

// The shown columns of a column list with their DTO names, worked out once per list (the
// data layer's queries have a few dozen).
const fieldLists = new Map<string, Field[]>();

function fieldsOf(columns: readonly string[], omit?: string): Field[] {
  // PostgreSQL names hold no NUL
  const id = `${omit ?? ''}\0${columns.join('\0')}`;
  let fields = fieldLists.get(id);
  if (fields === undefined) {
    fields = columns.flatMap((column, index) =>
      column === omit || INTERNAL_COLUMNS.has(column) ? [] : [{ index, column, name: camelKey(column) }],
    );
    if (fieldLists.size < 1000) fieldLists.set(id, fields);
  }
  return fields;
}

function objectConverter(columns: readonly string[], omit?: string): (row: Record<string, unknown>) => Record<string, unknown> {
  const fields = fieldsOf(columns, omit);
  return (row) => {
    const dto: Record<string, unknown> = {};
    for (const { column, name } of fields) dto[name] = isoDates(row[column]);
    return dto;
  };
}

function isoDates(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

// Never "__proto__" (an underscore before a lowercase letter goes), so a DTO key cannot set
// the prototype.
function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type ProjectRole = 'owner' | 'admin' | 'member' | 'viewer';

export interface OptimizationRun {
  id: string;
  projectId: string;
  runName: string;
  description: string | null;
  optimizerType: string;
  status: RunStatus;
  config: JsonObject;
  metadata: JsonObject;
  tags: string[];
  errorMessage: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  initialScore: number | null;
  finalScore: number | null;
  bestScore: number | null;
  improvement: number | null;
  improvementPct: number | null;
  iterations: number;
  samplesEvaluated: number;
  samplesSuccessful: number;
  samplesFailed: number;
  totalTokens: number;
  totalCostUsd: number;
  avgLatencyMs: number | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OptimizationIteration {
  id: string;
  runId: string;
  projectId: string;
  iteration: number;
  score: number | null;
  isBest: boolean;
  params: JsonObject;
  programState: JsonValue | null;
  programHash: string | null;
  samplesEvaluated: number;
  latencyMs: number | null;
  // what the client reported, else the sum of the iteration's samples
  tokens: number;
  costUsd: number;
  durationMs: number | null;
  evalKind: 'full' | 'minibatch' | null;
  rawScore: number | null;
  scoreScale: number | null;
  isSelected: boolean;
  candidateId: string | null;
  parentCandidateIds: string[] | null;
  trial: number | null;
  budgetUsed: number | null;
  elapsedMs: number | null;
  dataset: 'train' | 'val' | 'test' | null;
  usageByRole: JsonObject | null;
  reportedTokens: number | null;
  reportedCostUsd: number | null;
  sampleTokens: number;
  sampleCostUsd: number;
  createdAt: string;
  updatedAt: string;
}

export interface OptimizationSample {
  id: number;
  runId: string;
  projectId: string;
  iteration: number;
  iterationId: string | null;
  sampleIndex: number;
  input: JsonValue;
  output: JsonValue | null;
  expected: JsonValue | null;
  score: number | null;
  error: string | null;
  latencyMs: number | null;
  tokens: number;
  costUsd: number;
  programHash: string | null;
  metadata: JsonObject;
  createdAt: string;
  exampleId: string | null;
  feedback: string | null;
}

export interface OptimizationCandidate {
  projectId: string;
  runId: string;
  candidateId: string;
  parentIds: string[];
  origin: 'seed' | 'reflective' | 'merge' | 'bootstrap' | 'trial' | 'other' | null;
  iteration: number | null;
  programState: JsonValue | null;
  programHash: string | null;
  score: number | null;
  rawScore: number | null;
  instanceScores: Record<string, number> | null;
  budgetUsed: number | null;
  metadata: JsonObject;
  createdAt: string;
  updatedAt: string;
}

export interface CandidatePoolEntry {
  projectId: string;
  runId: string;
  predictorIndex: number;
  predictorName: string;
  kind: 'instruction' | 'demos';
  candidateIndex: number;
  text: string | null;
  content: JsonValue | null;
  createdAt: string;
  updatedAt: string;
}

export interface ParetoSnapshot {
  projectId: string;
  runId: string;
  step: number;
  iteration: number | null;
  budgetUsed: number | null;
  front: Record<string, string[]>;
  bestScores: Record<string, number> | null;
  createdAt: string;
  updatedAt: string;
}

export interface OptimizationProposal {
  projectId: string;
  runId: string;
  proposalIndex: number;
  iteration: number | null;
  kind: 'reflective' | 'merge';
  parentIds: string[];
  candidateId: string | null;
  accepted: boolean;
  reason: string | null;
  predictors: string[] | null;
  reflectiveDataset: JsonValue | null;
  prompt: string | null;
  rawOutput: string | null;
  proposedState: JsonValue | null;
  subsampleIds: string[] | null;
  scoresBefore: number[] | null;
  scoresAfter: number[] | null;
  budgetUsed: number | null;
  metadata: JsonObject;
  createdAt: string;
  updatedAt: string;
}

export interface OptimizationRunSummary {
  runId: string;
  projectId: string;
  runName: string;
  optimizerType: string;
  status: RunStatus;
  tags: string[];
  initialScore: number | null;
  finalScore: number | null;
  bestScore: number | null;
  improvement: number | null;
  improvementPct: number | null;
  iterations: number;
  bestIteration: number | null;
  bestIterationScore: number | null;
  samplesEvaluated: number;
  samplesSuccessful: number;
  samplesFailed: number;
  successRate: number | null;
  totalTokens: number;
  totalCostUsd: number;
  avgLatencyMs: number | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface TopRun {
  id: string;
  runName: string;
  optimizerType: string;
  status: RunStatus;
  tags: string[];
  initialScore: number | null;
  finalScore: number | null;
  bestScore: number | null;
  improvement: number | null;
  improvementPct: number | null;
  iterations: number;
  totalCostUsd: number;
  durationMs: number | null;
  createdAt: string;
}

export interface AnalyticsRow {
  projectId: string;
  optimizerType: string;
  status: RunStatus;
  runCount: number;
  completedRuns: number;
  avgFinalScore: number | null;
  bestFinalScore: number | null;
  avgImprovement: number | null;
  totalCostUsd: number;
  totalTokens: number;
  totalIterations: number;
  avgDurationMs: number | null;
  firstRunAt: string;
  lastRunAt: string;
}

export interface Project {
  id: string;
  name: string;
  description: string | null;
  role: ProjectRole;
  createdAt: string;
}

export interface ProjectMember {
  userId: string;
  email: string;
  role: ProjectRole;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  projectId: string;
  name: string;
  keyPrefix: string;
  scopes: Array<'read' | 'write'>;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface RunPage extends Page<OptimizationRun> {
  // exact when the filter is only project, status and optimizer type (from the run
  // counts); with any other filter, exact up to 1,000 (RUN_COUNT_CAP), past it the cap
  // with totalIsExact = false
  total: number;
  totalIsExact: boolean;
}
