// npm run bench [-- --iterations 200] [--warmup 20] [--no-write] [--section full|ci]
//
// Query benchmark against the database bench:load filled (BENCH_DATABASE_URL). For each
// of the schema document's seven query patterns (corrected forms, DESIGN.md errata), each
// helper function and the dashboard's heaviest list queries it measures p50/p95/p99
// through the DATA LAYER (lib/supabase-optimization) as a member of bench-big under RLS,
// next to the same query run RAW by the superuser with explicit filters and no RLS,
// interleaved in the same run after a warm-up. Each side has one connection, so neither
// gets parallelism the other lacks. Then sample ingestion: batchCreateOptimizationSamples
// in 5,000-row batches next to COPY of the same rows into the same table, and the
// analytics refresh. Prints a table and writes it to bench/RESULTS.md.
import { randomUUID } from 'node:crypto';
import { loadDatabaseSettings } from '../lib/config/index.ts';
import type { Fragment } from 'postgres';
import { runScript } from '../lib/cli.ts';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import {
  batchCreateOptimizationSamples,
  getOptimizationAnalytics,
  getOptimizationRunSummary,
  getOptimizationRunWithIterations,
  getTopRunsByScore,
  listOptimizationRuns,
  listOptimizationSamples,
  refreshOptimizationAnalytics,
  userScope,
  type CreateSampleInput,
  type ListRunsInput,
  type Scope,
} from '../lib/supabase-optimization/index.ts';
import {
  BENCH_USERS,
  BIG_PROJECT,
  benchUrl,
  databaseName,
  describeScale,
  elapsed,
  loadInfo,
  machineDescription,
  markdownTable,
  ms,
  parseArgs,
  summarize,
  userClaims,
  writeResultsSection,
  type LoadInfo,
} from './bench/common.ts';

// as the data layer counts: filtered totals up to the cap; from the run counts, exact
const COUNT_CAP = loadDatabaseSettings().runCountCap;
const PAGE = 20;

interface Case {
  group: string;
  name: string;
  // p95 target in ms at full scale (through the data layer)
  target: number;
  dl: () => Promise<unknown>;
  // runs on one reserved connection (its statements pipelined, as a data layer call's
  // are in its transaction)
  raw: (q: Sql) => Promise<unknown>;
  // rotates fixtures between iterations (runs to open, ...)
  next?: () => void;
}

export interface QueryResult {
  group: string;
  name: string;
  target: number;
  dl: ReturnType<typeof summarize>;
  raw: ReturnType<typeof summarize>;
  ratio: number;
}

export interface IngestResult {
  batches: number;
  batchSize: number;
  dlRowsPerSecond: number;
  copyRowsPerSecond: number;
  dlBatchMs: ReturnType<typeof summarize>;
  copyBatchMs: ReturnType<typeof summarize>;
}

export interface BenchOutcome {
  info: LoadInfo;
  queries: QueryResult[];
  ingest: IngestResult;
  refresh: { dl: ReturnType<typeof summarize>; raw: ReturnType<typeof summarize>; runs: number };
  markdown: string;
}

interface Fixtures {
  runIds: string[]; // completed runs of bench-big, with iterations
  sampleRunIds: string[]; // runs of bench-big with >= 100 samples in iteration 2
}

async function fixtures(sql: Sql): Promise<Fixtures> {
  const runs = await sql<{ id: string }[]>`
    select id from optimization_runs
    where project_id = ${BIG_PROJECT} and status = 'completed' and iterations > 0
    order by created_at desc, id desc
    limit 50 offset 1000
  `;
  const sampled = await sql<{ run_id: string }[]>`
    select run_id from optimization_samples
    where project_id = ${BIG_PROJECT} and iteration = 2 and sample_index = 99
    limit 20
  `;
  if (runs.length === 0) throw new Error(`${BIG_PROJECT} has no completed runs: is the data set loaded?`);
  if (sampled.length === 0) throw new Error(`${BIG_PROJECT} has no run with 100 samples in iteration 2`);
  return { runIds: runs.map((r) => r.id), sampleRunIds: sampled.map((r) => r.run_id) };
}

