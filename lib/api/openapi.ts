import { z } from 'zod';
import {
  candidateDtoSchema,
  candidatePoolEntryDtoSchema,
  candidatePoolEntrySchema,
  candidateSchema,
  configImportanceDtoSchema,
  configImportanceSchema,
  createRunSchema,
  createSavedViewSchema,
  editRunLabelsSchema,
  groupedCurvesDtoSchema,
  iterationDtoSchema,
  iterationFieldsSchema,
  listRunsSchema,
  listSamplesSchema,
  listStructureSchema,
  markCrashedSchema,
  MAX_ANALYSIS_RUNS,
  MAX_ITERATIONS_PER_BATCH,
  leaderboardQuerySchema,
  projectQuerySchema,
  MAX_SAMPLES_PER_BATCH,
  MAX_STRUCTURE_PER_BATCH,
  pageOf,
  paretoSnapshotDtoSchema,
  paretoSnapshotSchema,
  projectAnalyticsDtoSchema,
  projectDtoSchema,
  proposalDtoSchema,
  proposalSchema,
  refreshResultDtoSchema,
  RUN_CHANGES_SHOWN,
  runActivityDtoSchema,
  runAnalysisSchema,
  runChangeDtoSchema,
  runDtoSchema,
  runNoteDtoSchema,
  runNoteSchema,
  runPageDtoSchema,
  runStarDtoSchema,
  runSummaryDtoSchema,
  sampleDtoSchema,
  sampleFieldsSchema,
  savedViewDtoSchema,
  topRunDtoSchema,
  updateRunSchema,
  upsertCountsDtoSchema,
} from '../supabase-optimization/index.ts';
import { errorBodySchema, STATUS_BY_CODE, type ApiErrorCode } from './errors.ts';
import { ANALYSIS_PARAMS, queryFields } from './query.ts';

type JsonSchema = Record<string, unknown>;

// Request bodies come from the data layer's zod schemas, so the document cannot drift
// from what the API accepts.
function input(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return out;
}

// Response bodies: the data layer's DTO schemas (the same that type its results) and the
// API's envelopes around them, each a named component; a schema that uses another refers to it.
function responseSchemas(): Record<string, z.ZodType> {
  const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
  const note = z.object({ note: runNoteDtoSchema.nullable() });
  return {
    Run: runDtoSchema,
    RunPage: runPageDtoSchema,
    Iteration: iterationDtoSchema,
    IterationList: list(iterationDtoSchema),
    Sample: sampleDtoSchema,
    SamplePage: pageOf(sampleDtoSchema),
    Candidate: candidateDtoSchema,
    CandidatePage: pageOf(candidateDtoSchema),
    CandidatePoolEntry: candidatePoolEntryDtoSchema,
    CandidatePoolEntryPage: pageOf(candidatePoolEntryDtoSchema),
    ParetoSnapshot: paretoSnapshotDtoSchema,
    ParetoSnapshotPage: pageOf(paretoSnapshotDtoSchema),
    Proposal: proposalDtoSchema,
    ProposalPage: pageOf(proposalDtoSchema),
    UpsertCounts: upsertCountsDtoSchema,
    RunSummary: runSummaryDtoSchema,
    TopRun: topRunDtoSchema,
    TopRunList: list(topRunDtoSchema),
    ProjectAnalytics: projectAnalyticsDtoSchema,
    RefreshResult: refreshResultDtoSchema,
    RunNote: runNoteDtoSchema,
    RunNoteResponse: note,
    RunStar: runStarDtoSchema,
    RunChangeList: list(runChangeDtoSchema),
    RunActivity: runActivityDtoSchema.extend({ stalledAfterMinutes: z.number().int() }),
    GroupedCurves: groupedCurvesDtoSchema,
    ConfigImportance: configImportanceDtoSchema,
    SavedView: savedViewDtoSchema,
    SavedViewList: list(savedViewDtoSchema),
    ProjectList: list(projectDtoSchema),
    Error: errorBodySchema,
  };
}

function outputComponents(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(responseSchemas())) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ok = (description: string, schema: JsonSchema, status = '200') => ({
  [status]: { description, content: jsonContent(schema) },
});
// The error answers an operation documents, named by code: each under the status the
// error contract (lib/api/errors.ts) gives it, described by the codes that share it.
const ALWAYS: ApiErrorCode[] = ['unauthorized', 'rate_limited', 'internal_error', 'database_unavailable'];
const errors = (...codes: ApiErrorCode[]) => {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of [...ALWAYS, ...codes]) byStatus.set(STATUS_BY_CODE[code], [...(byStatus.get(STATUS_BY_CODE[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, shared]) => [String(status), { description: shared.join(', '), content: jsonContent(ref('Error')) }]),
  );
};
const runIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
  description:
    "The run's id, unique within its project. An API key names its own project; a signed-in caller whose id is held by runs of several of their projects gets 409 conflict (details.projects).",
};
const query = (name: string, schema: JsonSchema, description: string) => ({ name, in: 'query', schema, description });
const writeErrorsOf = () =>
  errors('bad_request', 'invalid_json', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'validation_failed');

