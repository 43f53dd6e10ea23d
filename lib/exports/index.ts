import 'server-only';
import { randomUUID } from 'node:crypto';
import { errorResponse, toErrorResponse } from '../api/errors.ts';
import { getViewer } from '../auth/index.ts';
import { userScope, type Scope } from '../supabase-optimization/index.ts';

export { runExport } from './run.ts';
export { runsExport, RUNS_EXPORT_MAX_ROWS } from './runs.ts';
export { csvHeader, csvRows } from './runs-csv.ts';

// The downloads of the dashboard: the signed-in viewer's scope, and the API's error
// contract for every answer that is not the file.
export function exportRoute<P>(
  build: (ctx: { scope: Scope; params: P; searchParams: URLSearchParams; requestId: string }) => Promise<Response>,
) {
  return async (request: Request, { params }: { params: Promise<P> }): Promise<Response> => {
    const requestId = randomUUID();
    let response: Response;
    try {
      const viewer = await getViewer();
      response = viewer
        ? await build({ scope: userScope(viewer.claims), params: await params, searchParams: new URL(request.url).searchParams, requestId })
        : errorResponse('unauthorized', 'sign in to download exports');
    } catch (error) {
      response = toErrorResponse(error, requestId);
    }
    response.headers.set('x-request-id', requestId);
    return response;
  };
}