function decodeCursor(cursor: string): { v: string | null; id: string } {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: string | null; id: string };
}

// Follows nextCursor from page 1 to page `page` as the member; returns the cursor of that page.
async function cursorOfPage(scope: Scope, input: ListRunsInput, page: number): Promise<string> {
  let cursor: string | undefined;
  for (let i = 1; i < page; i++) {
    const result = await listOptimizationRuns(scope, { ...input, cursor });
    if (!result.nextCursor) throw new Error(`the listing ended at page ${i}, before page ${page}`);
    cursor = result.nextCursor;
  }
  return cursor!;
}

function rotate<T>(items: T[]): { current: () => T; next: () => void } {
  let i = 0;
  return { current: () => items[i % items.length]!, next: () => void i++ };
}

interface RawFilter {
  status?: string;
  tags?: string[];
  config?: Record<string, unknown>;
  minScore?: number;
  maxScore?: number;
}

// A list page and its total as the superuser would read them with explicit filters, the
// total computed the way the data layer computes it: from the run counts when the filter
// is only project (+ status), through the search entries index when there are tags or a
// config (total_optimization_runs).
function rawList(
  q: Sql,
  f: RawFilter,
  order: 'created' | 'score',
  after?: { v: string | null; id: string },
): Promise<unknown> {
  const P = BIG_PROJECT;
  const where: Fragment[] = [q`project_id = ${P}`];
  if (f.status) where.push(q`status = ${f.status}`);
  if (f.tags) where.push(q`tags @> ${f.tags}::text[]`);
  if (f.config) where.push(q`config @> ${q.json(f.config as never)}`);
  const scores: Fragment[] = [];
  if (f.minScore !== undefined) scores.push(q`final_score >= ${f.minScore}`);
  if (f.maxScore !== undefined) scores.push(q`final_score <= ${f.maxScore}`);
  where.push(...scores);
  const and = (xs: Fragment[]) => xs.reduce((acc, c) => q`${acc} and ${c}`);
  let page: Fragment;
  if (order === 'created') {
    const cursor = after ? q`and (created_at, id) < (${after.v}::text::timestamptz, ${after.id}::uuid)` : q``;
    page = q`select * from optimization_runs where ${and(where)} ${cursor} order by created_at desc, id desc limit ${PAGE + 1}`;
  } else {
    if (after && after.v !== null) {
      // as search_optimization_runs reads it: the scores past the cursor by a row
      // comparison that bounds the index scan, then the NULLs; the rows by their ids
      page = q`
        select r.* from (
          (select 0 as part, id, final_score as v from optimization_runs where ${and(where)}
            and (final_score, id) < (${after.v}::numeric, ${after.id}::uuid)
            order by final_score desc nulls last, id desc limit ${PAGE + 1})
          union all
          (select 1, id, null from optimization_runs where ${and(where)} and final_score is null
            order by id desc limit ${PAGE + 1})
          order by part, v desc, id desc limit ${PAGE + 1}
        ) p join optimization_runs r on r.id = p.id
        order by r.final_score desc nulls last, r.id desc`;
    } else {
      const cursor = after ? q`and final_score is null and id < ${after.id}::uuid` : q``;
      page = q`select * from optimization_runs where ${and(where)} ${cursor} order by final_score desc nulls last, id desc limit ${PAGE + 1}`;
    }
  }
  const cap = COUNT_CAP + 1;
  if (f.tags || f.config || f.minScore !== undefined || f.maxScore !== undefined) {
    return Promise.all([page, countedTotal(q, f, cap)]);
  }
  const total = q`select coalesce(sum(runs), 0)::int as n from private.run_counts
    where project_id = ${P} ${f.status ? q`and status = ${f.status}` : q``}`;
  return Promise.all([page, total]);
}

