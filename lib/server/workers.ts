// `next start` in several worker processes sharing one port (node:cluster, as PM2's
// cluster mode runs Next.js). One Node.js process serves requests on one core. A worker
// that dies is replaced; a worker that dies within seconds of starting stops them all (a
// broken build or configuration would otherwise restart forever).
import cluster, { type Worker } from 'node:cluster';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../paths.ts';

const NEXT_CLI = path.join(PROJECT_ROOT, 'node_modules/next/dist/bin/next');
const REUSE_PORT = pathToFileURL(path.join(PROJECT_ROOT, 'lib/server/reuse-port.ts')).href;

const CRASH_WINDOW_MS = 10_000;

export interface NextWorkers {
  // resolves with the exit code once every worker has exited
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): void;
}

// WEB_CONCURRENCY (the usual name for a server's process count): unset means one worker per
// core for an external database; the embedded database serves a single connection, so it
// gets one worker and refuses more.
export function workerCount(env: NodeJS.ProcessEnv, embedded: boolean): number {
  const raw = env.WEB_CONCURRENCY?.trim();
  if (!raw) return embedded ? 1 : os.availableParallelism();
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new Error(`WEB_CONCURRENCY must be a whole number of server processes from 1 to 64, got ${JSON.stringify(raw)}`);
  }
  if (embedded && n > 1) {
    throw new Error(
      `WEB_CONCURRENCY=${n}, but the embedded database serves one connection: run one process, ` +
        'or set DATABASE_URL to a PostgreSQL database to run several',
    );
  }
  return n;
}

export function startNextWorkers(options: {
  port: number;
  host?: string;
  workers: number;
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): NextWorkers {
  if (!cluster.isPrimary) throw new Error('startNextWorkers runs in the primary process');
  const log = options.log ?? ((line: string) => console.log(line));
  // Each worker listens on a socket of its own (SO_REUSEPORT, set by REUSE_PORT) and the
  // kernel spreads new connections over them. Never the primary accepting each connection
  // and handing it over: one handed to a worker that had just died hung unanswered. Should
  // the preload not apply, the workers share the primary's socket and accept from it
  // themselves (SCHED_NONE), unevenly but without that hang.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    exec: NEXT_CLI,
    args: ['start', '--port', String(options.port), ...(options.host ? ['--hostname', options.host] : [])],
    // the launcher's own flags (--conditions=react-server) are not for Next.js
    execArgv: ['--import', REUSE_PORT],
  });
  const startedAt = new Map<Worker, number>();
  let stopping = false;
  let exitCode = 0;
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExited = resolve));

  const fork = () => {
    const worker = cluster.fork(options.env);
    startedAt.set(worker, Date.now());
  };
  const stopAll = (signal: NodeJS.Signals) => {
    for (const worker of startedAt.keys()) {
      if (!worker.isDead()) worker.process.kill(signal);
    }
  };

  cluster.on('exit', (worker, code, signal) => {
    const began = startedAt.get(worker) ?? 0;
    startedAt.delete(worker);
    if (!stopping) {
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (Date.now() - began < CRASH_WINDOW_MS) {
        log(`A server process exited with ${how} within ${CRASH_WINDOW_MS / 1000} s of starting: stopping.`);
        stopping = true;
        exitCode = code || 1;
        stopAll('SIGTERM');
      } else {
        log(`A server process exited with ${how}: starting another.`);
        fork();
      }
    }
    if (startedAt.size === 0 && stopping) resolveExited(exitCode);
  });

  for (let i = 0; i < options.workers; i++) fork();

  return {
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping = true;
      stopAll(signal);
      if (startedAt.size === 0) resolveExited(exitCode);
    },
  };
}
