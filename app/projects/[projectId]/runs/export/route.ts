import { randomUUID } from 'node:crypto';
import { csvHeader, csvRows } from '@/components/runs/runs-csv';
import { errorResponse, toErrorResponse } from '@/lib/api/errors';
import { parseListRunsQuery } from '@/lib/api/query';
import { getViewer } from '@/lib/auth';
import { toListRunsParams } from '@/lib/dashboard/run-filters';
import { listOptimizationRuns, listProjects, userScope, type ListRunsInput } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 200;
const MAX_ROWS = 100_000;

// GET /projects/{projectId}/runs/export?<the Runs page's filters> — the filtered runs as
// CSV, streamed page by page (keyset cursor) up to 100,000 rows.
export async function GET(request: Request, { params }: { params: Promise<{ projectId: string }> }) {
  const requestId = randomUUID();
  try {
    const viewer = await getViewer();
    if (!viewer) return errorResponse('unauthorized', 'sign in to export runs');
    const { projectId } = await params;
    const scope = userScope(viewer.claims);
    const project = (await listProjects(scope)).find((p) => p.id === projectId);
    if (!project) return errorResponse('not_found', `project ${projectId} not found`);

    const query = parseListRunsQuery(toListRunsParams(new URL(request.url).searchParams, { paging: false }), project.id);
    const input: ListRunsInput = { ...query, projectId: project.id, limit: PAGE_SIZE };
    // the first page is read before answering, so invalid filters are a 422, not a broken file
    const first = await listOptimizationRuns(scope, input);

    const encoder = new TextEncoder();
    let cursor = first.nextCursor;
    let written = 0;
    const take = (rows: typeof first.data) => {
      const chunk = rows.slice(0, MAX_ROWS - written);
      written += chunk.length;
      return encoder.encode(csvRows(chunk));
    };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvHeader()));
        controller.enqueue(take(first.data));
      },
      async pull(controller) {
        if (!cursor || written >= MAX_ROWS) {
          controller.close();
          return;
        }
        try {
          const page = await listOptimizationRuns(scope, { ...input, cursor });
          cursor = page.nextCursor;
          controller.enqueue(take(page.data));
        } catch (error) {
          console.error(`[export] ${requestId} failed after ${written} rows:`, error);
          controller.error(error);
        }
      },
      cancel() {
        cursor = null;
      },
    });

    const date = new Date().toISOString().slice(0, 10);
    return new Response(stream, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="optiscope-${project.id}-runs-${date}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-export-row-limit': String(MAX_ROWS),
        'x-request-id': requestId,
      },
    });
  } catch (error) {
    return toErrorResponse(error, requestId);
  }
}