// A total that has to read runs: through the search entries index
// when there are tags or a config (a status most of the project's runs have, like
// bench-big's "completed", is checked on the rows, as total_optimization_runs does), else
// through the project's index.
function countedTotal(c: Sql, f: RawFilter, cap: number) {
  const P = BIG_PROJECT;
  const conditions: Fragment[] = [];
  if (f.minScore !== undefined) conditions.push(c`final_score >= ${f.minScore}`);
  if (f.maxScore !== undefined) conditions.push(c`final_score <= ${f.maxScore}`);
  if (f.status) conditions.push(c`status = ${f.status}`);
  const and = (xs: Fragment[]) => xs.reduce((acc, x) => c`${acc} and ${x}`);
  if (f.tags || f.config) {
    const sep = '\x1f';
    const entries = (f.tags ?? []).map((t) => `${P}${sep}t${sep}${t}`);
    const wanted = f.config ? c`${entries}::text[] || private.config_entries(${P}, ${c.json(f.config as never)})` : c`${entries}::text[]`;
    return c`select count(*)::int as n from (
      select from optimization_runs
      where private.run_search_entries(project_id, status, optimizer_type, tags, config) @> (${wanted})
        ${conditions.length ? c`and ${and(conditions)}` : c``}
      limit ${cap}) t`;
  }
  return c`select count(*)::int as n from (
    select from optimization_runs where project_id = ${P} and ${and(conditions)} limit ${cap}) t`;
}

