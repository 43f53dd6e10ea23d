import { z } from 'zod';
import {
  candidatePoolEntrySchema,
  candidateSchema,
  createRunSchema,
  createSavedViewSchema,
  editRunLabelsSchema,
  iterationFieldsSchema,
  markCrashedSchema,
  runNoteSchema,
  listRunsSchema,
  listSamplesSchema,
  listStructureSchema,
  MAX_STRUCTURE_PER_BATCH,
  paretoSnapshotSchema,
  proposalSchema,
  MAX_ANALYSIS_RUNS,
  RUN_STATUSES,
  sampleFieldsSchema,
  updateRunSchema,
} from '../supabase-optimization/index.ts';
import { STATUS_BY_CODE } from './errors.ts';
import { queryFields } from './query.ts';

type JsonSchema = Record<string, unknown>;

// Request bodies come from the data layer's zod schemas, so the document cannot drift
// from what the API accepts.
function input(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

const nullable = (type: string, extra: JsonSchema = {}) => ({ type: [type, 'null'], ...extra });

const runSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    projectId: { type: 'string' },
    runName: { type: 'string' },
    description: nullable('string'),
    optimizerType: { type: 'string', examples: ['miprov2'] },
    status: { type: 'string', enum: [...RUN_STATUSES] },
    config: { type: 'object' },
    metadata: { type: 'object' },
    tags: { type: 'array', items: { type: 'string' } },
    errorMessage: nullable('string'),
    startedAt: nullable('string', { format: 'date-time' }),
    endedAt: nullable('string', { format: 'date-time' }),
    durationMs: nullable('integer'),
    initialScore: nullable('number'),
    finalScore: nullable('number'),
    bestScore: nullable('number'),
    improvement: nullable('number'),
    improvementPct: nullable('number'),
    iterations: { type: 'integer' },
    samplesEvaluated: { type: 'integer' },
    samplesSuccessful: { type: 'integer' },
    samplesFailed: { type: 'integer' },
    totalTokens: { type: 'integer' },
    totalCostUsd: { type: 'number' },
    avgLatencyMs: nullable('number'),
    createdBy: nullable('string', { format: 'uuid' }),
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const iterationSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    runId: { type: 'string', format: 'uuid' },
    projectId: { type: 'string' },
    iteration: { type: 'integer' },
    score: nullable('number'),
    isBest: { type: 'boolean' },
    params: { type: 'object' },
    programState: {},
    programHash: nullable('string'),
    samplesEvaluated: { type: 'integer' },
    latencyMs: nullable('number'),
    tokens: { type: 'integer' },
    costUsd: { type: 'number' },
    durationMs: nullable('integer'),
    evalKind: nullable('string', { enum: ['full', 'minibatch', null] }),
    rawScore: nullable('number'),
    scoreScale: nullable('number'),
    isSelected: { type: 'boolean', description: 'Set with the input field `selected`; at most one a run' },
    candidateId: nullable('string'),
    parentCandidateIds: nullable('array', { items: { type: 'string' } }),
    trial: nullable('integer'),
    budgetUsed: nullable('integer'),
    elapsedMs: nullable('integer'),
    dataset: nullable('string', { enum: ['train', 'val', 'test', null] }),
    usageByRole: nullable('object'),
    reportedTokens: nullable('integer', { description: 'tokens as the client reported them' }),
    reportedCostUsd: nullable('number'),
    sampleTokens: { type: 'integer', description: "The sum of the iteration's samples' tokens" },
    sampleCostUsd: { type: 'number' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};

const sampleSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    runId: { type: 'string', format: 'uuid' },
    iteration: { type: 'integer' },
    iterationId: nullable('string', { format: 'uuid' }),
    sampleIndex: { type: 'integer' },
    input: {},
    output: {},
    expected: {},
    score: nullable('number'),
    error: nullable('string'),
    latencyMs: nullable('number'),
    tokens: { type: 'integer' },
    costUsd: { type: 'number' },
    programHash: nullable('string'),
    metadata: { type: 'object' },
    createdAt: { type: 'string', format: 'date-time' },
    exampleId: nullable('string'),
    feedback: nullable('string'),
  },
};

