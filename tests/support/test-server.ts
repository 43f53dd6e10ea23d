import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlClient } from '../../lib/db/client.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The HS256 secret test tokens are signed with: a test double for Supabase Auth (GoTrue
// cannot run here), standing in for the project's real JWT secret.
export const TEST_JWT_SECRET = 'optiscope-test-jwt-secret-0123456789abcdef';
// Nothing listens here: a Supabase Auth server cannot run on this machine.
export const TEST_SUPABASE_URL = 'http://127.0.0.1:9';
export const TEST_PUBLISHABLE_KEY = 'sb_publishable_test_key';

export interface TestServer {
  baseUrl: string;
  // the spawned process: `next start`, or with workers the launcher (the cluster primary)
  pid: number;
  db: TestDatabase;
  logs: () => string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

// Starts the production build (`next start`, built beforehand by `npm run build`) on a
// fresh, migrated PostgreSQL database — or, with databaseUrl, on that existing database
// (migrated by the caller; left in place on stop), as the HTTP benchmark does.
export async function startTestServer(options: {
  mode: 'supabase' | 'local';
  env?: Record<string, string>;
  databaseUrl?: string;
  // through the launcher (npm start) with this many server processes (WEB_CONCURRENCY)
  // instead of a single `next start`
  workers?: number;
}): Promise<TestServer> {
  const db = options.databaseUrl ? existingDatabase(options.databaseUrl) : await createTestDatabase('postgres');
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: db.url,
    PORT: String(port),
    API_RATE_LIMIT_PER_MINUTE: '100000',
    // tests refresh analytics many times; the throttle's own tests set an interval
    ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS: '0',
    ...options.env,
  };
  for (const name of ['SUPABASE_URL', 'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_JWT_SECRET', 'OPTISCOPE_MODE']) delete env[name];
  if (options.mode === 'supabase') {
    env.SUPABASE_URL = TEST_SUPABASE_URL;
    env.SUPABASE_PUBLISHABLE_KEY = TEST_PUBLISHABLE_KEY;
    env.SUPABASE_JWT_SECRET = TEST_JWT_SECRET;
  } else {
    env.OPTISCOPE_MODE = 'local';
  }
  Object.assign(env, options.env);
  let output = '';
  let command: string;
  let args: string[];
  if (options.workers) {
    env.WEB_CONCURRENCY = String(options.workers);
    command = process.execPath;
    args = ['--conditions=react-server', path.join(root, 'scripts/start.ts'), 'start'];
  } else {
    command = path.join(root, 'node_modules/.bin/next');
    args = ['start', '-H', '127.0.0.1', '-p', String(port)];
  }
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await db.close();
      throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/api/v1/openapi.json`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await db.close();
      throw new Error(`next start did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    pid: child.pid!,
    db,
    logs: () => output,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => {
        if (child.exitCode !== null) return r(null);
        child.once('exit', r);
        setTimeout(() => { child.kill('SIGKILL'); r(null); }, 5000);
      });
      await db.close();
    },
  };
}

// An existing database as a TestDatabase: close() ends the client, never drops anything.
function existingDatabase(url: string): TestDatabase {
  const sql = createSqlClient(url, { max: 4 });
  return {
    engine: 'postgres',
    url,
    sql,
    migration: { compat: 'skipped', applied: [], alreadyApplied: [] },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