async function buildCases(member: Scope, f: Fixtures, deepPage: number): Promise<Case[]> {
  const P = BIG_PROJECT;
  const runs = rotate(f.runIds);
  const sampleRuns = rotate(f.sampleRunIds);

  const deepCreated = await cursorOfPage(member, { projectId: P, limit: PAGE }, deepPage);
  const deepScore = await cursorOfPage(member, { projectId: P, orderBy: 'final_score', orderDirection: 'desc', limit: PAGE }, deepPage);
  const dc = decodeCursor(deepCreated);
  const ds = decodeCursor(deepScore);

  const tagsFilter = { tags: ['production', 'experiment-1'] };
  const configFilter = { model: 'gpt-4', 'miprov2.num_candidates': 10 };
  const combined = { status: 'completed' as const, tags: ['production'], config: { model: 'gpt-4o' }, minScore: 0.5, maxScore: 0.9 };

  return [
    {
      group: 'pattern',
      name: '1 list runs (status = completed, newest first, page 1 + total)',
      target: 5,
      dl: () => listOptimizationRuns(member, { projectId: P, status: 'completed', limit: PAGE }),
      raw: (q) => rawList(q, { status: 'completed' }, 'created'),
    },
    {
      group: 'pattern',
      name: '2 filter by tags @> {production, experiment-1} (page 1 + total)',
      target: 10,
      dl: () => listOptimizationRuns(member, { projectId: P, ...tagsFilter, limit: PAGE }),
      raw: (q) => rawList(q, tagsFilter, 'created'),
    },
    {
      group: 'pattern',
      name: '3 config @> {model: gpt-4, miprov2.num_candidates: 10} (page 1 + total)',
      target: 15,
      dl: () => listOptimizationRuns(member, { projectId: P, config: configFilter, limit: PAGE }),
      raw: (q) => rawList(q, { config: { model: 'gpt-4', miprov2: { num_candidates: 10 } } }, 'created'),
    },
    {
      group: 'pattern',
      name: '4 leaderboard (completed, final_score desc nulls last, top 10)',
      target: 3,
      dl: () => listOptimizationRuns(member, { projectId: P, status: 'completed', orderBy: 'final_score', orderDirection: 'desc', limit: 10 }),
      raw: (q) =>
        Promise.all([
          q`select * from optimization_runs where project_id = ${P} and status = 'completed'
            order by final_score desc nulls last, id desc limit 11`,
          q`select coalesce(sum(runs), 0)::int as n from private.run_counts
            where project_id = ${P} and status = 'completed'`,
        ]),
    },
    {
      group: 'pattern',
      name: '5 run with its iterations and best iteration (getOptimizationRunWithIterations: 2 statements)',
      target: 5,
      next: runs.next,
      dl: () => getOptimizationRunWithIterations(member, runs.current()),
      raw: (q) =>
        Promise.all([
          q`select * from optimization_runs where id = ${runs.current()}`,
          q`select * from optimization_iterations where run_id = ${runs.current()} order by iteration`,
        ]).then(([run, iterations]) => [run, iterations, iterations.find((i) => i.is_best) ?? null]),
    },
    {
      group: 'pattern',
      name: '6 samples of an iteration (100 by sample_index)',
      target: 10,
      next: sampleRuns.next,
      dl: () => listOptimizationSamples(member, { runId: sampleRuns.current(), iteration: 2, limit: 100 }),
      raw: (q) =>
        q`select * from optimization_samples where run_id = ${sampleRuns.current()} and iteration = 2
          order by iteration, sample_index limit 101`,
    },
    {
      group: 'pattern',
      name: '7 analytics of a project (project_optimization_analytics)',
      target: 2,
      dl: () => getOptimizationAnalytics(member, { projectId: P }),
      raw: (q) =>
        Promise.all([
          q`select * from optimization_run_analytics where project_id = ${P} order by project_id, optimizer_type, status`,
          q`select get_optimization_analytics_last_refresh() as at`,
        ]),
    },
    {
      group: 'helper',
      name: 'get_optimization_run_summary',
      target: 1,
      next: runs.next,
      dl: () => getOptimizationRunSummary(member, runs.current()),
      raw: (q) => q`select * from get_optimization_run_summary(${runs.current()})`,
    },
    {
      group: 'helper',
      name: 'get_top_runs_by_score (10)',
      target: 5,
      dl: () => getTopRunsByScore(member, P, 10),
      raw: (q) => q`select * from get_top_runs_by_score(${P}, 10)`,
    },
    {
      group: 'dashboard',
      name: `all runs of ${P}, page 1 + total`,
      target: 5,
      dl: () => listOptimizationRuns(member, { projectId: P, limit: PAGE }),
      raw: (q) => rawList(q, {}, 'created'),
    },
    {
      group: 'dashboard',
      name: 'status + tags + config + score range, page 1 + total',
      target: 15,
      dl: () => listOptimizationRuns(member, { projectId: P, ...combined, limit: PAGE }),
      raw: (q) => rawList(q, combined, 'created'),
    },
    {
      group: 'dashboard',
      name: 'ordered by final_score desc, page 1 + total',
      target: 5,
      dl: () => listOptimizationRuns(member, { projectId: P, orderBy: 'final_score', orderDirection: 'desc', limit: PAGE }),
      raw: (q) => rawList(q, {}, 'score'),
    },
    {
      group: 'dashboard',
      name: `page ${deepPage} by cursor (newest first) + total`,
      target: 5,
      dl: () => listOptimizationRuns(member, { projectId: P, limit: PAGE, cursor: deepCreated }),
      raw: (q) => rawList(q, {}, 'created', dc),
    },
    {
      group: 'dashboard',
      name: `page ${deepPage} by cursor (final_score desc) + total`,
      target: 5,
      dl: () => listOptimizationRuns(member, { projectId: P, orderBy: 'final_score', orderDirection: 'desc', limit: PAGE, cursor: deepScore }),
      raw: (q) => rawList(q, {}, 'score', ds),
    },
  ];
}