// A stored row of a run's structure: the input's fields (nullable, filled) with its keys.
function rowOf(schema: z.ZodType): JsonSchema {
  const fields = input(schema) as { properties: Record<string, JsonSchema> };
  return {
    type: 'object',
    properties: {
      projectId: { type: 'string' },
      runId: { type: 'string', format: 'uuid' },
      ...fields.properties,
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  };
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(STATUS_BY_CODE) },
        message: { type: 'string' },
        details: {},
      },
    },
  },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ok = (description: string, schema: JsonSchema, status = '200') => ({
  [status]: { description, content: jsonContent(schema) },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(
    [401, 429, 500, 503, ...codes].map((code) => [
      String(code),
      { description: Object.entries(STATUS_BY_CODE).filter(([, s]) => s === code).map(([c]) => c).join(', '), content: jsonContent(ref('Error')) },
    ]),
  );
const runIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const query = (name: string, schema: JsonSchema, description: string) => ({ name, in: 'query', schema, description });
const writeErrorsOf = () => errors(400, 403, 404, 409, 413, 415, 422);

function structurePath(segment: string, name: string, what: string, key: string): JsonSchema {
  return {
    [`/api/v1/runs/{id}/${segment}`]: {
      parameters: [runIdParam],
      get: {
        summary: `List ${what}`,
        description: `In ${key} order; page with \`cursor\` (the previous page's \`nextCursor\`).`,
        parameters: listParameters(listStructureSchema, ['runId']),
        responses: {
          ...ok('A page', { type: 'object', properties: { data: { type: 'array', items: ref(name) }, nextCursor: nullable('string') } }),
          ...errors(404, 422),
        },
      },
      post: {
        summary: `Log ${what}`,
        description:
          `Up to ${MAX_STRUCTURE_PER_BATCH.toLocaleString('en-US')} in one request; all are written or none. Upserts on ${key}, ` +
          'field by field: a field left out keeps its stored value, null clears it.',
        requestBody: { required: true, content: jsonContent({ type: 'array', minItems: 1, maxItems: MAX_STRUCTURE_PER_BATCH, items: ref(`${name}Input`) }) },
        responses: { ...ok('Counts', { type: 'object', properties: { inserted: { type: 'integer' }, updated: { type: 'integer' } } }, '201'), ...writeErrorsOf() },
      },
    },
  };
}

// A list's query parameters, from the fields its parser reads (lib/api/query.ts), so the
// document lists exactly what the endpoint accepts.
function listParameters(schema: z.ZodObject, omit: string[] = []) {
  return queryFields(schema)
    .filter((field) => !omit.includes(field.name))
    .map((field) => {
      if (field.kind === 'config') {
        return query('config.<path>', { type: 'string' }, 'Config equality on a dotted path; the value is read as JSON when it parses (10 is a number, "10" a string)');
      }
      const many = field.kind === 'list' ? 'One or several: repeated or comma-separated' : '';
      return query(field.name, field.schema, [field.description, many].filter(Boolean).join('. '));
    });
}

export function buildOpenApiDocument(serverUrl = '/'): JsonSchema {
  const writeErrors = writeErrorsOf();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Optiscope API',
      version: '1.0.0',
      description:
        'Track prompt-optimization runs (DSPy MIPROv2 and others): runs, iterations, samples, leaderboards and analytics. ' +
        'Authenticate with a project API key: `Authorization: Bearer osk_…`. Writes are idempotent (client-chosen run ids, ' +
        'upserts on iteration number and on (iteration, sampleIndex)), so clients may retry 429 and 5xx responses. ' +
        'Every `score` is 0–1 (a DSPy percentage divided by its scale; `rawScore` and `scoreScale` keep the original). ' +
        'While the database is unavailable (restarting or unreachable) requests answer 503 database_unavailable with Retry-After.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A project API key (osk_…)' } },
      schemas: {
        Run: runSchema,
        Iteration: iterationSchema,
        Sample: sampleSchema,
        Error: errorSchema,
        CreateRun: input(createRunSchema.partial({ projectId: true })),
        UpdateRun: input(updateRunSchema),
        IterationInput: input(iterationFieldsSchema),
        SampleInput: input(sampleFieldsSchema),
        Candidate: rowOf(candidateSchema),
        CandidateInput: input(candidateSchema),
        CandidatePoolEntry: rowOf(candidatePoolEntrySchema),
        CandidatePoolEntryInput: input(candidatePoolEntrySchema),
        ParetoSnapshot: rowOf(paretoSnapshotSchema),
        ParetoSnapshotInput: input(paretoSnapshotSchema),
        Proposal: rowOf(proposalSchema),
        ProposalInput: input(proposalSchema),
        RunNoteInput: input(runNoteSchema),
        EditRunLabels: input(editRunLabelsSchema),
        MarkCrashed: input(markCrashedSchema),
        SavedViewInput: input(createSavedViewSchema.partial({ projectId: true })),
        RunNote: {
          type: 'object',
          properties: { runId: { type: 'string', format: 'uuid' }, body: { type: 'string' }, updatedBy: nullable('string', { format: 'uuid' }), updatedAt: { type: 'string', format: 'date-time' } },
        },
        SavedView: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' }, projectId: { type: 'string' }, name: { type: 'string' },
            definition: { type: 'object', description: '{ filters, columns, sort, groupBy }' },
            createdBy: nullable('string', { format: 'uuid' }), createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    paths: {
      '/api/v1/runs': {
        get: {
          summary: 'List runs',
          description:
            'Filters combine with AND. Page with `cursor` (the previous page\'s `nextCursor`). `projectId` defaults to the ' +
            "API key's project; an API key naming another project is refused with 403.",
          parameters: [
            ...listParameters(listRunsSchema),
          ],
          responses: {
            ...ok('A page of runs', {
              type: 'object',
              properties: {
                data: { type: 'array', items: ref('Run') },
                total: {
                  type: 'integer',
                  description:
                    'Runs matching the filters. Exact when the only filters are status and optimizerType; with any other ' +
                    'filter, counted up to 1,000: past that, 1,000 with totalIsExact false ("1,000+").',
                },
                totalIsExact: { type: 'boolean', description: 'false when total is a lower bound' },
                nextCursor: nullable('string'),
              },
            }),
            ...errors(404, 422),
          },
        },
        post: {
          summary: 'Create a run',
          description: 'Send your own `id` to make the create safe to retry: a repeat returns the run created first.',
          requestBody: { required: true, content: jsonContent(ref('CreateRun')) },
          responses: { ...ok('The run', ref('Run'), '201'), ...writeErrors },
        },
      },
      '/api/v1/runs/{id}': {
        parameters: [runIdParam],
        get: { summary: 'Get a run', responses: { ...ok('The run', ref('Run')), ...errors(404, 422) } },
        patch: {
          summary: 'Update a run',
          description: 'Status moves forward only: a completed, failed or cancelled run cannot become pending or running.',
          requestBody: { required: true, content: jsonContent(ref('UpdateRun')) },
          responses: { ...ok('The updated run', ref('Run')), ...writeErrors },
        },
        delete: { summary: 'Delete a run with its iterations and samples', responses: { '204': { description: 'Deleted' }, ...errors(403, 404, 422) } },
      },
      '/api/v1/runs/{id}/iterations': {
        parameters: [runIdParam],
        get: {
          summary: 'List iterations',
          responses: { ...ok('Iterations in order', { type: 'object', properties: { data: { type: 'array', items: ref('Iteration') } } }), ...errors(404) },
        },
        post: {
          summary: 'Log one iteration or an array of them',
          description:
            'Upserts on the iteration number, field by field: a field left out keeps its stored value, null clears it. ' +
            'Run statistics and the best iteration update automatically. The best iteration is the `selected` one; ' +
            'without one, the best `full` evaluation; a `minibatch` never outranks a full or unlabelled one. ' +
            '`evalKind` left out: the kind named in `params` (`eval_type`, `minibatch` or `full_eval`), if any. ' +
            '`tokens`/`costUsd` left out or 0: the sums of the iteration\'s samples.',
          requestBody: {
            required: true,
            content: jsonContent({ oneOf: [ref('IterationInput'), { type: 'array', maxItems: 1000, items: ref('IterationInput') }] }),
          },
          responses: { ...ok('The iteration (or {data: [...]} for an array)', { oneOf: [ref('Iteration'), { type: 'object', properties: { data: { type: 'array', items: ref('Iteration') } } }] }, '201'), ...writeErrors },
        },
      },
      '/api/v1/runs/{id}/samples': {
        parameters: [runIdParam],
        get: {
          summary: 'List samples',
          parameters: [
            ...listParameters(listSamplesSchema, ['runId']),
          ],
          responses: {
            ...ok('A page of samples', { type: 'object', properties: { data: { type: 'array', items: ref('Sample') }, nextCursor: nullable('string') } }),
            ...errors(404, 422),
          },
        },
        post: {
          summary: 'Log a batch of samples',
          description: 'Up to 5,000 samples; all are written or none. Upserts on (iteration, sampleIndex).',
          requestBody: {
            required: true,
            content: jsonContent({
              oneOf: [
                { type: 'array', maxItems: 5000, items: ref('SampleInput') },
                { type: 'object', properties: { samples: { type: 'array', maxItems: 5000, items: ref('SampleInput') } }, required: ['samples'], additionalProperties: false },
              ],
            }),
          },
          responses: { ...ok('Counts', { type: 'object', properties: { inserted: { type: 'integer' }, updated: { type: 'integer' } } }, '201'), ...writeErrors },
        },
      },
      ...structurePath('candidates', 'Candidate', 'program candidates (GEPA candidates, MIPROv2 evaluated combinations, BootstrapFS/RS, COPRO, SIMBA)', 'candidateId'),
      ...structurePath('candidate-pool', 'CandidatePoolEntry', "MIPROv2's proposed instructions and demo sets", '(predictorIndex, kind, candidateIndex)'),
      ...structurePath('pareto', 'ParetoSnapshot', "GEPA's per-instance Pareto front as it evolves", 'step'),
      ...structurePath('proposals', 'Proposal', "GEPA's accepted and rejected proposals", 'proposalIndex'),
      '/api/v1/runs/{id}/summary': {
        parameters: [runIdParam],
        get: { summary: 'Run summary', responses: { ...ok('Summary', { type: 'object' }), ...errors(404, 422) } },
      },
      '/api/v1/leaderboard': {
        get: {
          summary: 'Top completed runs by final score',
          parameters: [
            query('projectId', { type: 'string' }, "Defaults to the API key's project; an API key naming another project: 403"),
            query('limit', { type: 'integer', minimum: 1, maximum: 100 }, 'Default 10'),
            query('optimizerType', { type: 'string' }, ''),
            query('tag', { type: 'string' }, ''),
          ],
          responses: { ...ok('Runs', { type: 'object', properties: { data: { type: 'array', items: { type: 'object' } } } }), ...errors(403, 422) },
        },
      },
      '/api/v1/analytics': {
        get: {
          summary: 'Analytics per optimizer and status',
          parameters: [query('projectId', { type: 'string' }, "Defaults to the API key's project; an API key naming another project: 403")],
          responses: {
            ...ok('Rows and the last refresh time', { type: 'object', properties: { rows: { type: 'array', items: { type: 'object' } }, lastRefreshedAt: nullable('string', { format: 'date-time' }) } }),
            ...errors(403, 422),
          },
        },
      },
      '/api/v1/analytics/refresh': {
        post: {
          summary: 'Refresh analytics (owners and admins)',
          description:
            'At most one refresh runs at a time, and refreshes are at least ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS apart ' +
            '(across all server processes): a call made while a refresh runs, or too soon after the last one, gets 429 ' +
            'with Retry-After and details { lastRefreshedAt, retryAfterSeconds }.',
          responses: {
            ...ok('Result', { type: 'object', properties: { refreshed: { type: 'boolean' }, refreshedAt: nullable('string'), durationMs: nullable('integer'), retryAfterSeconds: nullable('integer') } }),
            ...errors(403),
          },
        },
      },
      '/api/v1/runs/{id}/note': {
        parameters: [runIdParam],
        get: { summary: "The run's Markdown note", responses: { ...ok('The note, null when the run has none', { type: 'object', properties: { note: { oneOf: [ref('RunNote'), { type: 'null' }] } } }), ...errors(404) } },
        put: {
          summary: "Write the run's Markdown note",
          description: 'An empty body removes the note. Rendered as Markdown without raw HTML. Recorded in the run\'s changes.',
          requestBody: { required: true, content: jsonContent(ref('RunNoteInput')) },
          responses: { ...ok('The note', { type: 'object', properties: { note: { oneOf: [ref('RunNote'), { type: 'null' }] } } }), ...writeErrors },
        },
      },
      '/api/v1/runs/{id}/star': {
        parameters: [runIdParam],
        put: {
          summary: 'Star a run (signed-in users)',
          description: "Stars are each user's own bookmarks; viewers may star. An API key has no user to star for (422).",
          responses: { ...ok('Starred', { type: 'object', properties: { runId: { type: 'string' }, starred: { type: 'boolean' } } }), ...errors(404, 422) },
        },
        delete: {
          summary: "Remove the signed-in user's star",
          responses: { ...ok('Not starred', { type: 'object', properties: { runId: { type: 'string' }, starred: { type: 'boolean' } } }), ...errors(404, 422) },
        },
      },
      '/api/v1/runs/{id}/labels': {
        parameters: [runIdParam],
        patch: {
          summary: 'Rename a run, add and remove tags',
          description: 'One edit, applied atomically; each changed field is recorded in the run\'s changes with who made it.',
          requestBody: { required: true, content: jsonContent(ref('EditRunLabels')) },
          responses: { ...ok('The run', ref('Run')), ...writeErrors },
        },
      },
      '/api/v1/runs/{id}/changes': {
        parameters: [runIdParam],
        get: {
          summary: 'Who changed what and when',
          description: 'Renames, tag edits, status changes and note edits, newest first (at most 100), written by the database.',
          responses: {
            ...ok('Changes', { type: 'object', properties: { data: { type: 'array', items: { type: 'object', properties: {
              id: { type: 'integer' }, field: { type: 'string', enum: ['run_name', 'tags', 'status', 'note'] }, oldValue: {}, newValue: {},
              changedBy: nullable('string', { format: 'uuid' }), changedByEmail: nullable('string'), apiKeyId: nullable('string', { format: 'uuid' }),
              changedAt: { type: 'string', format: 'date-time' } } } } } }),
            ...errors(404),
          },
        },
      },
      '/api/v1/runs/{id}/activity': {
        parameters: [runIdParam],
        get: {
          summary: "The run's last write and whether it is stalled",
          description: 'A running run whose row and iterations were last written more than STALLED_RUN_MINUTES ago is stalled.',
          responses: { ...ok('Activity', { type: 'object', properties: { runId: { type: 'string' }, lastWriteAt: { type: 'string', format: 'date-time' }, stalled: { type: 'boolean' }, stalledAfterMinutes: { type: 'integer' } } }), ...errors(404) },
        },
      },
      '/api/v1/runs/{id}/crash': {
        parameters: [runIdParam],
        post: {
          summary: 'Mark a stalled run crashed',
          description:
            'A crashed run becomes `failed` with errorMessage "Crashed: no write since <time> (<reason>)". Only a stalled running run ' +
            'can be marked (409 otherwise: still writing, or already finished).',
          requestBody: { required: false, content: jsonContent(ref('MarkCrashed')) },
          responses: { ...ok('The run', ref('Run')), ...writeErrors },
        },
      },
      '/api/v1/analysis/curves': {
        get: {
          summary: 'Score curves of the filtered runs, grouped',
          description:
            `The first ${MAX_ANALYSIS_RUNS.toLocaleString('en-US')} runs the filters of GET /api/v1/runs select, grouped by optimizer, model ` +
            '(config.model), tag (a run in each of its tags) or a config path; per group and iteration the mean, sample standard deviation, ' +
            'min, max and number of runs, computed in PostgreSQL. smoothing applies an exponential moving average to mean and sd.',
          parameters: [
            ...listParameters(listRunsSchema, ['cursor', 'offset', 'limit']),
            query('groupBy', { type: 'string', default: 'optimizer' }, '"optimizer", "model", "tag" or "config.<path>"'),
            query('smoothing', { type: 'number', minimum: 0, maximum: 0.99, default: 0 }, 'Weight of the previous point (0: none)'),
            query('maxRuns', { type: 'integer', minimum: 1, maximum: MAX_ANALYSIS_RUNS }, `Default ${MAX_ANALYSIS_RUNS}`),
          ],
          responses: { ...ok('Groups', { type: 'object', properties: { runs: { type: 'integer' }, truncated: { type: 'boolean' }, groups: { type: 'array', items: { type: 'object' } }, omittedGroups: { type: 'integer' } } }), ...errors(422) },
        },
      },
      '/api/v1/analysis/config-importance': {
        get: {
          summary: 'Which config keys go with the final score',
          description:
            'Each scalar config leaf (a dotted path) splits the filtered runs with a final score into groups by value (missing is a group). ' +
            'etaSquared = SS_between / SS_total, the share of final-score variance between the groups; epsilonSquared corrects it for the ' +
            'number of groups k: (SS_between − (k − 1)·SS_within/(n − k)) / SS_total. Keys are ranked by epsilonSquared. `parallel` holds ' +
            'the runs\' values of the top maxKeys keys and final scores (parallel coordinates).',
          parameters: [
            ...listParameters(listRunsSchema, ['cursor', 'offset', 'limit']),
            query('maxRuns', { type: 'integer', minimum: 1, maximum: MAX_ANALYSIS_RUNS }, `Default ${MAX_ANALYSIS_RUNS}`),
            query('maxKeys', { type: 'integer', minimum: 1, maximum: 20 }, 'Keys in `parallel`; default 8'),
          ],
          responses: { ...ok('Keys and parallel coordinates', { type: 'object', properties: { runs: { type: 'integer' }, truncated: { type: 'boolean' }, keys: { type: 'array', items: { type: 'object' } }, parallel: { type: 'object' } } }), ...errors(422) },
        },
      },
      '/api/v1/views': {
        get: {
          summary: "A project's saved views",
          parameters: [query('projectId', { type: 'string' }, "Defaults to the API key's project")],
          responses: { ...ok('Views', { type: 'object', properties: { data: { type: 'array', items: ref('SavedView') } } }), ...errors(422) },
        },
        post: {
          summary: 'Save a view',
          description: "A named set of filters, columns, sort and grouping, shared with the project's members; names are unique in a project (409).",
          requestBody: { required: true, content: jsonContent(ref('SavedViewInput')) },
          responses: { ...ok('The view', ref('SavedView'), '201'), ...writeErrors },
        },
      },
      '/api/v1/views/{viewId}': {
        parameters: [{ name: 'viewId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        delete: {
          summary: 'Delete a saved view',
          parameters: [query('projectId', { type: 'string' }, "Defaults to the API key's project")],
          responses: { '204': { description: 'Deleted' }, ...writeErrors },
        },
      },
      '/api/v1/projects': {
        get: { summary: 'Projects visible to the caller, with the role', responses: { ...ok('Projects', { type: 'object' }) , ...errors() } },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1 document' } } },
      },
    },
  };
}
