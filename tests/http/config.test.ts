import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, TEST_JWT_SECRET } from '../support/test-server.ts';

// Configuration validation at startup: `next start` with Supabase half-configured exits
// non-zero naming what is missing, and never serves a request (in particular never in
// local mode, which would make every visitor the local user).

const root = path.resolve(import.meta.dirname, '../..');
const SUPABASE_ENV = /^(NEXT_PUBLIC_)?SUPABASE_|^OPTISCOPE_MODE$/;

interface Outcome {
  code: number | null;
  output: string;
  served: number[]; // statuses of any request the server answered while it ran
}

// Starts the production build with the given settings and waits for it to exit, polling
// its port all the while.
async function startExpectingFailure(settings: Record<string, string>): Promise<Outcome> {
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !SUPABASE_ENV.test(name)) env[name] = value;
  Object.assign(env, {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    // a real, migrated database: were the settings accepted, the server could serve
    DATABASE_URL: inject('databaseUrl'),
    PORT: String(port),
    ...settings,
  });
  const child = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: root,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const served: number[] = [];
  let running = true;
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const poller = (async () => {
    while (running) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { signal: AbortSignal.timeout(2000) });
        served.push(res.status);
      } catch {
        // not listening (or gone)
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const code = await exited;
  running = false;
  clearTimeout(timer);
  await poller;
  return { code, output, served };
}

describe('a half-configured Supabase mode refuses to start', () => {
  it('names every missing setting, exits non-zero and never serves', async () => {
    const cases: Array<[string, Record<string, string>, string[]]> = [
      ['only SUPABASE_URL', { SUPABASE_URL: 'https://abcdefgh.supabase.co' }, ['SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_JWT_SECRET']],
      [
        'no SUPABASE_URL',
        { SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_x', SUPABASE_JWT_SECRET: TEST_JWT_SECRET },
        ['SUPABASE_URL'],
      ],
      ['OPTISCOPE_MODE=supabase alone', { OPTISCOPE_MODE: 'supabase' }, ['SUPABASE_URL', 'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_JWT_SECRET']],
      ['only the browser URL', { NEXT_PUBLIC_SUPABASE_URL: 'https://abcdefgh.supabase.co' }, ['SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_JWT_SECRET']],
      [
        'a short JWT secret',
        { SUPABASE_URL: 'https://abcdefgh.supabase.co', SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_x', SUPABASE_JWT_SECRET: 'short' },
        ['SUPABASE_JWT_SECRET'],
      ],
    ];
    const outcomes = await Promise.all(cases.map(([, settings]) => startExpectingFailure(settings)));
    cases.forEach(([label, , missing], i) => {
      const { code, output, served } = outcomes[i]!;
      expect(code, `${label}: exit code\n${output}`).not.toBe(0);
      expect(code, `${label}: killed instead of exiting\n${output}`).not.toBeNull();
      expect(output, label).toMatch(/configuration is invalid/);
      for (const name of missing) expect(output, `${label}: does not name ${name}`).toContain(name);
      expect(served, `${label}: answered requests while misconfigured`).toEqual([]);
    });
    // a setting that is present is not reported missing
    expect(outcomes[1]!.output).not.toMatch(/needs SUPABASE_PUBLISHABLE_KEY/);
  });

  it('refuses Supabase settings next to OPTISCOPE_MODE=local rather than ignoring them', async () => {
    const { code, output, served } = await startExpectingFailure({ OPTISCOPE_MODE: 'local', SUPABASE_URL: 'https://abcdefgh.supabase.co' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/OPTISCOPE_MODE=local but Supabase settings are present/);
    expect(served).toEqual([]);
  });

  it('refuses database timeouts that are not positive milliseconds, or a request deadline shorter than a statement', async () => {
    const [invalid, inverted] = await Promise.all([
      startExpectingFailure({ OPTISCOPE_MODE: 'local', DB_CONNECT_TIMEOUT_MS: '0', DB_REQUEST_TIMEOUT_MS: 'soon' }),
      startExpectingFailure({ OPTISCOPE_MODE: 'local', DB_STATEMENT_TIMEOUT_MS: '30000', DB_REQUEST_TIMEOUT_MS: '20000' }),
    ]);
    expect(invalid.code).not.toBe(0);
    expect(invalid.output).toContain('DB_CONNECT_TIMEOUT_MS must be a positive whole number of milliseconds, got "0"');
    expect(invalid.output).toContain('DB_REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds, got "soon"');
    expect(invalid.served).toEqual([]);
    expect(inverted.code).not.toBe(0);
    expect(inverted.output).toContain('DB_REQUEST_TIMEOUT_MS (20000) must be longer than DB_STATEMENT_TIMEOUT_MS (30000)');
    expect(inverted.served).toEqual([]);
  });
});
