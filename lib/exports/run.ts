import { csvRow } from '../csv/index.ts';
import { slugify } from '../format/index.ts';
import { flattenJson, type FlatValue } from '../json-flatten.ts';
import { parseListSamplesQuery } from '../api/query.ts';
import { ApiError } from '../api/errors.ts';
import {
  getProjectRun,
  inProject,
  isDataError,
  listOptimizationIterations,
  listOptimizationSamples,
  type ListSamplesOutput,
  type OptimizationIteration,
  type OptimizationRun,
  type OptimizationSample,
  type Scope,
} from '../supabase-optimization/index.ts';
import { streamOf } from './stream.ts';

type Format = 'csv' | 'json';
type What = 'run' | 'iterations' | 'samples';

const SAMPLE_PAGE = 500;

// One run as a download: ?format=csv|json&what=run|iterations|samples (JSON "run": the run
// with its iterations and samples); samples narrowed by the samples list's filters.
export async function runExport(viewerScope: Scope, projectId: string, runId: string, searchParams: URLSearchParams): Promise<Response> {
  const scope = inProject(viewerScope, projectId);
  const format = (searchParams.get('format') ?? 'json') as Format;
  if (format !== 'csv' && format !== 'json') throw new ApiError('validation_failed', 'format must be csv or json');
  const what = (searchParams.get('what') ?? (format === 'csv' ? 'iterations' : 'run')) as What;
  if (!['run', 'iterations', 'samples'].includes(what)) {
    throw new ApiError('validation_failed', 'what must be run, iterations or samples');
  }
  const filters = sampleFilters(searchParams, runId);

  let run: OptimizationRun;
  try {
    run = await getProjectRun(scope, projectId, runId);
  } catch (error) {
    if (isDataError(error)) throw new ApiError('not_found', 'run not found');
    throw error;
  }

  const filename = `${slugify(run.runName)}-${run.id.slice(0, 8)}-${what}.${format}`;
  const headers = {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
  };

  if (format === 'csv') {
    if (what === 'run') return new Response(runCsv(run), { headers });
    if (what === 'iterations') return new Response(iterationsCsv(await listOptimizationIterations(scope, run.id)), { headers });
    return new Response(streamOf(samplesCsv(scope, filters)), { headers });
  }

  if (what === 'iterations') {
    const iterations = await listOptimizationIterations(scope, run.id);
    return new Response(JSON.stringify({ runId: run.id, iterations }, null, 2), { headers });
  }
  if (what === 'samples') {
    return new Response(streamOf(samplesJson(scope, filters, `{\n"runId": ${JSON.stringify(run.id)},\n`)), { headers });
  }
  const iterations = await listOptimizationIterations(scope, run.id);
  const head =
    `{\n"exportedAt": ${JSON.stringify(new Date().toISOString())},\n` +
    `"run": ${JSON.stringify(run, null, 2)},\n"iterations": ${JSON.stringify(iterations, null, 2)},\n`;
  return new Response(streamOf(samplesJson(scope, filters, head)), { headers });
}

type SampleFilters = ListSamplesOutput;

// The samples list's own parser and schema (the API's rules), checked before the download
// starts; the export pages the samples itself.
function sampleFilters(sp: URLSearchParams, runId: string): SampleFilters {
  const filters = new URLSearchParams(sp);
  filters.delete('format');
  filters.delete('what');
  return parseListSamplesQuery(filters, runId, { limit: SAMPLE_PAGE, cursor: undefined });
}

async function* samplePages(scope: Scope, filters: SampleFilters): AsyncGenerator<OptimizationSample[]> {
  let cursor: string | undefined;
  do {
    const page = await listOptimizationSamples(scope, { ...filters, cursor });
    yield page.data;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function* samplesJson(scope: Scope, filters: SampleFilters, head: string): AsyncGenerator<string> {
  yield `${head}"samples": [`;
  let firstRow = true;
  for await (const page of samplePages(scope, filters)) {
    for (const sample of page) {
      yield `${firstRow ? '\n' : ',\n'}${JSON.stringify(sample)}`;
      firstRow = false;
    }
  }
  yield '\n]\n}\n';
}

const SAMPLE_COLUMNS = [
  'iteration', 'sample_index', 'score', 'error', 'latency_ms', 'tokens', 'cost_usd', 'program_hash',
  'input', 'output', 'expected', 'metadata', 'created_at',
];

async function* samplesCsv(scope: Scope, filters: SampleFilters): AsyncGenerator<string> {
  yield csvRow(SAMPLE_COLUMNS);
  for await (const page of samplePages(scope, filters)) {
    yield page
      .map((s) =>
        csvRow([
          s.iteration, s.sampleIndex, s.score, s.error, s.latencyMs, s.tokens, s.costUsd, s.programHash,
          json(s.input), json(s.output), json(s.expected), json(s.metadata), s.createdAt,
        ]),
      )
      .join('');
  }
}

function iterationsCsv(iterations: OptimizationIteration[]): string {
  // one column per param key, in order of first appearance
  const paramKeys: string[] = [];
  const flat = iterations.map((it) => {
    const f = flattenJson(it.params);
    for (const key of Object.keys(f)) if (!paramKeys.includes(key)) paramKeys.push(key);
    return f;
  });
  const header = [
    'iteration', 'score', 'is_best', 'samples_evaluated', 'latency_ms', 'tokens', 'cost_usd', 'duration_ms',
    'program_hash', 'created_at', ...paramKeys.map((k) => `params.${k}`), 'program_state',
  ];
  const rows = iterations.map((it, i) =>
    csvRow([
      it.iteration, it.score, it.isBest, it.samplesEvaluated, it.latencyMs, it.tokens, it.costUsd, it.durationMs,
      it.programHash, it.createdAt, ...paramKeys.map((k) => flatCell(flat[i]![k])), json(it.programState),
    ]),
  );
  return csvRow(header) + rows.join('');
}

function runCsv(run: OptimizationRun): string {
  const fields: Array<[string, unknown]> = [
    ['id', run.id], ['project_id', run.projectId], ['run_name', run.runName], ['description', run.description],
    ['optimizer_type', run.optimizerType], ['status', run.status], ['tags', run.tags.join(';')],
    ['error_message', run.errorMessage], ['created_at', run.createdAt], ['started_at', run.startedAt],
    ['ended_at', run.endedAt], ['duration_ms', run.durationMs], ['initial_score', run.initialScore],
    ['final_score', run.finalScore], ['best_score', run.bestScore], ['improvement', run.improvement],
    ['improvement_pct', run.improvementPct], ['iterations', run.iterations],
    ['samples_evaluated', run.samplesEvaluated], ['samples_successful', run.samplesSuccessful],
    ['samples_failed', run.samplesFailed], ['total_tokens', run.totalTokens], ['total_cost_usd', run.totalCostUsd],
    ['avg_latency_ms', run.avgLatencyMs],
  ];
  for (const [key, value] of Object.entries(flattenJson(run.config))) fields.push([`config.${key}`, flatCell(value)]);
  for (const [key, value] of Object.entries(flattenJson(run.metadata))) fields.push([`metadata.${key}`, flatCell(value)]);
  return csvRow(fields.map(([k]) => k)) + csvRow(fields.map(([, v]) => v));
}

function flatCell(value: FlatValue | undefined): unknown {
  if (value === undefined) return null;
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : value;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
