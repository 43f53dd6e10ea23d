import { z } from 'zod';
import {
  API_KEY_SCOPES,
  CANDIDATE_ORIGINS,
  DATASETS,
  EVAL_KINDS,
  POOL_KINDS,
  PROJECT_ROLES,
  PROPOSAL_KINDS,
  RUN_STATUSES,
  jsonObjectSchema,
  jsonValueSchema,
  savedViewDefinitionSchema,
} from './schemas.ts';

// What the data layer returns, as zod schemas: the TypeScript DTO types are inferred from
// them and the OpenAPI document's response schemas generated from them, so the two cannot
// drift (tests/http/openapi.test.ts validates real responses against the document).

const timestamp = z.string().meta({ format: 'date-time' });
const uuid = z.string().meta({ format: 'uuid' });
const int = z.number().int();
const json = jsonValueSchema.nullable();
const runStatus = z.enum(RUN_STATUSES);

export const runDtoSchema = z.object({
  id: uuid,
  projectId: z.string(),
  runName: z.string(),
  description: z.string().nullable(),
  optimizerType: z.string().meta({ examples: ['miprov2'] }),
  status: runStatus,
  config: jsonObjectSchema,
  metadata: jsonObjectSchema,
  tags: z.array(z.string()),
  errorMessage: z.string().nullable(),
  startedAt: timestamp.nullable(),
  endedAt: timestamp.nullable(),
  durationMs: int.nullable(),
  initialScore: z.number().nullable(),
  finalScore: z.number().nullable(),
  bestScore: z.number().nullable(),
  improvement: z.number().nullable(),
  improvementPct: z.number().nullable(),
  iterations: int,
  samplesEvaluated: int,
  samplesSuccessful: int,
  samplesFailed: int,
  totalTokens: int,
  totalCostUsd: z.number(),
  avgLatencyMs: z.number().nullable(),
  createdBy: uuid.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const iterationDtoSchema = z.object({
  id: uuid,
  runId: uuid,
  projectId: z.string(),
  iteration: int,
  score: z.number().nullable(),
  isBest: z.boolean(),
  params: jsonObjectSchema,
  programState: json,
  programHash: z.string().nullable(),
  samplesEvaluated: int,
  latencyMs: z.number().nullable(),
  tokens: int.describe('What the client reported, else the sum of the iteration\'s samples'),
  costUsd: z.number(),
  durationMs: int.nullable(),
  evalKind: z.enum(EVAL_KINDS).nullable(),
  rawScore: z.number().nullable(),
  scoreScale: z.number().nullable(),
  isSelected: z.boolean().describe('Set with the input field `selected`; at most one a run'),
  candidateId: z.string().nullable(),
  parentCandidateIds: z.array(z.string()).nullable(),
  trial: int.nullable(),
  budgetUsed: int.nullable(),
  elapsedMs: int.nullable(),
  dataset: z.enum(DATASETS).nullable(),
  usageByRole: jsonObjectSchema.nullable(),
  reportedTokens: int.nullable().describe('tokens as the client reported them'),
  reportedCostUsd: z.number().nullable(),
  sampleTokens: int.describe("The sum of the iteration's samples' tokens"),
  sampleCostUsd: z.number(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const sampleDtoSchema = z.object({
  id: int,
  runId: uuid,
  projectId: z.string(),
  iteration: int,
  iterationId: uuid.nullable(),
  sampleIndex: int,
  input: json,
  output: json,
  expected: json,
  score: z.number().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number().nullable(),
  tokens: int,
  costUsd: z.number(),
  programHash: z.string().nullable(),
  metadata: jsonObjectSchema,
  createdAt: timestamp,
  exampleId: z.string().nullable(),
  feedback: z.string().nullable(),
});

// the keys and times every stored structure row carries
const structureRow = { projectId: z.string(), runId: uuid, createdAt: timestamp, updatedAt: timestamp };

export const candidateDtoSchema = z.object({
  ...structureRow,
  candidateId: z.string(),
  parentIds: z.array(z.string()),
  origin: z.enum(CANDIDATE_ORIGINS).nullable(),
  iteration: int.nullable(),
  programState: json,
  programHash: z.string().nullable(),
  score: z.number().nullable(),
  rawScore: z.number().nullable(),
  instanceScores: z.record(z.string(), z.number()).nullable(),
  budgetUsed: int.nullable(),
  metadata: jsonObjectSchema,
});

export const candidatePoolEntryDtoSchema = z.object({
  ...structureRow,
  predictorIndex: int,
  predictorName: z.string(),
  kind: z.enum(POOL_KINDS),
  candidateIndex: int,
  text: z.string().nullable(),
  content: json,
});

export const paretoSnapshotDtoSchema = z.object({
  ...structureRow,
  step: int,
  iteration: int.nullable(),
  budgetUsed: int.nullable(),
  front: z.record(z.string(), z.array(z.string())),
  bestScores: z.record(z.string(), z.number()).nullable(),
});

export const proposalDtoSchema = z.object({
  ...structureRow,
  proposalIndex: int,
  iteration: int.nullable(),
  kind: z.enum(PROPOSAL_KINDS),
  parentIds: z.array(z.string()),
  candidateId: z.string().nullable(),
  accepted: z.boolean(),
  reason: z.string().nullable(),
  predictors: z.array(z.string()).nullable(),
  reflectiveDataset: json,
  prompt: z.string().nullable(),
  rawOutput: z.string().nullable(),
  proposedState: json,
  subsampleIds: z.array(z.string()).nullable(),
  scoresBefore: z.array(z.number()).nullable(),
  scoresAfter: z.array(z.number()).nullable(),
  budgetUsed: int.nullable(),
  metadata: jsonObjectSchema,
});

export const runSummaryDtoSchema = runDtoSchema
  .omit({ id: true, description: true, config: true, metadata: true, errorMessage: true, createdBy: true })
  .extend({
    runId: uuid,
    bestIteration: int.nullable(),
    bestIterationScore: z.number().nullable(),
    successRate: z.number().nullable(),
  });

export const topRunDtoSchema = runDtoSchema.pick({
  id: true,
  runName: true,
  optimizerType: true,
  status: true,
  tags: true,
  initialScore: true,
  finalScore: true,
  bestScore: true,
  improvement: true,
  improvementPct: true,
  iterations: true,
  totalCostUsd: true,
  durationMs: true,
  createdAt: true,
});

export const analyticsRowDtoSchema = z.object({
  projectId: z.string(),
  optimizerType: z.string(),
  status: runStatus,
  runCount: int,
  completedRuns: int,
  avgFinalScore: z.number().nullable(),
  bestFinalScore: z.number().nullable(),
  avgImprovement: z.number().nullable(),
  totalCostUsd: z.number(),
  totalTokens: int,
  totalIterations: int,
  avgDurationMs: z.number().nullable(),
  firstRunAt: timestamp,
  lastRunAt: timestamp,
});

export const projectAnalyticsDtoSchema = z.object({ rows: z.array(analyticsRowDtoSchema), lastRefreshedAt: timestamp.nullable() });

export const refreshResultDtoSchema = z.object({
  refreshed: z.boolean(),
  refreshedAt: timestamp.nullable(),
  durationMs: int.nullable(),
  retryAfterSeconds: int.nullable().describe('When not refreshed: seconds until a refresh may start'),
});

const projectRole = z.enum(PROJECT_ROLES);

export const projectDtoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  role: projectRole,
  createdAt: timestamp,
});

export const projectMemberDtoSchema = z.object({ userId: uuid, email: z.string(), role: projectRole, createdAt: timestamp });

export const apiKeyDtoSchema = z.object({
  id: uuid,
  projectId: z.string(),
  name: z.string(),
  keyPrefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdBy: uuid.nullable(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});

export const runNoteDtoSchema = z.object({ runId: uuid, body: z.string(), updatedBy: uuid.nullable(), updatedAt: timestamp });

export const RUN_CHANGE_FIELDS = ['run_name', 'tags', 'status', 'note'] as const;
export const runChangeDtoSchema = z.object({
  id: int,
  runId: uuid,
  field: z.enum(RUN_CHANGE_FIELDS),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  changedBy: uuid.nullable(),
  changedByEmail: z.string().nullable().describe('The member\'s email when a signed-in member made the change'),
  apiKeyId: uuid.nullable(),
  changedAt: timestamp,
});

export const savedViewDtoSchema = z.object({
  id: uuid,
  projectId: z.string(),
  name: z.string(),
  definition: savedViewDefinitionSchema,
  createdBy: uuid.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const runActivityDtoSchema = z.object({ runId: uuid, lastWriteAt: timestamp, stalled: z.boolean() });

export const runStarDtoSchema = z.object({ runId: uuid, starred: z.boolean() });

export const upsertCountsDtoSchema = z.object({ inserted: int, updated: int });

const groupPoint = z.object({
  iteration: int,
  mean: z.number(),
  sd: z.number().describe("Sample standard deviation across the group's runs at this iteration (0 with one run)"),
  min: z.number(),
  max: z.number(),
  runs: int,
});
export const groupedCurvesDtoSchema = z.object({
  groupBy: z.string(),
  smoothing: z.number(),
  runs: int,
  truncated: z.boolean().describe('More runs matched than maxRuns: the first maxRuns are shown'),
  groups: z.array(z.object({ key: z.string(), runs: int, points: z.array(groupPoint) })),
  omittedGroups: int.describe('Groups past the most shown (fewest runs) left out of `groups`'),
});

const configKeyImportance = z.object({
  key: z.string(),
  type: z.enum(['number', 'string', 'boolean', 'mixed']),
  groups: int,
  runs: int,
  etaSquared: z.number().nullable(),
  epsilonSquared: z.number().nullable(),
});
const parallelRun = z.object({
  runId: uuid,
  runName: z.string(),
  finalScore: z.number(),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export const configImportanceDtoSchema = z.object({
  runs: int,
  truncated: z.boolean(),
  keys: z.array(configKeyImportance),
  parallel: z.object({ keys: z.array(z.string()), runs: z.array(parallelRun) }),
});

// A page of a list: its items and the cursor of the next page.
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export const runPageDtoSchema = pageOf(runDtoSchema).extend({
  total: int.describe('Runs matching the filters: exact with only status and optimizerType filters, else counted up to RUN_COUNT_CAP'),
  totalIsExact: z.boolean().describe('false when total is a lower bound'),
});

export type RunStatus = z.output<typeof runStatus>;
export type ProjectRole = z.output<typeof projectRole>;
export type OptimizationRun = z.output<typeof runDtoSchema>;
export type OptimizationIteration = z.output<typeof iterationDtoSchema>;
export type OptimizationSample = z.output<typeof sampleDtoSchema>;
export type OptimizationCandidate = z.output<typeof candidateDtoSchema>;
export type CandidatePoolEntry = z.output<typeof candidatePoolEntryDtoSchema>;
export type ParetoSnapshot = z.output<typeof paretoSnapshotDtoSchema>;
export type OptimizationProposal = z.output<typeof proposalDtoSchema>;
export type OptimizationRunSummary = z.output<typeof runSummaryDtoSchema>;
export type TopRun = z.output<typeof topRunDtoSchema>;
export type AnalyticsRow = z.output<typeof analyticsRowDtoSchema>;
export type ProjectAnalytics = z.output<typeof projectAnalyticsDtoSchema>;
export type RefreshResult = z.output<typeof refreshResultDtoSchema>;
export type Project = z.output<typeof projectDtoSchema>;
export type ProjectMember = z.output<typeof projectMemberDtoSchema>;
export type ApiKey = z.output<typeof apiKeyDtoSchema>;
export type RunNote = z.output<typeof runNoteDtoSchema>;
export type RunChange = z.output<typeof runChangeDtoSchema>;
export type SavedView = z.output<typeof savedViewDtoSchema>;
export type RunActivity = z.output<typeof runActivityDtoSchema>;
export type UpsertCounts = z.output<typeof upsertCountsDtoSchema>;
export type GroupedCurves = z.output<typeof groupedCurvesDtoSchema>;
export type RunGroup = GroupedCurves['groups'][number];
export type GroupPoint = RunGroup['points'][number];
export type ConfigImportance = z.output<typeof configImportanceDtoSchema>;
export type ConfigKeyImportance = ConfigImportance['keys'][number];
export type ParallelRun = ConfigImportance['parallel']['runs'][number];

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type RunPage = z.output<typeof runPageDtoSchema>;
