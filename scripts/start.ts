// npm start (next start) and npm run dev (next dev): finds or starts the database,
// migrates it, seeds the demo on a first local start, then runs Next.js with DATABASE_URL
// set and stops the embedded database when Next.js exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalUser } from '../lib/supabase-optimization/index.ts';
import { LOCAL_USER } from '../lib/auth/local-user.ts';
import { runScript } from '../lib/cli.ts';
import { loadConfig, loadDatabaseSettings, loadLauncherSettings } from '../lib/config/index.ts';
import { createSqlClient } from '../lib/db/client.ts';
import { isPortOpen } from '../lib/db/embedded.ts';
import { migrate } from '../lib/db/migrate.ts';
import { loadDotEnv, resolveDatabase, type ResolvedDatabase } from '../lib/db/resolve.ts';
import { readDemoApiKey, seedDemoData } from '../lib/demo/index.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { startNextWorkers, workerCount, type NextWorkers } from '../lib/server/workers.ts';

const NEXT_BIN = path.join(PROJECT_ROOT, 'node_modules/.bin/next');

await runScript(async () => {
  const command = process.argv[2] ?? 'start';
  if (command !== 'start' && command !== 'dev') throw new Error(`usage: start.ts [start|dev], got "${command}"`);
  loadDotEnv();
  // validate the settings before any slow step; the embedded URL is filled in below
  const { mode } = loadConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgres://embedded' });
  const { port } = loadLauncherSettings();
  // several server processes on one port (WEB_CONCURRENCY; one per core by default), for
  // `start` only; the embedded database (no DATABASE_URL) gets one
  const processes = command === 'start' ? workerCount(process.env, loadDatabaseSettings().url === null) : 1;
  const host = mode === 'local' ? '127.0.0.1' : undefined;
  if (!existsSync(NEXT_BIN)) throw new Error('Next.js is not installed: run `npm ci` first');
  if (await isPortOpen(port)) {
    throw new Error(`port ${port} is already in use (is Optiscope already running?); set PORT to use another`);
  }

  // Ctrl-C before Next.js runs stops the embedded database cleanly; after, it goes to Next.js
  const state: { db?: ResolvedDatabase; child?: ChildProcess; workers?: NextWorkers; stopping: boolean } = { stopping: false };
  const stop = (signal: NodeJS.Signals) => {
    if (state.workers) {
      // a second Ctrl-C does not wait for a graceful shutdown
      state.workers.stop(state.stopping ? 'SIGKILL' : signal);
    } else if (state.child && state.child.exitCode === null) {
      state.child.kill(state.stopping ? 'SIGKILL' : signal);
    } else if (!state.stopping) {
      void (state.db?.close() ?? Promise.resolve()).finally(() => process.exit(130));
    }
    state.stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // npm's `sh -c` wrapper dies on SIGTERM without passing it on: stop when orphaned
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !state.stopping) stop('SIGTERM');
  }, 1000).unref();

  const buildId = path.join(PROJECT_ROOT, '.next', 'BUILD_ID');
  if (command === 'start' && !existsSync(buildId)) {
    console.log('No production build yet: running `next build` first.');
    const code = await run(process.execPath, [NEXT_BIN, 'build']);
    if (code !== 0) throw new Error(`next build failed (exit code ${code})`);
  }

  const db = await resolveDatabase({ reuseRunning: false });
  state.db = db;
  let demoApiKey: string | null;
  try {
    console.log(`Database: ${db.description}`);
    await migrate(db.url, { log: (line) => console.log(`  ${line}`) });
    demoApiKey = await prepareData(db, mode);
  } catch (error) {
    await db.close();
    throw error;
  }
  if (state.stopping) return;

  const url = `http://${host ?? 'localhost'}:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(port),
    // PGlite serves one backend behind its socket server: see lib/db/client.ts
    ...(db.source === 'env' ? {} : { OPTISCOPE_EMBEDDED_DB: '1' }),
  };
  let exited: Promise<number>;
  if (command === 'start') {
    const workers = startNextWorkers({ port, host, workers: processes, env });
    state.workers = workers;
    exited = workers.exited;
  } else {
    const args = [NEXT_BIN, command, '--port', String(port), ...(host ? ['--hostname', host] : [])];
    const next = spawn(process.execPath, args, { stdio: 'inherit', env });
    state.child = next;
    exited = new Promise<number>((resolve) => {
      next.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
  }
  let running = true;
  void exited.then(() => (running = false));
  void waitForPort(port, () => running).then((ready) => {
    if (ready) printBanner({ url, command, mode, db, demoApiKey, processes });
  });

  const exitCode = await exited;
  await db.close();
  // a requested stop is a clean exit
  process.exit(state.stopping ? 0 : exitCode);
});

// Ensures the local user, seeds the demo on a first start where that is wanted, and
// returns the demo API key if this database still has it.
async function prepareData(db: ResolvedDatabase, mode: 'local' | 'supabase'): Promise<string | null> {
  const seed = loadLauncherSettings().seedDemo ?? mode === 'local';
  const sql = createSqlClient(db.url, { max: 1, prepare: loadDatabaseSettings().prepare });
  try {
    if (mode === 'local') await ensureLocalUser(sql);
    if (seed) {
      const result = await seedDemoData(sql, { onlyIfEmpty: true });
      if (result.seeded) {
        const { counts } = result;
        console.log(
          `Seeded demo data: ${counts.projects} projects, ${counts.runs} runs, ` +
            `${counts.iterations} iterations, ${counts.samples} samples.`,
        );
      }
    }
    return await readDemoApiKey(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function printBanner(info: {
  url: string;
  command: string;
  mode: 'local' | 'supabase';
  db: ResolvedDatabase;
  demoApiKey: string | null;
  processes: number;
}): void {
  const lines = [
    '',
    `  Optiscope is ready${info.command === 'dev' ? ' (development)' : ''}`,
    `  URL:          ${info.url}`,
    `  Database:     ${info.db.description}`,
    ...(info.processes > 1 ? [`  Processes:    ${info.processes} (WEB_CONCURRENCY)`] : []),
    `  Mode:         ${info.mode === 'local' ? `local: no sign-in, you are ${LOCAL_USER.email}` : 'supabase: Supabase Auth sign-in'}`,
  ];
  if (info.demoApiKey) {
    lines.push(
      `  Demo API key: ${info.demoApiKey}`,
      `  Try it:       curl -H "Authorization: Bearer ${info.demoApiKey}" ${info.url}/api/v1/runs`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}

function run(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function waitForPort(port: number, keepWaiting: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && keepWaiting()) {
    if (await isPortOpen(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : 1;
}