async function measure(c: Case, rawSql: Sql, iterations: number, warmup: number): Promise<QueryResult> {
  const dlTimes: number[] = [];
  const rawTimes: number[] = [];
  const reserved = await rawSql.reserve();
  // raw gets its best plans: never a generic plan for a prepared statement (the data
  // layer's searches are planned with their values too)
  await reserved`set plan_cache_mode = force_custom_plan`;
  const rawCall = () => c.raw(reserved);
  const once = async (fn: () => Promise<unknown>, into: number[] | null) => {
    const t = process.hrtime.bigint();
    await fn();
    if (into) into.push(elapsed(t));
  };
  for (let i = 0; i < warmup + iterations; i++) {
    const keep = i >= warmup;
    // alternate which side goes first, so neither always runs on a warmer cache
    if (i % 2 === 0) {
      await once(c.dl, keep ? dlTimes : null);
      await once(rawCall, keep ? rawTimes : null);
    } else {
      await once(rawCall, keep ? rawTimes : null);
      await once(c.dl, keep ? dlTimes : null);
    }
    c.next?.();
  }
  // session settings must not reach the pool's other users (COPY's foreign-key checks
  // would be re-planned for every row)
  await reserved`reset plan_cache_mode`;
  reserved.release();
  const dl = summarize(dlTimes);
  const raw = summarize(rawTimes);
  return { group: c.group, name: c.name, target: c.target, dl, raw, ratio: dl.p50 / raw.p50 };
}

// The same rows both ways: a sample batch as the API receives it, and as COPY text.
function sampleBatch(runId: string, iteration: number, start: number, size: number): CreateSampleInput[] {
  return Array.from({ length: size }, (_, i) => {
    const a = ((start + i) * 7919) % 500;
    const b = ((start + i) * 104729) % 500;
    return {
      runId,
      iteration,
      sampleIndex: start + i,
      input: { question: `A store sells ${a} apples on Monday and ${b} on Tuesday. How many apples did it sell?`, id: `ex-${a * 997 + b}` },
      output: { answer: String(a + b), reasoning: `Add ${a} and ${b}.` },
      expected: { answer: String(a + b) },
      score: (a + b) % 3 === 0 ? 0.5 : 1,
      latencyMs: 150 + ((a * b) % 2850),
      tokens: 300 + ((a + b) % 2700),
      costUsd: 0.00075,
      programHash: 'abcdef0123456789',
      metadata: {},
    };
  });
}

// COPY text format: backslash, tab, newline and carriage return escaped; \N is null.
// JSON.stringify never writes a raw control character, so JSON only needs its backslashes
// doubled.
const COPY_SPECIAL = /[\\\t\n\r]/;

function copyField(v: unknown): string {
  if (v === undefined || v === null) return '\\N';
  const s = String(v);
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : s;
}

function copyJson(v: unknown): string {
  if (v === undefined || v === null) return '\\N';
  const s = JSON.stringify(v);
  return s.includes('\\') ? s.replace(/\\/g, '\\\\') : s;
}

function copyText(projectId: string, iterationId: string | null, rows: CreateSampleInput[]): string {
  let out = '';
  for (const s of rows) {
    out +=
      `${s.runId}\t${projectId}\t${s.iteration}\t${iterationId ?? '\\N'}\t${s.sampleIndex}\t` +
      `${copyJson(s.input ?? {})}\t${copyJson(s.output)}\t${copyJson(s.expected)}\t${copyField(s.score)}\t` +
      `${copyField(s.error)}\t${copyField(s.latencyMs)}\t${copyField(s.tokens ?? 0)}\t${copyField(s.costUsd ?? 0)}\t` +
      `${copyField(s.programHash)}\t${copyJson(s.metadata ?? {})}\n`;
  }
  return out;
}

async function copySamples(raw: Sql, text: string): Promise<void> {
  const stream = await raw`
    copy optimization_samples (run_id, project_id, iteration, iteration_id, sample_index, input, output, expected,
                               score, error, latency_ms, tokens, cost_usd, program_hash, metadata)
    from stdin
  `.writable();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(text);
  });
}

