import { getViewer } from '@/lib/auth';
import { liveHub } from '@/lib/live/hub';
import { getOptimizationRun, getProject, isDataError, userScope } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

const HEARTBEAT_MS = 15_000;
const RECHECK_MS = 30_000;

// GET /api/live?projectId=…[&runId=…] — server-sent events naming runs that changed.
// Access is checked before the stream opens and re-checked while it stays open.
export async function GET(request: Request) {
  const viewer = await getViewer();
  if (!viewer) return Response.json({ error: { code: 'unauthorized', message: 'sign in first' } }, { status: 401 });
  const url = new URL(request.url);
  const projectId = url.searchParams.get('projectId') ?? '';
  const runId = url.searchParams.get('runId');
  const scope = userScope(viewer.claims);
  const canWatch = async () => {
    await getProject(scope, projectId);
    if (runId) {
      const run = await getOptimizationRun(scope, runId);
      if (run.projectId !== projectId) throw new Error('run outside project');
    }
  };
  try {
    await canWatch();
  } catch (error) {
    const message = isDataError(error) ? error.message : 'not found';
    return Response.json({ error: { code: 'not_found', message } }, { status: 404 });
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
      }, RECHECK_MS);
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
