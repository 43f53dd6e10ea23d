import { parseListRunsQuery } from '../api/query.ts';
import { ApiError } from '../api/errors.ts';
import { toListRunsParams } from '../dashboard/run-filters.ts';
import { listOptimizationRuns, listProjects, type ListRunsInput, type Scope } from '../supabase-optimization/index.ts';
import { csvHeader, csvRows } from './runs-csv.ts';
import { streamOf } from './stream.ts';

const PAGE_SIZE = 200;
export const RUNS_EXPORT_MAX_ROWS = 100_000;

// A project's runs under the Runs page's filters as CSV, streamed page by page (keyset
// cursor) up to RUNS_EXPORT_MAX_ROWS rows.
export async function runsExport(scope: Scope, projectId: string, searchParams: URLSearchParams, requestId: string): Promise<Response> {
  const project = (await listProjects(scope)).find((p) => p.id === projectId);
  if (!project) throw new ApiError('not_found', `project ${projectId} not found`);

  const query = parseListRunsQuery(toListRunsParams(searchParams, { paging: false }), project.id);
  const input: ListRunsInput = { ...query, projectId: project.id, limit: PAGE_SIZE };
  // the first page is read before answering, so invalid filters are a 422, not a broken file
  const first = await listOptimizationRuns(scope, input);

  async function* chunks(): AsyncGenerator<string> {
    yield csvHeader();
    let page = first;
    let written = 0;
    for (;;) {
      const rows = page.data.slice(0, RUNS_EXPORT_MAX_ROWS - written);
      written += rows.length;
      yield csvRows(rows);
      if (!page.nextCursor || written >= RUNS_EXPORT_MAX_ROWS) return;
      try {
        page = await listOptimizationRuns(scope, { ...input, cursor: page.nextCursor });
      } catch (error) {
        console.error(`[export] ${requestId} failed after ${written} rows:`, error);
        throw error;
      }
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  return new Response(streamOf(chunks()), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="optiscope-${project.id}-runs-${date}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-export-row-limit': String(RUNS_EXPORT_MAX_ROWS),
    },
  });
}