// Two fresh runs of bench-big (one per side, each with one iteration per batch), then
// batches interleaved: data layer as the member, COPY as the superuser. Removed afterwards.
async function benchIngest(raw: Sql, member: Scope, batches: number, batchSize: number): Promise<IngestResult> {
  const dlRun = randomUUID();
  const copyRun = randomUUID();
  const owner = member.claims.sub ?? null;
  await raw`
    insert into optimization_runs (id, project_id, run_name, optimizer_type, status, created_by)
    values (${dlRun}, ${BIG_PROJECT}, 'bench ingest (data layer)', 'miprov2', 'running', ${owner}),
           (${copyRun}, ${BIG_PROJECT}, 'bench ingest (COPY)', 'miprov2', 'running', ${owner})
  `;
  const iterationIds: string[] = [];
  for (let i = 0; i < batches; i++) {
    const [dlIt] = await raw<{ id: string }[]>`
      insert into optimization_iterations (run_id, project_id, iteration, score) values (${dlRun}, ${BIG_PROJECT}, ${i}, 0.5) returning id
    `;
    const [copyIt] = await raw<{ id: string }[]>`
      insert into optimization_iterations (run_id, project_id, iteration, score) values (${copyRun}, ${BIG_PROJECT}, ${i}, 0.5) returning id
    `;
    void dlIt;
    iterationIds.push(copyIt!.id);
  }
  const dlTimes: number[] = [];
  const copyTimes: number[] = [];
  try {
    // one warm-up batch each (iteration `batches` has no iteration row: iteration_id stays null both ways)
    await batchCreateOptimizationSamples(member, sampleBatch(dlRun, batches, 0, batchSize));
    await copySamples(raw, copyText(BIG_PROJECT, null, sampleBatch(copyRun, batches, 0, batchSize)));
    for (let i = 0; i < batches; i++) {
      const dlRows = sampleBatch(dlRun, i, 0, batchSize);
      const copyRows = sampleBatch(copyRun, i, 0, batchSize);
      const runDl = async () => {
        const t = process.hrtime.bigint();
        const result = await batchCreateOptimizationSamples(member, dlRows);
        dlTimes.push(elapsed(t));
        if (result.inserted !== batchSize) throw new Error(`expected ${batchSize} inserted samples, got ${JSON.stringify(result)}`);
      };
      const runCopy = async () => {
        const t = process.hrtime.bigint();
        await copySamples(raw, copyText(BIG_PROJECT, iterationIds[i]!, copyRows));
        copyTimes.push(elapsed(t));
      };
      if (i % 2 === 0) {
        await runDl();
        await runCopy();
      } else {
        await runCopy();
        await runDl();
      }
    }
  } finally {
    await raw`delete from optimization_runs where id in (${dlRun}, ${copyRun})`;
  }
  const total = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return {
    batches,
    batchSize,
    dlRowsPerSecond: (batches * batchSize) / (total(dlTimes) / 1000),
    copyRowsPerSecond: (batches * batchSize) / (total(copyTimes) / 1000),
    dlBatchMs: summarize(dlTimes),
    copyBatchMs: summarize(copyTimes),
  };
}

async function benchRefresh(raw: Sql, admin: Scope, runs: number) {
  const dlTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = process.hrtime.bigint();
    const result = await refreshOptimizationAnalytics(admin, { minIntervalSeconds: 0 });
    if (!result.refreshed) throw new Error('the analytics refresh did not run');
    dlTimes.push(elapsed(t));
    t = process.hrtime.bigint();
    await raw`select * from refresh_optimization_analytics()`;
    rawTimes.push(elapsed(t));
  }
  return { dl: summarize(dlTimes), raw: summarize(rawTimes), runs };
}

