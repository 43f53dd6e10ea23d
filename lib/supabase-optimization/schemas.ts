import { z } from 'zod';

// Input schemas of the data layer. Shared by server actions, forms, the HTTP API and
// its OpenAPI document, so they carry the descriptions the docs show.

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export const PROJECT_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export const API_KEY_SCOPES = ['read', 'write'] as const;
export const RUN_ORDER_COLUMNS = [
  'created_at', 'final_score', 'improvement', 'duration_ms', 'total_cost_usd', 'run_name', 'status', 'optimizer_type',
] as const;
// the ordered columns that are never NULL (text sorts in byte order)
export const RUN_ORDER_TEXT_COLUMNS = ['run_name', 'status', 'optimizer_type'] as const;

export const MAX_JSON_DEPTH = 20;
export const MAX_SAMPLES_PER_BATCH = 5000;
export const MAX_ITERATIONS_PER_BATCH = 1000;
export const MAX_PAGE_SIZE = 200;
export const MAX_STRUCTURE_PER_BATCH = 1000;
export const DEFAULT_LEADERBOARD_LIMIT = 10;
export const MAX_LEADERBOARD_LIMIT = 100;
// the newest changes of a run that its audit shows
export const RUN_CHANGES_SHOWN = 100;
export const EVAL_KINDS = ['full', 'minibatch'] as const;
export type EvalKind = (typeof EVAL_KINDS)[number];
export const DATASETS = ['train', 'val', 'test'] as const;
export const CANDIDATE_ORIGINS = ['seed', 'reflective', 'merge', 'bootstrap', 'trial', 'other'] as const;
export const POOL_KINDS = ['instruction', 'demos'] as const;
export const PROPOSAL_KINDS = ['reflective', 'merge'] as const;

const NUL = '\u0000';

// One rule for all text: PostgreSQL text and jsonb cannot hold NUL characters, and an
// unpaired UTF-16 surrogate has no UTF-8 form (the driver would store U+FFFD instead).
export function textProblem(s: string): string | null {
  if (s.includes(NUL)) return 'must not contain NUL (\\u0000) characters';
  return s.isWellFormed() ? null : 'must not contain unpaired UTF-16 surrogates (invalid Unicode)';
}

const text = (max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .superRefine((s, ctx) => {
      const problem = textProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const nonEmptyText = (max: number) =>
  text(max).refine((s) => s.trim().length > 0, { message: 'must not be empty' });

// "__proto__" is legal JSON but not a safe key anywhere an object is built from it (an
// assignment changes the object's prototype): refused, never silently dropped.
export const FORBIDDEN_KEY = '__proto__';

interface JsonIssue {
  path: (string | number)[];
  message: string;
}

function jsonProblem(value: unknown, depth: number, path: (string | number)[]): JsonIssue | null {
  if (depth > MAX_JSON_DEPTH) return { path, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, message: problem } : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, message: 'must contain only finite numbers' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], depth + 1, [...path, i]);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === FORBIDDEN_KEY) return { path: [...path, key], message: `"${FORBIDDEN_KEY}" is not accepted as a key` };
      const keyProblem = textProblem(key);
      if (keyProblem) return { path, message: `${keyProblem} in keys` };
      const problem = jsonProblem((value as Record<string, unknown>)[key], depth + 1, [...path, key]);
      if (problem) return problem;
    }
    return null;
  }
  return { path, message: 'must be JSON' };
}

function addJsonIssue(value: unknown, ctx: z.RefinementCtx): void {
  const problem = jsonProblem(value, 1, []);
  if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const jsonValueSchema = z.unknown().superRefine((value, ctx) => {
  if (value !== undefined) addJsonIssue(value, ctx);
}) as unknown as z.ZodType<JsonValue>;

// Checked before z.record rebuilds the object, which would drop a "__proto__" key unseen.
export const jsonObjectSchema = z.preprocess((value, ctx) => {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) addJsonIssue(value, ctx);
  return value;
}, z.record(z.string(), z.unknown())) as unknown as z.ZodType<JsonObject>;

