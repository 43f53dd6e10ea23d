// npm run bench:http [-- --duration 20] [--connections 32] [--batch 100] [--workers <cores>] [--no-write]
//
// The production server (`npm start` of the current build, one server process per core
// unless --workers says otherwise: run `npm run build` first)
// against the benchmark database (BENCH_DATABASE_URL, filled by bench:load), loaded by
// autocannon over loopback: GET /api/v1/runs with an API key of bench-big, then
// POST /api/v1/runs/{id}/samples with small batches whose sample indexes never repeat
// (so every sample is an insert). Reports requests/s, latency percentiles, errors and
// non-2xx answers (which must be zero) and appends them to bench/RESULTS.md. The API key
// and the run it writes to are created for the run and deleted afterwards.
import { existsSync } from 'node:fs';
import { loadDatabaseSettings } from '../lib/config/index.ts';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runScript } from '../lib/cli.ts';
import { generateApiKey } from '../lib/auth/api-key.ts';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { migrate } from '../lib/db/migrate.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { startTestServer } from '../tests/support/test-server.ts';
import {
  BIG_PROJECT,
  benchUrl,
  describeScale,
  loadInfo,
  machineDescription,
  markdownTable,
  ms,
  parseArgs,
  summarize,
  writeResultsSection,
} from './bench/common.ts';

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: () => string;
  expect: number;
  // a reference point, not a target: its answers are expected to be non-2xx
  baseline?: boolean;
  // overrides the API key header
  authorization?: string;
}

interface ScenarioResult {
  name: string;
  baseline: boolean;
  requests: number;
  requestsPerSecond: number;
  latency: ReturnType<typeof summarize>;
  errors: number;
  timeouts: number;
  non2xx: number;
  unexpectedStatus: number;
  seconds: number;
}

async function load(baseUrl: string, key: string, s: Scenario, seconds: number, connections: number): Promise<ScenarioResult> {
  const latencies: number[] = [];
  let unexpectedStatus = 0;
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    headers: { authorization: s.authorization ?? `Bearer ${key}`, 'content-type': 'application/json' },
    requests: [
      {
        method: s.method,
        path: s.path,
        ...(s.body ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, body: s.body!() }) } : {}),
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (status !== s.expect) unexpectedStatus++;
  });
  const result = (await instance) as {
    requests: { total: number; average: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  };
  return {
    name: s.name,
    baseline: s.baseline ?? false,
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    latency: summarize(latencies),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    unexpectedStatus,
    seconds: result.duration,
  };
}

async function createKey(sql: Sql): Promise<{ id: string; key: string }> {
  const generated = generateApiKey();
  const [row] = await sql<{ id: string }[]>`
    insert into api_keys (project_id, name, key_hash, key_prefix, scopes)
    values (${BIG_PROJECT}, ${`bench:http ${new Date().toISOString()}`}, ${generated.hash}, ${generated.displayPrefix}, ${['read', 'write']})
    returning id
  `;
  return { id: row!.id, key: generated.key };
}

function sampleBody(batch: number): () => string {
  let request = 0;
  return () => {
    const n = request++;
    // ten iterations, each filled in order: (iteration, sampleIndex) never repeats
    const iteration = n % 10;
    const base = Math.floor(n / 10) * batch;
    const samples = Array.from({ length: batch }, (_, i) => ({
      iteration,
      sampleIndex: base + i,
      input: { question: `What is ${base + i} + ${iteration}?` },
      output: { answer: String(base + i + iteration) },
      expected: { answer: String(base + i + iteration) },
      score: (base + i) % 4 === 0 ? 0 : 1,
      latencyMs: 120 + ((base + i) % 900),
      tokens: 250 + ((base + i) % 500),
      costUsd: 0.0006,
    }));
    return JSON.stringify({ samples });
  };
}