// The data layer and the raw query must return the same runs, or the comparison is void.
async function checkSameResults(member: Scope, raw: Sql): Promise<void> {
  const input = { projectId: BIG_PROJECT, status: 'completed' as const, tags: ['production'], limit: PAGE };
  const page = await listOptimizationRuns(member, input);
  const rows = await raw<{ id: string }[]>`
    select id from optimization_runs where project_id = ${BIG_PROJECT} and status = 'completed' and tags @> ${['production']}::text[]
    order by created_at desc, id desc limit ${PAGE}
  `;
  const [count] = await raw<{ n: number }[]>`
    select count(*)::int as n from optimization_runs where project_id = ${BIG_PROJECT} and status = 'completed' and tags @> ${['production']}::text[]
  `;
  if (page.data.map((r) => r.id).join() !== rows.map((r) => r.id).join()) throw new Error('data layer and raw query return different runs');
  if (page.total !== Math.min(count!.n, COUNT_CAP)) throw new Error(`data layer total ${page.total} but ${count!.n} runs match`);
}

export async function runBench(options: {
  url: string;
  iterations: number;
  warmup: number;
  deepPage: number;
  ingestBatches: number;
  refreshRuns: number;
  // case names containing this (for a quick look at a few; skips ingestion and refresh)
  only?: string;
  log: (line: string) => void;
}): Promise<BenchOutcome> {
  const { url, iterations, warmup, log } = options;
  // The data layer's pool and the superuser's: a data layer call is one transaction on one
  // connection (its statements pipelined), and each raw case runs on one reserved
  // connection (its statements pipelined too).
  const dl = createSqlClient(url, { max: 3 });
  const raw = createSqlClient(url, { max: 3 });
  try {
    const info = await loadInfo(raw);
    const member = userScope(await userClaims(raw, BENCH_USERS.member), dl);
    const admin = userScope(await userClaims(raw, BENCH_USERS.admin), dl);
    const machine = await machineDescription(raw);
    log(`${databaseName(url)}: ${describeScale(info)}`);
    await checkSameResults(member, raw);
    const f = await fixtures(raw);
    const cases = await buildCases(member, f, options.deepPage);
    const queries: QueryResult[] = [];
    for (const c of cases.filter((c) => !options.only || c.name.includes(options.only))) {
      const result = await measure(c, raw, iterations, warmup);
      queries.push(result);
      log(`${c.name}: data layer p50 ${ms(result.dl.p50)} p95 ${ms(result.dl.p95)} ms; raw p50 ${ms(result.raw.p50)} p95 ${ms(result.raw.p95)} ms`);
    }
    if (options.only) {
      const empty = summarize([]);
      const ingest = { batches: 0, batchSize: 0, dlRowsPerSecond: NaN, copyRowsPerSecond: NaN, dlBatchMs: empty, copyBatchMs: empty };
      const refresh = { dl: empty, raw: empty, runs: 0 };
      return { info, queries, ingest, refresh, markdown: report(info, machine, queries, ingest, refresh, iterations, warmup) };
    }
    const ingest = await benchIngest(raw, member, options.ingestBatches, 5000);
    log(`ingestion: data layer ${Math.round(ingest.dlRowsPerSecond)} rows/s, COPY ${Math.round(ingest.copyRowsPerSecond)} rows/s`);
    const refresh = await benchRefresh(raw, admin, options.refreshRuns);
    log(`analytics refresh: data layer p50 ${ms(refresh.dl.p50)} ms, raw p50 ${ms(refresh.raw.p50)} ms`);
    const markdown = report(info, machine, queries, ingest, refresh, iterations, warmup);
    return { info, queries, ingest, refresh, markdown };
  } finally {
    await dl.end({ timeout: 5 });
    await raw.end({ timeout: 5 });
  }
}

