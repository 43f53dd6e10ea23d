import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './test-server.ts';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

// A throwaway PostgreSQL cluster of the test's own (temp directory, free port, trust
// auth), for tests that stop and restart the server: the shared one on 5432 is never touched.
export interface PgCluster {
  url: string;
  port: number;
  dir: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

// PostgreSQL refuses to run as root: as root (CI), its tools run as the postgres OS user.
async function pgTool(tool: string, args: string[]): Promise<string> {
  const command = process.getuid?.() === 0 ? 'runuser' : path.join(BIN, tool);
  const argv = process.getuid?.() === 0 ? ['-u', 'postgres', '--', path.join(BIN, tool), ...args] : args;
  const { stdout } = await run(command, argv, { timeout: 60_000 });
  return stdout;
}

export async function startPgCluster(): Promise<PgCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'optiscope-pg-'));
  await chmod(dir, 0o777); // the postgres OS user writes its data and log here
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  await pgTool('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=100`;
  const ctl = (...args: string[]) => pgTool('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', ...args]);
  let running = false;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async start() {
      await ctl('start');
      running = true;
    },
    async stop() {
      await ctl('stop', '-m', 'fast');
      running = false;
    },
    async restart() {
      await ctl('restart', '-m', 'fast');
      running = true;
    },
    async destroy() {
      if (running) await ctl('stop', '-m', 'immediate').catch(() => {});
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