const score = z.number().min(0, { message: 'must be between 0 and 1' }).max(1, { message: 'must be between 0 and 1' });
const count = z.number().int().min(0).max(2_147_483_647);
const bigCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const money = z.number().min(0).max(99_999_999);
const millis = z.number().min(0).max(9_999_999_999);
const timestamp = z.iso.datetime({ offset: true });
const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const rawScore = finite.describe('The score on the optimizer\'s own scale (84.0 for DSPy\'s 84 %)');
const scoreScale = z.number().gt(0, { message: 'must be greater than 0' }).max(1e15).describe('100 for DSPy percentages, 1 otherwise');
const candidateId = nonEmptyText(128);
const candidateIds = z.array(candidateId).max(1000);
const exampleId = nonEmptyText(200);
const budget = bigCount.describe('Metric calls used so far');
// {"<role>": {"model", "calls", "inputTokens", "outputTokens", "costUsd"}}: usage during this iteration
const roleUsageSchema = z
  .object({
    model: text(200).nullish(),
    calls: bigCount.optional(),
    inputTokens: bigCount.optional(),
    outputTokens: bigCount.optional(),
    costUsd: money.optional(),
  })
  .strict();
const usageByRoleSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, { message: 'roles are lowercase words ("task", "proposer", "reflection")' }), roleUsageSchema)
  .refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 roles' });

export const projectIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{2,62}$/, {
    message: 'must be 3–63 characters: lowercase letters, digits, "_" and "-", starting with a letter or digit',
  });
export const uuidSchema = z.uuid({ message: 'must be a UUID' });
export const optimizerTypeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, {
    message: 'must be 1–64 characters: lowercase letters, digits, "_", "." and "-" (e.g. "miprov2")',
  });
export const runStatusSchema = z.enum(RUN_STATUSES);
export const tagSchema = nonEmptyText(100);
export const tagsSchema = z.array(tagSchema).max(50);

export const createRunSchema = z
  .object({
    id: uuidSchema.optional().describe('Client-chosen id: a retried create with the same id returns the existing run'),
    projectId: projectIdSchema,
    runName: nonEmptyText(500),
    description: text(10_000).nullish(),
    optimizerType: optimizerTypeSchema,
    status: runStatusSchema.optional(),
    config: jsonObjectSchema.optional(),
    metadata: jsonObjectSchema.optional(),
    tags: tagsSchema.optional(),
    startedAt: timestamp.nullish(),
    endedAt: timestamp.nullish(),
    initialScore: score.nullish(),
    finalScore: score.nullish(),
    bestScore: score.nullish(),
    samplesEvaluated: count.optional(),
    samplesSuccessful: count.optional(),
    samplesFailed: count.optional(),
    errorMessage: text(10_000).nullish(),
  })
  .strict();
export type CreateRunInput = z.input<typeof createRunSchema>;