export async function runHttpBench(options: {
  url: string;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  batch: number;
  workers: number;
  log: (line: string) => void;
}): Promise<{ markdown: string; results: ScenarioResult[]; scale: string; serverErrors: number }> {
  const { url, seconds, connections, batch, workers, log } = options;
  if (!existsSync(path.join(PROJECT_ROOT, '.next/BUILD_ID'))) {
    throw new Error('no production build: run `npm run build` first');
  }
  await migrate(url);
  const sql = createSqlClient(url, { max: 1 });
  const info = await loadInfo(sql);
  const machine = await machineDescription(sql);
  const key = await createKey(sql);
  const [run] = await sql<{ id: string }[]>`
    insert into optimization_runs (project_id, run_name, optimizer_type, status)
    values (${BIG_PROJECT}, 'bench:http ingestion', 'miprov2', 'running')
    returning id
  `;
  const server = await startTestServer({
    mode: 'supabase',
    databaseUrl: url,
    env: { API_RATE_LIMIT_PER_MINUTE: '0', NODE_ENV: 'production' },
    workers,
  });
  log(`server ${server.baseUrl} on ${describeScale(info)}`);
  const scenarios: Scenario[] = [
    {
      name: 'baseline: GET /api/v1/runs with an unknown key (401 before any query)',
      method: 'GET',
      path: '/api/v1/runs',
      expect: 401,
      baseline: true,
      authorization: 'Bearer not-an-api-key',
    },
    { name: `GET /api/v1/runs (${BIG_PROJECT}, page of 20 + total)`, method: 'GET', path: '/api/v1/runs', expect: 200 },
    {
      name: `POST /api/v1/runs/{id}/samples (${batch} new samples a request)`,
      method: 'POST',
      path: `/api/v1/runs/${run!.id}/samples`,
      body: sampleBody(batch),
      expect: 201,
    },
  ];
  const results: ScenarioResult[] = [];
  let serverErrors = 0;
  try {
    for (const s of scenarios) {
      // warm-up (not counted): the routes' first requests, the pool's connections; the
      // sample bodies keep counting, so the measured requests still insert new samples
      await load(server.baseUrl, key.key, s, options.warmupSeconds, connections);
      const result = await load(server.baseUrl, key.key, s, seconds, connections);
      results.push(result);
      log(`${s.name}: ${Math.round(result.requestsPerSecond)} req/s, p50 ${ms(result.latency.p50)} p95 ${ms(result.latency.p95)} ` +
        `p99 ${ms(result.latency.p99)} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
    }
  } finally {
    await server.stop();
    // autocannon ends a run by closing its sockets: requests still being read then fail
    // with "aborted" on the server; those are the client's, not errors of the server
    const unexpected = server.logs().split('\n').filter((line) => /unexpected error/.test(line));
    const aborted = unexpected.filter((line) => /unexpected error: Error: aborted/.test(line)).length;
    serverErrors = unexpected.length - aborted;
    if (aborted) log(`${aborted} requests were cut off by the end of an autocannon run (client aborts)`);
    if (serverErrors) log(`server logged ${serverErrors} unexpected errors, e.g. ${unexpected.find((l) => !/aborted/.test(l))}`);
    await sql`delete from optimization_runs where id = ${run!.id}`;
    await sql`delete from api_keys where id = ${key.id}`;
    await sql.end({ timeout: 5 });
  }
  const table = markdownTable(
    ['endpoint', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'non-2xx'],
    results.map((r) => [
      r.name,
      r.requests.toLocaleString('en-US'),
      Math.round(r.requestsPerSecond).toLocaleString('en-US'),
      ms(r.latency.p50),
      ms(r.latency.p95),
      ms(r.latency.p99),
      String(r.errors + r.timeouts),
      r.baseline ? `${r.non2xx} (401, expected)` : String(r.non2xx + r.unexpectedStatus),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const list = results.find((r) => !r.baseline)!;
  const measured = results.filter((r) => !r.baseline);
  const listMet = list.requestsPerSecond >= 1000 && list.latency.p95 <= 50;
  const markdown = [
    `## HTTP benchmark — ${describeScale(info)}`,
    '',
    `Run ${new Date().toISOString()}: \`npm start\` (production build, Supabase mode, ${workers} server process${workers === 1 ? '' : 'es'} ` +
      `(WEB_CONCURRENCY), each with a pool of ${loadDatabaseSettings().poolMax} connections) and autocannon in this process, ` +
      `${connections} connections over loopback, ` +
      `${seconds} s per endpoint after a ${options.warmupSeconds} s warm-up; API key of ${BIG_PROJECT}, rate limit off.`,
    machine,
    '',
    table,
    '',
    `Target (full scale): GET /api/v1/runs ≥ 1,000 req/s with p95 ≤ 50 ms at 32 clients — ` +
      `${Math.round(list.requestsPerSecond).toLocaleString('en-US')} req/s, p95 ${ms(list.latency.p95)} ms: ${listMet ? 'met' : '**missed**'}. ` +
      `Errors and non-2xx must be zero: ${measured.every((r) => r.errors + r.timeouts + r.non2xx + r.unexpectedStatus === 0) && serverErrors === 0 ? 'zero' : '**not zero**'}` +
      ` (server-side unexpected errors: ${serverErrors}).`,
  ].join('\n');
  return { markdown, results, scale: info.scale, serverErrors };
}

if (import.meta.main) {
  await runScript(async () => {
    const args = parseArgs(process.argv.slice(2));
    const num = (name: string, fallback: number) => {
      const v = args.get(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
      return n;
    };
    const outcome = await runHttpBench({
      url: benchUrl(),
      seconds: num('duration', 20),
      warmupSeconds: num('warmup', 5),
      connections: num('connections', 32),
      batch: num('batch', 100),
      workers: num('workers', os.availableParallelism()),
      log: (line) => console.log(line),
    });
    console.log(`\n${outcome.markdown}\n`);
    if (!args.has('no-write')) {
      const section = outcome.scale === 'full' ? 'http-full' : 'http-ci';
      writeResultsSection(section, outcome.markdown);
      console.log(`written to bench/RESULTS.md (section ${section})`);
    }
    const bad =
      outcome.serverErrors > 0 ||
      outcome.results.some((r) => r.errors + r.timeouts + (r.baseline ? r.unexpectedStatus : r.non2xx + r.unexpectedStatus) > 0);
    if (bad) process.exitCode = 1;
  });
}