function report(
  info: LoadInfo,
  machine: string,
  queries: QueryResult[],
  ingest: IngestResult,
  refresh: BenchOutcome['refresh'],
  iterations: number,
  warmup: number,
): string {
  const full = info.scale === 'full';
  const verdict = (ok: boolean) => (ok ? 'met' : full ? '**missed**' : 'over');
  const rows = queries.map((q) => [
    q.group,
    q.name,
    `≤ ${q.target}`,
    ms(q.dl.p50),
    ms(q.dl.p95),
    ms(q.dl.p99),
    ms(q.raw.p50),
    ms(q.raw.p95),
    ms(q.raw.p99),
    `${q.ratio.toFixed(2)}×`,
    `${verdict(q.dl.p95 <= q.target)} / ${verdict(q.ratio <= 1.5)}`,
  ]);
  const table = markdownTable(
    ['kind', 'query', 'p95 target', 'DL p50', 'DL p95', 'DL p99', 'raw p50', 'raw p95', 'raw p99', 'DL/raw p50', 'p95 / ratio ≤ 1.5×'],
    rows,
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const ingestRatio = ingest.dlRowsPerSecond / ingest.copyRowsPerSecond;
  const ingestTable = markdownTable(
    ['path', 'rows/s', 'batch p50 ms', 'batch p95 ms'],
    [
      ['batchCreateOptimizationSamples (member, RLS)', Math.round(ingest.dlRowsPerSecond).toLocaleString('en-US'), ms(ingest.dlBatchMs.p50), ms(ingest.dlBatchMs.p95)],
      ['COPY … FROM STDIN (superuser)', Math.round(ingest.copyRowsPerSecond).toLocaleString('en-US'), ms(ingest.copyBatchMs.p50), ms(ingest.copyBatchMs.p95)],
    ],
    ['l', 'r', 'r', 'r'],
  );
  return [
    `## Query benchmark — ${describeScale(info)}`,
    '',
    `Run ${new Date().toISOString()}; data set seed ${info.seed}, loaded ${info.loadedAt} in ${info.loadSeconds} s.`,
    machine,
    '',
    `Milliseconds; ${iterations} iterations per side after ${warmup} warm-up iterations, data layer (DL) and raw interleaved;`,
    'a DL call is one transaction on one connection, a raw case runs its statements on one reserved connection.',
    `DL: lib/supabase-optimization as a member of ${BIG_PROJECT} under RLS (withUserScope).`,
    'Raw: the same statements (same rows, same total, computed the same way) as the superuser with explicit filters,',
    'no RLS, no transaction. List queries include the `total`: from the run counts (exact) when the filter is only project and',
    `status, else counted up to ${(COUNT_CAP + 1).toLocaleString('en-US')} — on both sides.`,
    '',
    table,
    // --only measures the queries alone
    ...(ingest.batches === 0
      ? []
      : [
          '',
          `Sample ingestion: ${ingest.batches} batches of ${ingest.batchSize.toLocaleString('en-US')} rows each way, interleaved, into ` +
            `optimization_samples (${info.samples.toLocaleString('en-US')} rows); data layer / COPY = ${ingestRatio.toFixed(2)} (target ≥ 0.5: ${verdict(ingestRatio >= 0.5)}).`,
          '',
          ingestTable,
          '',
          `Analytics refresh (refresh_optimization_analytics, REFRESH … CONCURRENTLY over ${info.runs.toLocaleString('en-US')} runs), ` +
            `${refresh.runs} each: data layer (project admin) p50 ${ms(refresh.dl.p50)} ms, max ${ms(Math.max(refresh.dl.p99))} ms; ` +
            `raw p50 ${ms(refresh.raw.p50)} ms.`,
        ]),
  ].join('\n');
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
    const url = benchUrl();
    const outcome = await runBench({
      url,
      iterations: num('iterations', 200),
      warmup: num('warmup', 20),
      deepPage: num('deep-page', 500),
      ingestBatches: num('ingest-batches', 10),
      refreshRuns: num('refresh-runs', 5),
      only: typeof args.get('only') === 'string' ? (args.get('only') as string) : undefined,
      log: (line) => console.log(line),
    });
    console.log(`\n${outcome.markdown}\n`);
    if (!args.has('no-write') && !args.has('only')) {
      const key = outcome.info.scale === 'full' ? 'queries-full' : 'queries-ci';
      writeResultsSection(key, outcome.markdown);
      console.log(`written to bench/RESULTS.md (section ${key})`);
    }
  });
}