function structurePath(segment: string, name: string, what: string, key: string): JsonSchema {
  return {
    [`/api/v1/runs/{id}/${segment}`]: {
      parameters: [runIdParam],
      get: {
        summary: `List ${what}`,
        description: `In ${key} order; page with \`cursor\` (the previous page's \`nextCursor\`).`,
        parameters: listParameters(listStructureSchema, ['runId']),
        responses: {
          ...ok('A page', ref(`${name}Page`)),
          ...errors('not_found', 'validation_failed'),
        },
      },
      post: {
        summary: `Log ${what}`,
        description:
          `Up to ${MAX_STRUCTURE_PER_BATCH.toLocaleString('en-US')} in one request; all are written or none. Upserts on ${key}, ` +
          'field by field: a field left out keeps its stored value, null clears it.',
        requestBody: { required: true, content: jsonContent({ type: 'array', minItems: 1, maxItems: MAX_STRUCTURE_PER_BATCH, items: ref(`${name}Input`) }) },
        responses: { ...ok('Counts', ref('UpsertCounts'), '201'), ...writeErrorsOf() },
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

// The analysis endpoints' own parameters (ANALYSIS_PARAMS), as their schema has them.
function analysisParameters(schema: z.ZodObject) {
  const { properties } = input(schema) as { properties: Record<string, JsonSchema> };
  return ANALYSIS_PARAMS.filter((name) => name in properties).map((name) => {
    const { description, ...rest } = properties[name]!;
    return query(name, rest, typeof description === 'string' ? description : '');
  });
}

// runCountCap: the RUN_COUNT_CAP setting (lib/config), how far a filtered runs list counts.
export function buildOpenApiDocument({ runCountCap, serverUrl = '/' }: { runCountCap: number; serverUrl?: string }): JsonSchema {
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
        ...outputComponents(),
        CreateRun: input(createRunSchema.partial({ projectId: true })),
        UpdateRun: input(updateRunSchema),
        IterationInput: input(iterationFieldsSchema),
        SampleInput: input(sampleFieldsSchema),
        CandidateInput: input(candidateSchema),
        CandidatePoolEntryInput: input(candidatePoolEntrySchema),
        ParetoSnapshotInput: input(paretoSnapshotSchema),
        ProposalInput: input(proposalSchema),
        RunNoteInput: input(runNoteSchema),
        EditRunLabels: input(editRunLabelsSchema),
        MarkCrashed: input(markCrashedSchema),
        SavedViewInput: input(createSavedViewSchema.partial({ projectId: true })),
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
            ...ok(
              `A page of runs. total: exact when the only filters are status and optimizerType; with any other filter, counted up to ${runCountCap.toLocaleString('en-US')} (the RUN_COUNT_CAP setting): past that, ${runCountCap.toLocaleString('en-US')} with totalIsExact false`,
              ref('RunPage'),
            ),
            ...errors('not_found', 'validation_failed'),
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
        get: { summary: 'Get a run', responses: { ...ok('The run', ref('Run')), ...errors('not_found', 'validation_failed') } },
        patch: {
          summary: 'Update a run',
          description: 'Status moves forward only: a completed, failed or cancelled run cannot become pending or running.',
          requestBody: { required: true, content: jsonContent(ref('UpdateRun')) },
          responses: { ...ok('The updated run', ref('Run')), ...writeErrors },
        },
        delete: { summary: 'Delete a run with its iterations and samples', responses: { '204': { description: 'Deleted' }, ...errors('forbidden', 'not_found', 'validation_failed') } },
      },
      '/api/v1/runs/{id}/iterations': {
        parameters: [runIdParam],
        get: {
          summary: 'List iterations',
          responses: { ...ok('Iterations in order', ref('IterationList')), ...errors('not_found', 'validation_failed') },
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
            content: jsonContent({ oneOf: [ref('IterationInput'), { type: 'array', minItems: 1, maxItems: MAX_ITERATIONS_PER_BATCH, items: ref('IterationInput') }] }),
          },
          responses: { ...ok('The iteration (or {data: [...]} for an array)', { oneOf: [ref('Iteration'), ref('IterationList')] }, '201'), ...writeErrors },
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
            ...ok('A page of samples', ref('SamplePage')),
            ...errors('not_found', 'validation_failed'),
          },
        },
        post: {
          summary: 'Log a batch of samples',
          description: `Up to ${MAX_SAMPLES_PER_BATCH.toLocaleString('en-US')} samples; all are written or none. Upserts on (iteration, sampleIndex).`,
          requestBody: {
            required: true,
            content: jsonContent({
              oneOf: [
                { type: 'array', minItems: 1, maxItems: MAX_SAMPLES_PER_BATCH, items: ref('SampleInput') },
                {
                  type: 'object',
                  properties: { samples: { type: 'array', minItems: 1, maxItems: MAX_SAMPLES_PER_BATCH, items: ref('SampleInput') } },
                  required: ['samples'],
                  additionalProperties: false,
                },
              ],
            }),
          },
          responses: { ...ok('Counts', ref('UpsertCounts'), '201'), ...writeErrors },
        },
      },
      ...structurePath('candidates', 'Candidate', 'program candidates (GEPA candidates, MIPROv2 evaluated combinations, BootstrapFS/RS, COPRO, SIMBA)', 'candidateId'),
      ...structurePath('candidate-pool', 'CandidatePoolEntry', "MIPROv2's proposed instructions and demo sets", '(predictorIndex, kind, candidateIndex)'),
      ...structurePath('pareto', 'ParetoSnapshot', "GEPA's per-instance Pareto front as it evolves", 'step'),
      ...structurePath('proposals', 'Proposal', "GEPA's accepted and rejected proposals", 'proposalIndex'),
      '/api/v1/runs/{id}/summary': {
        parameters: [runIdParam],
        get: { summary: 'Run summary', responses: { ...ok('Summary', ref('RunSummary')), ...errors('not_found', 'validation_failed') } },
      },
      '/api/v1/leaderboard': {
        get: {
          summary: 'Top completed runs by final score',
          parameters: listParameters(leaderboardQuerySchema),
          responses: { ...ok('Runs', ref('TopRunList')), ...errors('forbidden', 'validation_failed') },
        },
      },
      '/api/v1/analytics': {
        get: {
          summary: 'Analytics per optimizer and status',
          parameters: listParameters(projectQuerySchema),
          responses: {
            ...ok('Rows and the last refresh time', ref('ProjectAnalytics')),
            ...errors('forbidden', 'validation_failed'),
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
            ...ok('Result', ref('RefreshResult')),
            ...errors('forbidden'),
          },
        },
      },
      '/api/v1/runs/{id}/note': {
        parameters: [runIdParam],
        get: { summary: "The run's Markdown note", responses: { ...ok('The note, null when the run has none', ref('RunNoteResponse')), ...errors('not_found', 'validation_failed') } },
        put: {
          summary: "Write the run's Markdown note",
          description: 'An empty body removes the note. Rendered as Markdown without raw HTML. Recorded in the run\'s changes.',
          requestBody: { required: true, content: jsonContent(ref('RunNoteInput')) },
          responses: { ...ok('The note', ref('RunNoteResponse')), ...writeErrors },
        },
      },
      '/api/v1/runs/{id}/star': {
        parameters: [runIdParam],
        put: {
          summary: 'Star a run (signed-in users)',
          description: "Stars are each user's own bookmarks; viewers may star. An API key has no user to star for (422).",
          responses: { ...ok('Starred', ref('RunStar')), ...errors('not_found', 'validation_failed') },
        },
        delete: {
          summary: "Remove the signed-in user's star",
          responses: { ...ok('Not starred', ref('RunStar')), ...errors('not_found', 'validation_failed') },
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
          description: `Renames, tag edits, status changes and note edits, newest first (at most ${RUN_CHANGES_SHOWN}), written by the database.`,
          responses: {
            ...ok('Changes', ref('RunChangeList')),
            ...errors('not_found', 'validation_failed'),
          },
        },
      },
      '/api/v1/runs/{id}/activity': {
        parameters: [runIdParam],
        get: {
          summary: "The run's last write and whether it is stalled",
          description: 'A running run whose row and iterations were last written more than STALLED_RUN_MINUTES ago is stalled.',
          responses: { ...ok('Activity', ref('RunActivity')), ...errors('not_found', 'validation_failed') },
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
            ...analysisParameters(runAnalysisSchema),
          ],
          responses: { ...ok('Groups', ref('GroupedCurves')), ...errors('validation_failed') },
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
            ...analysisParameters(configImportanceSchema),
          ],
          responses: { ...ok('Keys and parallel coordinates', ref('ConfigImportance')), ...errors('validation_failed') },
        },
      },
      '/api/v1/views': {
        get: {
          summary: "A project's saved views",
          parameters: listParameters(projectQuerySchema),
          responses: { ...ok('Views', ref('SavedViewList')), ...errors('validation_failed') },
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
          parameters: listParameters(projectQuerySchema),
          responses: { '204': { description: 'Deleted' }, ...writeErrors },
        },
      },
      '/api/v1/projects': {
        get: { summary: 'Projects visible to the caller, with the role', responses: { ...ok('Projects', ref('ProjectList')), ...errors() } },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1 document' } } },
      },
    },
  };
}