export const updateRunSchema = z
  .object({
    runName: nonEmptyText(500).optional(),
    description: text(10_000).nullish(),
    status: runStatusSchema.optional(),
    config: jsonObjectSchema.optional(),
    metadata: jsonObjectSchema.optional(),
    tags: tagsSchema.optional(),
    startedAt: timestamp.nullish(),
    endedAt: timestamp.nullish(),
    initialScore: score.nullish(),
    finalScore: score.nullish(),
    bestScore: score.nullish(),
    iterations: count.optional(),
    samplesEvaluated: count.optional(),
    samplesSuccessful: count.optional(),
    samplesFailed: count.optional(),
    totalTokens: bigCount.optional(),
    totalCostUsd: money.optional(),
    avgLatencyMs: millis.nullish(),
    errorMessage: text(10_000).nullish(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' });
export type UpdateRunInput = z.input<typeof updateRunSchema>;

// Config filter: dotted paths to JSON scalars, types kept ({"miprov2.num_candidates": 10}).
export const CONFIG_PATH_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,7}$/;
const configFilterRecord = z.record(
  z.string().regex(CONFIG_PATH_PATTERN, { message: 'must be a dotted path like "miprov2.num_candidates"' }),
  z.union([text(500), z.number(), z.boolean(), z.null()]),
);
// The paths are checked before z.record rebuilds the object, which would drop "__proto__".
export const configFilterSchema = (
  z.preprocess((value, ctx) => {
    if (typeof value !== 'object' || value === null) return value;
    for (const path of Object.keys(value)) {
      if (path.split('.').includes(FORBIDDEN_KEY)) {
        ctx.addIssue({ code: 'custom', path: [path], message: `"${FORBIDDEN_KEY}" is not accepted in a config path` });
      }
    }
    return value;
  }, configFilterRecord) as unknown as typeof configFilterRecord
).refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 config filters' });

const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.array(schema).min(1).max(10)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

// A run column, or one config value by its dotted path ("config.miprov2.num_candidates").
export const runOrderSchema = z.union([
  z.enum(RUN_ORDER_COLUMNS),
  z.string().regex(new RegExp(`^config\\.${CONFIG_PATH_PATTERN.source.slice(1, -1)}$`), {
    message: `must be one of ${RUN_ORDER_COLUMNS.join(', ')} or "config.<path>"`,
  }) as z.ZodType<`config.${string}`, `config.${string}`>,
]);
export type RunOrder = z.output<typeof runOrderSchema>;

// The query of a project-level read (analytics, saved views): which project, an API key's by default.
export const projectQuerySchema = z.object({
  projectId: projectIdSchema.optional().describe("Defaults to the API key's project; an API key naming another project: 403"),
});

// GET /api/v1/leaderboard: completed runs by final score, optionally of one optimizer or tag.
export const leaderboardQuerySchema = projectQuerySchema.extend({
  limit: z.number().int().min(1).max(MAX_LEADERBOARD_LIMIT).default(DEFAULT_LEADERBOARD_LIMIT).describe('How many runs'),
  optimizerType: optimizerTypeSchema.optional().describe('Only runs of this optimizer'),
  tag: tagSchema.optional().describe('Only runs carrying this tag'),
});

export const listRunsSchema = z
  .object({
    projectId: projectIdSchema.describe("The project; defaults to the API key's project"),
    status: oneOrMany(runStatusSchema).optional().describe('Runs in any of these statuses'),
    optimizerType: oneOrMany(optimizerTypeSchema).optional().describe('Runs of any of these optimizers'),
    tags: tagsSchema.optional().describe('Runs that carry all of these tags'),
    config: configFilterSchema.optional(),
    minScore: score.optional().describe('Minimum final score'),
    maxScore: score.optional().describe('Maximum final score'),
    search: text(200).optional().describe('Case-insensitive substring of the run name'),
    createdAfter: timestamp.optional().describe('Runs created at or after this time'),
    createdBefore: timestamp.optional().describe('Runs created before this time'),
    orderBy: runOrderSchema.default('created_at').describe('The column to order by, or "config.<path>" for a config value (NULLs last, id breaks ties)'),
    orderDirection: z.enum(['asc', 'desc']).default('desc'),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(20).describe('Runs per page'),
    cursor: z.string().max(1000).optional().describe('nextCursor of the previous page'),
    offset: z.number().int().min(0).max(100_000).optional().describe('Kept for compatibility; prefer cursor'),
  })
  .strict()
  .refine((f) => f.minScore === undefined || f.maxScore === undefined || f.minScore <= f.maxScore, {
    message: 'minScore must not exceed maxScore',
    path: ['minScore'],
  })
  .refine((f) => !(f.cursor && f.offset), { message: 'use either cursor or offset, not both', path: ['cursor'] });
export type ListRunsInput = z.input<typeof listRunsSchema>;
export type ListRunsFilters = z.output<typeof listRunsSchema>;

export const iterationFieldsSchema = z
  .object({
    iteration: count,
    score: score.nullish(),
    params: jsonObjectSchema.optional(),
    programState: jsonValueSchema.nullish(),
    programHash: text(128).nullish(),
    samplesEvaluated: count.optional(),
    latencyMs: millis.nullish(),
    tokens: bigCount.optional(),
    costUsd: money.optional(),
    durationMs: count.nullish(),
    evalKind: z.enum(EVAL_KINDS).nullish().describe("DSPy's own tag for the evaluation"),
    rawScore: rawScore.nullish(),
    scoreScale: scoreScale.nullish(),
    selected: z.boolean().optional().describe('The program the optimizer returned; selecting one iteration clears the others of the run'),
    candidateId: candidateId.nullish().describe("The optimizer's id of the evaluated program"),
    parentCandidateIds: candidateIds.nullish(),
    trial: count.nullish().describe('Optimizer trial number (MIPROv2)'),
    budgetUsed: budget.nullish(),
    elapsedMs: bigCount.nullish().describe('Wall time since the compile started'),
    dataset: z.enum(DATASETS).nullish(),
    usageByRole: usageByRoleSchema.nullish(),
  })
  .strict();
export const createIterationSchema = iterationFieldsSchema.extend({ runId: uuidSchema }).strict();
export type CreateIterationInput = z.input<typeof createIterationSchema>;
export type IterationFieldsInput = z.input<typeof iterationFieldsSchema>;
export const iterationBatchSchema = z.array(iterationFieldsSchema).min(1).max(MAX_ITERATIONS_PER_BATCH);

export const sampleFieldsSchema = z
  .object({
    iteration: count,
    sampleIndex: count,
    input: jsonValueSchema.optional(),
    output: jsonValueSchema.nullish(),
    expected: jsonValueSchema.nullish(),
    score: score.nullish(),
    error: text(10_000).nullish(),
    latencyMs: millis.nullish(),
    tokens: count.optional(),
    costUsd: money.optional(),
    programHash: text(128).nullish(),
    metadata: jsonObjectSchema.optional(),
    exampleId: exampleId.nullish().describe('A stable id of the example, the same across iterations and runs'),
    feedback: text(10_000).nullish().describe("The metric's feedback text"),
  })
  .strict();
export const createSampleSchema = sampleFieldsSchema.extend({ runId: uuidSchema }).strict();
export type CreateSampleInput = z.input<typeof createSampleSchema>;
export type SampleFieldsInput = z.input<typeof sampleFieldsSchema>;
export const sampleBatchSchema = z.array(createSampleSchema).min(1).max(MAX_SAMPLES_PER_BATCH);

export const listSamplesSchema = z
  .object({
    runId: uuidSchema,
    iteration: count.optional().describe('Only the samples of this iteration'),
    minScore: score.optional().describe('Minimum sample score'),
    maxScore: score.optional().describe('Maximum sample score'),
    errorsOnly: z.boolean().optional().describe('Only samples that recorded an error'),
    exampleId: exampleId.optional().describe('Only the samples of this example (its stable id)'),
    limit: z.number().int().min(1).max(500).default(100).describe('Samples per page'),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  })
  .strict()
  .refine((f) => f.minScore === undefined || f.maxScore === undefined || f.minScore <= f.maxScore, {
    message: 'minScore must not exceed maxScore',
    path: ['minScore'],
  });
export type ListSamplesInput = z.input<typeof listSamplesSchema>;
export type ListSamplesOutput = z.output<typeof listSamplesSchema>;

// Optimizer structure: candidates, MIPROv2 candidate pools, GEPA Pareto fronts and
// proposals. Batches of up to 1,000 of one run, upserted field by field on their key.

const batchOf = <T extends z.ZodType>(schema: T) => z.array(schema).min(1).max(MAX_STRUCTURE_PER_BATCH);
const instanceScoresSchema = z
  .record(exampleId, score)
  .refine((r) => Object.keys(r).length <= 100_000, { message: 'at most 100,000 examples' });

export const candidateSchema = z
  .object({
    candidateId,
    parentIds: candidateIds.optional(),
    origin: z.enum(CANDIDATE_ORIGINS).nullish(),
    iteration: count.nullish().describe('The iteration that evaluated it'),
    programState: jsonValueSchema.nullish(),
    programHash: text(128).nullish(),
    score: score.nullish(),
    rawScore: rawScore.nullish(),
    instanceScores: instanceScoresSchema.nullish().describe('{exampleId: score 0–1}'),
    budgetUsed: budget.nullish(),
    metadata: jsonObjectSchema.optional(),
  })
  .strict();
export type CandidateInput = z.input<typeof candidateSchema>;
export const candidateBatchSchema = batchOf(candidateSchema);

export const candidatePoolEntrySchema = z
  .object({
    predictorIndex: count,
    predictorName: nonEmptyText(500),
    kind: z.enum(POOL_KINDS),
    candidateIndex: count,
    text: text(100_000).nullish().describe('The instruction'),
    content: jsonValueSchema.nullish().describe('The demo set (a list of demos)'),
  })
  .strict();
export type CandidatePoolEntryInput = z.input<typeof candidatePoolEntrySchema>;
export const candidatePoolBatchSchema = batchOf(candidatePoolEntrySchema);

export const paretoSnapshotSchema = z
  .object({
    step: count,
    iteration: count.nullish(),
    budgetUsed: budget.nullish(),
    front: z
      .record(exampleId, candidateIds)
      .refine((r) => Object.keys(r).length <= 100_000, { message: 'at most 100,000 examples' })
      .describe('{exampleId: [candidateId, ...]}'),
    bestScores: instanceScoresSchema.nullish(),
  })
  .strict();
export type ParetoSnapshotInput = z.input<typeof paretoSnapshotSchema>;
export const paretoBatchSchema = batchOf(paretoSnapshotSchema);

const subsampleScores = z.array(score).max(10_000);
export const proposalSchema = z
  .object({
    proposalIndex: count,
    iteration: count.nullish(),
    kind: z.enum(PROPOSAL_KINDS),
    parentIds: candidateIds,
    candidateId: candidateId.nullish().describe('The new candidate, when accepted'),
    accepted: z.boolean(),
    reason: text(10_000).nullish(),
    predictors: z.array(nonEmptyText(500)).max(1000).nullish(),
    reflectiveDataset: jsonValueSchema.nullish(),
    prompt: text(1_000_000).nullish(),
    rawOutput: text(1_000_000).nullish(),
    proposedState: jsonValueSchema.nullish(),
    subsampleIds: z.array(exampleId).max(10_000).nullish(),
    scoresBefore: subsampleScores.nullish(),
    scoresAfter: subsampleScores.nullish(),
    budgetUsed: budget.nullish(),
    metadata: jsonObjectSchema.optional(),
  })
  .strict();
export type ProposalInput = z.input<typeof proposalSchema>;
export const proposalBatchSchema = batchOf(proposalSchema);

// GET lists of the four: in key order, a keyset cursor (nextCursor).
export const listStructureSchema = z
  .object({
    runId: uuidSchema,
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
    cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
  })
  .strict();
export type ListStructureInput = z.input<typeof listStructureSchema>;

export const createProjectSchema = z
  .object({
    id: projectIdSchema,
    name: nonEmptyText(200),
    description: text(2000).nullish(),
  })
  .strict();
export type CreateProjectInput = z.input<typeof createProjectSchema>;

export const projectRoleSchema = z.enum(PROJECT_ROLES);
export const addMemberSchema = z
  .object({
    projectId: projectIdSchema,
    email: z.email({ message: 'must be an email address' }),
    role: projectRoleSchema.default('member'),
  })
  .strict();
export type AddMemberInput = z.input<typeof addMemberSchema>;

export const createApiKeySchema = z
  .object({
    projectId: projectIdSchema,
    name: nonEmptyText(100),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(2).default(['read', 'write']),
  })
  .strict();
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

// Run analysis (issue 16) -----------------------------------------------------------------

export const runNoteSchema = z.object({ body: text(100_000).describe('Markdown; rendered without raw HTML') }).strict();
export type RunNoteInput = z.input<typeof runNoteSchema>;

export const editRunLabelsSchema = z
  .object({
    runName: nonEmptyText(500).optional().describe('The new name'),
    addTags: tagsSchema.optional().describe('Tags to add (kept once)'),
    removeTags: tagsSchema.optional().describe('Tags to remove'),
  })
  .strict()
  .refine((e) => e.runName !== undefined || e.addTags?.length || e.removeTags?.length, {
    message: 'must rename the run or add or remove a tag',
  });
export type EditRunLabelsInput = z.input<typeof editRunLabelsSchema>;

export const markCrashedSchema = z
  .object({ reason: text(1000).optional().describe('Why it is considered crashed; stored in errorMessage') })
  .strict();
export type MarkCrashedInput = z.input<typeof markCrashedSchema>;

// What a run chart groups by: optimizer, the config's "model", a tag, or a config path.
export const GROUP_BY_PATTERN = /^(optimizer|model|tag|config\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,7})$/;
export const groupBySchema = z.string().regex(GROUP_BY_PATTERN, {
  message: 'must be "optimizer", "model", "tag" or "config.<key>" (e.g. "config.num_candidates")',
});

export const MAX_ANALYSIS_RUNS = 1000;

export const runAnalysisSchema = z
  .object({
    filters: z.unknown().describe('The filters of GET /api/v1/runs (projectId required)'),
    groupBy: groupBySchema.default('optimizer'),
    smoothing: z.number().min(0).max(0.99).default(0).describe('Exponential moving average weight of the previous point (0: none)'),
    maxRuns: z.number().int().min(1).max(MAX_ANALYSIS_RUNS).default(MAX_ANALYSIS_RUNS),
  })
  .strict();
export type RunAnalysisInput = z.input<typeof runAnalysisSchema>;

export const configImportanceSchema = z
  .object({
    filters: z.unknown().describe('The filters of GET /api/v1/runs (projectId required)'),
    maxRuns: z.number().int().min(1).max(MAX_ANALYSIS_RUNS).default(MAX_ANALYSIS_RUNS),
    maxKeys: z.number().int().min(1).max(20).default(8),
  })
  .strict();
export type ConfigImportanceInput = z.input<typeof configImportanceSchema>;

const viewColumnSchema = z.string().regex(/^([a-z_]+|config\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){0,7})$/, {
  message: 'must be a run column or "config.<key>"',
});
export const savedViewDefinitionSchema = z
  .object({
    // the runs page's URL parameters (the API's own names)
    filters: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,80}$/), z.union([text(500), z.array(text(500)).max(50)]))
      .refine((r) => Object.keys(r).length <= 40, { message: 'at most 40 filters' })
      .default({}),
    columns: z.array(viewColumnSchema).max(50).optional(),
    sort: z.object({ by: viewColumnSchema, direction: z.enum(['asc', 'desc']) }).strict().optional(),
    groupBy: groupBySchema.optional(),
  })
  .strict();
export const createSavedViewSchema = z
  .object({ projectId: projectIdSchema, name: nonEmptyText(100), definition: savedViewDefinitionSchema })
  .strict();
export type CreateSavedViewInput = z.input<typeof createSavedViewSchema>;
export type SavedViewDefinition = z.output<typeof savedViewDefinitionSchema>;
