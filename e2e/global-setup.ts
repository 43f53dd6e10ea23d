import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, startTestServer } from '../tests/support/test-server.ts';
import { ARTIFACTS, SCREENSHOTS, SERVERS_FILE, type Servers } from './servers.ts';

const root = path.resolve(import.meta.dirname, '..');

// Local mode exactly as a newcomer starts it (`npm start`: the launcher, an empty data
// folder, demo data, a printed API key), plus a Supabase-mode server on PostgreSQL.
export default async function globalSetup() {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = path.join(ARTIFACTS, 'data');
  const port = await freePort();
  const dbPort = await freePort();
  let output = '';
  const launcher = spawn(path.join(root, 'node_modules/.bin/node'), ['--conditions=react-server', 'scripts/start.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      EMBEDDED_DB_PORT: String(dbPort),
      OPTISCOPE_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: '',
      OPTISCOPE_MODE: 'local',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  launcher.stdout!.on('data', (d) => (output += d));
  launcher.stderr!.on('data', (d) => (output += d));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (!/Optiscope is ready/.test(output)) {
    if (launcher.exitCode !== null) throw new Error(`npm start exited with ${launcher.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within 180 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const apiKey = readFileSync(path.join(dataDir, 'demo-api-key'), 'utf8').trim();

  const supabase = await startTestServer({ mode: 'supabase' });

  const servers: Servers = {
    local: { baseUrl, apiKey },
    supabase: { baseUrl: supabase.baseUrl, databaseUrl: supabase.db.url },
  };
  writeFileSync(SERVERS_FILE, JSON.stringify(servers, null, 2));

  return async () => {
    launcher.kill('SIGTERM');
    await new Promise((r) => {
      if (launcher.exitCode !== null) return r(null);
      launcher.once('exit', r);
      setTimeout(() => { launcher.kill('SIGKILL'); r(null); }, 10_000);
    });
    await supabase.stop();
  };
}
