import { randomUUID } from 'node:crypto';
import { ApiError, toErrorResponse } from '@/lib/api/errors';
import { getViewer } from '@/lib/auth';
import { getConfig } from '@/lib/config';
import { liveHub } from '@/lib/live';
import { getProject, getProjectRun, isDataError, userScope } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

const HEARTBEAT_MS = 15_000;

class NotWatchable extends Error {}

// GET /api/live?projectId=…[&runId=…] — server-sent events naming runs that changed.
// Access is checked before the stream opens and re-checked while it stays open.
// Answers that are not a stream go through the API's error contract, request id included.
export async function GET(request: Request) {
  const requestId = randomUUID();
  try {
    return await watch(request);
  } catch (error) {
    const response = toErrorResponse(error, requestId);
    response.headers.set('x-request-id', requestId);
    return response;
  }
}

async function watch(request: Request): Promise<Response> {
  const viewer = await getViewer();
  if (!viewer) throw new ApiError('unauthorized', 'sign in first');
  const url = new URL(request.url);
  const projectId = url.searchParams.get('projectId') ?? '';
  const runId = url.searchParams.get('runId');
  const scope = userScope(viewer.claims);
  const expiresAt = typeof viewer.claims.exp === 'number' ? viewer.claims.exp * 1000 : Infinity;
  const canWatch = async () => {
    // the stream outlives the request: a session that has expired since must not keep it
    if (Date.now() >= expiresAt) throw new NotWatchable('session expired');
    await getProject(scope, projectId);
    if (runId) await getProjectRun(scope, projectId, runId);
  };
  try {
    await canWatch();
  } catch (error) {
    // an outage or a fault keeps its own answer; anything else is as unknown as a stranger's
    if (!isDataError(error) && !(error instanceof NotWatchable)) throw error;
    throw new ApiError('not_found', isDataError(error) ? error.message : 'not found');
  }

  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => {
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          cleanup();
        }
      };
      const { unsubscribe, listening } = liveHub.subscribe((change) => {
        if (change.projectId !== projectId) return;
        if (runId && change.runId !== runId) return;
        send('change', { runId: change.runId, op: change.op });
      });
      // no listener: the stream ends, and the browser's EventSource reconnects (a retry)
      listening.then(
        () => send('ready', { transport: liveHub.transport }),
        () => cleanup(),
      );
      const heartbeat = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(': keep-alive\n\n'));
        } catch {
          cleanup();
        }
      }, HEARTBEAT_MS);
      const recheck = setInterval(() => {
        canWatch().catch(() => {
          send('revoked', {});
          cleanup();
        });
      }, getConfig().liveRecheckSeconds * 1000);
      cleanup = () => {
        clearInterval(heartbeat);
        clearInterval(recheck);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed
        }
      };
      request.signal.addEventListener('abort', () => cleanup());
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
