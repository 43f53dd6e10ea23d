// npm run bench:load [-- --scale full|ci|<runs>] [--seed N] [--keep-existing]
//
// Fills the benchmark database (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/optiscope_bench) with a realistic, seed-reproducible
// data set: at full scale 1,000 projects, 1,000,000 runs (bench-big has 200,000), 10
// iterations a run and 10,000,000 samples. The database is (re)created and migrated first.
//
// Every row is generated inside PostgreSQL (insert … select … from generate_series), with
// randomness from hashint8extended(key, seed): a pure function of the seed and the row, so
// the same seed gives the same data whatever the plan. For speed the three big tables
// are loaded without their indexes and foreign keys, in transactions with
// `SET LOCAL optiscope.bulk_load = 'on'`, where the statistics, best-iteration, usage and
// run-count trigger functions return at once (triggers stay enabled: Citus refuses
// ALTER TABLE … DISABLE TRIGGER, and SET LOCAL reaches its workers); run statistics
// and is_best are computed set-based from the loaded iterations instead (DESIGN.md errata 7, the
// same formulas as private.recompute_run_statistics / private.recompute_best_iteration,
// checked against those functions on a sample of runs), then the indexes and constraints
// are rebuilt (foreign keys validated), the tables vacuumed (before the index builds, so
// without index passes) and analyzed, and the analytics refreshed.
import { runScript } from '../lib/cli.ts';
import { createSqlClient, type Sql, type TransactionSql } from '../lib/db/client.ts';
import { migrate } from '../lib/db/migrate.ts';
import {
  BENCH_USERS,
  BIG_PROJECT,
  benchUrl,
  createDatabase,
  databaseName,
  describeScale,
  elapsed,
  parseArgs,
  type LoadInfo,
} from './bench/common.ts';

export interface Scale {
  name: string;
  projects: number;
  runs: number;
  bigRuns: number;
  iterationsPerRun: number;
  samples: number;
}

export const SCALES: Record<'full' | 'ci', Scale> = {
  full: { name: 'full', projects: 1000, runs: 1_000_000, bigRuns: 200_000, iterationsPerRun: 10, samples: 10_000_000 },
  ci: { name: 'ci', projects: 20, runs: 20_000, bigRuns: 5_000, iterationsPerRun: 5, samples: 20_000 },
};

// --scale full | ci | <number of runs> (the rest scaled as at full scale).
export function parseScale(raw: string | undefined): Scale {
  if (!raw || raw === 'full') return SCALES.full;
  if (raw === 'ci') return SCALES.ci;
  const runs = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(runs) || runs < 100 || runs > 10_000_000) {
    throw new Error(`--scale must be full, ci or a number of runs from 100 to 10,000,000; got ${raw}`);
  }
  return {
    name: String(runs),
    projects: Math.max(5, Math.round(runs / 1000)),
    runs,
    bigRuns: Math.round(runs * 0.2),
    iterationsPerRun: 10,
    samples: runs * 10,
  };
}

const BIG_TABLES = ['optimization_runs', 'optimization_iterations', 'optimization_samples'];
// Samples per iteration of the runs that have samples, cycled (mean 40).
const SAMPLES_PER_ITERATION = [10, 20, 50, 100, 20];
// Where the generated timeline ends (fixed, so a seed always gives the same data).
const TIMELINE_END = '2026-11-01T00:00:00Z';

interface Options {
  url: string;
  scale: Scale;
  seed: number;
  log: (line: string) => void;
}

export async function loadBenchData(options: Options): Promise<LoadInfo> {
  const { url, scale, seed, log } = options;
  const started = process.hrtime.bigint();
  await createDatabase(url, { replace: true });
  const migration = await migrate(url);
  log(`created ${databaseName(url)} and applied ${migration.applied.length} migrations`);
  const sql = createSqlClient(url, { max: 1, prepare: false });
  try {
    await sql.unsafe(`
      set synchronous_commit = off;
      set work_mem = '512MB';
      set maintenance_work_mem = '1GB';
      set max_parallel_workers_per_gather = 0;
      set max_parallel_maintenance_workers = 1;
      set client_min_messages = warning;
    `);
    const step = async (label: string, fn: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await fn();
      log(`${label} (${(elapsed(t) / 1000).toFixed(1)} s)`);
    };
    await requireBulkAwareTriggers(sql);
    await defineRandom(sql, seed);
    await step('users, projects, members, API keys', () => loadTenancy(sql, scale, seed));
    const t0 = process.hrtime.bigint();
    const saved = await dropIndexes(sql);
    log(`dropped ${saved.indexes.length} indexes and ${saved.constraints.length} constraints of the big tables (${(elapsed(t0) / 1000).toFixed(1)} s)`);
    await step(`runs plan (${scale.runs.toLocaleString('en-US')} runs)`, () => planRuns(sql, scale, seed));
    await step(`iterations (${scale.iterationsPerRun} a run), is_best set-based`, () => inBulk(sql, (tx) => loadIterations(tx, seed)));
    await step('runs, with statistics recomputed from their iterations', () => inBulk(sql, (tx) => loadRuns(tx, seed)));
    // the run counts behind the runs list's total (kept by triggers, which skip a bulk load)
    await step('run counts recomputed', () => sql`select private.recompute_run_counts()`);
    await step(`samples (${scale.samples.toLocaleString('en-US')})`, () => inBulk(sql, (tx) => loadSamples(tx, scale, seed)));
    // Before the indexes exist: sets the visibility map (index-only scans) without index
    // passes. WAL is flushed first: VACUUM marks a page all-visible only once it could set
    // the hint bits, which waits for the (asynchronous) commits to reach the disk.
    await sql.unsafe('set synchronous_commit = on');
    await sql`select txid_current()`;
    await step('VACUUM', () => sql.unsafe(`vacuum ${BIG_TABLES.join(', ')}, project_config, project_members, api_keys, auth.users`));
    await step('indexes and constraints (foreign keys validated) restored', () => restoreIndexes(sql, saved, log));
    await step('ANALYZE', () => sql.unsafe(`analyze ${BIG_TABLES.join(', ')}, project_config, project_members, api_keys, auth.users`));
    await step('recomputed statistics checked against private.recompute_run_statistics / recompute_best_iteration', () => verifyRecompute(sql));
    await step('analytics refreshed', () => sql`select * from refresh_optimization_analytics()`);
    const visible = await sql<{ relname: string; pct: number }[]>`
      select relname, round(100.0 * relallvisible / greatest(relpages, 1), 1)::float as pct
      from pg_class where relname = any (${BIG_TABLES}) order by relname
    `;
    log(`all-visible pages: ${visible.map((v) => `${v.relname} ${v.pct}%`).join(', ')}`);
    await sql.unsafe('drop table if exists bench_runs, bench_sampled');
    const [counts] = await sql<{ projects: number; runs: number; big: number; iterations: number; samples: number }[]>`
      select (select count(*)::int from project_config) as projects,
             (select count(*)::int from optimization_runs) as runs,
             (select count(*)::int from optimization_runs where project_id = ${BIG_PROJECT}) as big,
             (select count(*)::int from optimization_iterations) as iterations,
             (select count(*)::int from optimization_samples) as samples
    `;
    const info: LoadInfo = {
      scale: scale.name,
      seed,
      projects: counts!.projects,
      runs: counts!.runs,
      bigRuns: counts!.big,
      iterations: counts!.iterations,
      samples: counts!.samples,
      loadSeconds: Math.round(elapsed(started) / 1000),
      loadedAt: new Date().toISOString(),
    };
    await sql.unsafe(`
      create schema if not exists bench_meta;
      create table if not exists bench_meta.load (loaded_at timestamptz not null default now(), info jsonb not null);
    `);
    await sql`insert into bench_meta.load (info) values (${sql.json(info as never)})`;
    const [size] = await sql<{ size: string }[]>`select pg_size_pretty(pg_database_size(current_database())) as size`;
    log(`done: ${describeScale(info)}; database ${size!.size}; ${info.loadSeconds} s`);
    return info;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// r(key, salt): uniform in [0, 1), a pure function of (seed, salt, key).
async function defineRandom(sql: Sql, seed: number): Promise<void> {
  const base = BigInt(seed) * 1000n;
  await sql.unsafe(`
    create or replace function pg_temp.r(k bigint, salt integer) returns double precision
    language sql immutable parallel safe
    as $$ select (hashint8extended(k, ${base} + salt) & 9007199254740991)::double precision / 9007199254740992 $$;
    -- a version-4-shaped UUID derived from a text key (the data layer accepts RFC 9562 UUIDs only)
    create or replace function pg_temp.uid(key text) returns uuid
    language sql immutable parallel safe
    as $$ select (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid from md5(key) h $$;
  `);
}

function lit(value: string | number | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

// A weighted pick as a CASE over one uniform value.
function pick(u: string, choices: Array<[string | number | null, number]>): string {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const branches = choices.slice(0, -1).map(([value, w]) => {
    acc += w / total;
    return `when ${u} < ${acc.toFixed(6)} then ${lit(value)}`;
  });
  return `(case ${branches.join(' ')} else ${lit(choices[choices.length - 1]![0])} end)`;
}

function uuidOf(seed: number, kind: string, ...parts: string[]): string {
  return `pg_temp.uid('${seed}/${kind}/' || ${parts.join(" || '/' || ")})`;
}

// Zipf-like project sizes: bench-big fixed, the other projects' runs ∝ rank^-0.7.
export function projectSizes(scale: Scale): Array<{ id: string; runs: number }> {
  const others = scale.projects - 1;
  const rest = scale.runs - scale.bigRuns;
  const weights = Array.from({ length: others }, (_, i) => (i + 1) ** -0.7);
  const sum = weights.reduce((s, w) => s + w, 0);
  const counts = weights.map((w) => Math.floor((w / sum) * rest));
  let left = rest - counts.reduce((s, c) => s + c, 0);
  for (let i = 0; left > 0; i = (i + 1) % others, left--) counts[i]!++;
  return [
    { id: BIG_PROJECT, runs: scale.bigRuns },
    ...counts.map((runs, i) => ({ id: `bench-${String(i + 1).padStart(4, '0')}`, runs })),
  ];
}

const TEAMS = ['search', 'support', 'ads', 'legal', 'health', 'finance', 'edu', 'code', 'retail', 'travel'];
const TASKS = ['qa', 'rag', 'classifier', 'extractor', 'summarizer', 'router', 'agent', 'grader'];

async function loadTenancy(sql: Sql, scale: Scale, seed: number): Promise<void> {
  const sizes = projectSizes(scale);
  const ids = sizes.map((p) => p.id);
  const names = sizes.map((p, i) =>
    p.id === BIG_PROJECT ? 'Bench: the big project' : `${TEAMS[i % TEAMS.length]} ${TASKS[(i * 7) % TASKS.length]} ${i}`,
  );
  const userLabels = Object.entries(BENCH_USERS);
  const extraUsers = scale.projects * 3;
  await sql`
    insert into auth.users (id, email, created_at)
    select pg_temp.uid(${`${seed}/user/`} || email)::uuid, email, ${TIMELINE_END}::timestamptz - interval '400 days'
    from unnest(${userLabels.map(([, email]) => email)}::text[]) email
    union all
    select pg_temp.uid(${`${seed}/user/`} || g)::uuid, 'user' || g || '@bench.optiscope.test',
           ${TIMELINE_END}::timestamptz - interval '400 days' + g * interval '1 minute'
    from generate_series(1, ${extraUsers}) g
  `;
  const owner = sql`pg_temp.uid(${`${seed}/user/`} || ${BENCH_USERS.owner})::uuid`;
  await sql`
    insert into project_config (id, name, description, created_by, created_at, updated_at)
    select id, name, case when ord % 3 = 0 then 'Prompt optimization for ' || name end, ${owner},
           ${TIMELINE_END}::timestamptz - interval '380 days' + ord * interval '1 hour',
           ${TIMELINE_END}::timestamptz - interval '380 days' + ord * interval '1 hour'
    from unnest(${ids}::text[], ${names}::text[]) with ordinality as p(id, name, ord)
  `;
  // The owner owns everything; the member and the admin are where the benchmarks need them.
  const memberProjects = [BIG_PROJECT, ...[1, 10, 100, 500].filter((k) => k < scale.projects).map((k) => `bench-${String(k).padStart(4, '0')}`)];
  await sql`
    insert into project_members (project_id, user_id, role, created_at)
    select id, ${owner}, 'owner', ${TIMELINE_END}::timestamptz - interval '380 days' from unnest(${ids}::text[]) id
    union all
    select id, pg_temp.uid(${`${seed}/user/`} || ${BENCH_USERS.member})::uuid, case when id = ${BIG_PROJECT} then 'member' else (array['member', 'viewer'])[1 + ord::int % 2] end,
           ${TIMELINE_END}::timestamptz - interval '300 days'
    from unnest(${memberProjects}::text[]) with ordinality as m(id, ord)
    union all
    select ${BIG_PROJECT}, pg_temp.uid(${`${seed}/user/`} || ${BENCH_USERS.admin})::uuid, 'admin', ${TIMELINE_END}::timestamptz - interval '300 days'
  `;
  // Everyone else: two or three memberships each, so the membership table has a realistic size.
  await sql`
    insert into project_members (project_id, user_id, role, created_at)
    select distinct on (p.id, g) p.id, pg_temp.uid(${`${seed}/user/`} || g)::uuid,
           (array['admin', 'member', 'member', 'member', 'viewer'])[1 + (g + j) % 5],
           ${TIMELINE_END}::timestamptz - interval '300 days' + g * interval '1 minute'
    from generate_series(1, ${extraUsers}) g
    cross join generate_series(0, 1 + g % 2) j
    join unnest(${ids}::text[]) with ordinality as p(id, ord)
      on p.ord = 1 + (hashint8extended(g * 4 + j, ${seed}) & 2147483647) % ${ids.length}
    order by p.id, g
  `;
  // API keys belong to projects (the HTTP benchmark creates its own and deletes it).
  await sql`
    insert into api_keys (project_id, name, key_hash, key_prefix, scopes, created_by, created_at)
    select id, 'ci', encode(sha256(convert_to(${`${seed}/key/`} || id, 'UTF8')), 'hex'),
           'osk_' || substr(md5(${`${seed}/key/`} || id), 1, 4) || '…' || substr(md5(id), 1, 4),
           array['read', 'write'], ${owner}, ${TIMELINE_END}::timestamptz - interval '200 days'
    from unnest(${ids}::text[]) id
  `;
  await sql.unsafe(`
    create temp table bench_projects (project_id text not null, lo integer not null, hi integer not null);
  `);
  let lo = 1;
  const rows = sizes.map((p) => {
    const row = { project_id: p.id, lo, hi: lo + p.runs - 1 };
    lo += p.runs;
    return row;
  });
  await sql`insert into bench_projects ${sql(rows)}`;
}

interface SavedDdl {
  indexes: Array<{ name: string; def: string }>;
  constraints: Array<{ table: string; name: string; def: string; type: string }>;
}

// A bulk load's statements run in one transaction with optiscope.bulk_load on: the trigger
// functions that keep statistics, is_best, usage and run counts return at once (the loader
// computes those set-based), and the setting ends with the transaction.
type Load = Sql | TransactionSql;

// Every AFTER INSERT trigger on a big table must skip a bulk load (in its function or its
// WHEN clause): one that does not runs once a row against tables without their indexes.
async function requireBulkAwareTriggers(sql: Sql): Promise<void> {
  const unaware = await sql<{ name: string }[]>`
    select t.tgrelid::regclass::text || '.' || t.tgname as name
    from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where not t.tgisinternal
      and t.tgrelid = any (${BIG_TABLES.map((name) => `public.${name}`)}::regclass[])
      and t.tgtype & 4 <> 0 and t.tgtype & (2 | 64) = 0 -- insert, after
      and p.prosrc !~ 'optiscope\.bulk_load' and pg_get_triggerdef(t.oid) !~ 'optiscope\.bulk_load'
    order by 1
  `;
  if (unaware.length) {
    throw new Error(
      `these triggers do not skip a bulk load (current_setting('optiscope.bulk_load', true) = 'on'): ` +
        `${unaware.map((t) => t.name).join(', ')}; the schema must return early in them before the loader can run`,
    );
  }
}

async function inBulk(sql: Sql, load: (tx: TransactionSql) => Promise<void>): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe(`set local optiscope.bulk_load = 'on'`);
    await load(tx);
  });
}

async function dropIndexes(sql: Sql): Promise<SavedDdl> {
  const tables = BIG_TABLES.map((t) => `public.${t}`);
  const constraints = await sql<{ table: string; name: string; def: string; type: string }[]>`
    select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def, c.contype::text as type
    from pg_constraint c
    -- foreign keys of other tables that point into the big ones go too (their keys are dropped)
    where (c.conrelid = any (${tables}::regclass[]) and c.contype in ('p', 'u', 'f'))
       or (c.confrelid = any (${tables}::regclass[]) and c.contype = 'f')
    order by case c.contype when 'f' then 0 else 1 end, c.conname
  `;
  const indexes = await sql<{ name: string; def: string }[]>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i
    where i.indrelid = any (${tables}::regclass[])
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid and c.contype in ('p', 'u'))
    order by 1
  `;
  for (const c of constraints.filter((c) => c.type === 'f')) await sql.unsafe(`alter table ${c.table} drop constraint ${c.name}`);
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  for (const c of constraints.filter((c) => c.type !== 'f')) await sql.unsafe(`alter table ${c.table} drop constraint ${c.name}`);
  return { indexes: [...indexes], constraints: [...constraints] };
}

async function restoreIndexes(sql: Sql, saved: SavedDdl, log: (line: string) => void): Promise<void> {
  const timed = async (label: string, statement: string) => {
    const t = process.hrtime.bigint();
    await sql.unsafe(statement);
    log(`  ${label} (${(elapsed(t) / 1000).toFixed(1)} s)`);
  };
  for (const c of saved.constraints.filter((c) => c.type !== 'f')) {
    await timed(`${c.table}: ${c.name}`, `alter table ${c.table} add constraint ${c.name} ${c.def}`);
  }
  for (const i of saved.indexes) await timed(i.name, i.def);
  for (const c of saved.constraints.filter((c) => c.type === 'f')) {
    await timed(`${c.table}: ${c.name} (validated)`, `alter table ${c.table} add constraint ${c.name} ${c.def}`);
  }
}

// One row per run with what its iterations and samples need: project, status, scores,
// times. Project slots are a seeded permutation, so project sizes are exact.
async function planRuns(sql: Sql, scale: Scale, seed: number): Promise<void> {
  const R = scale.runs;
  const span = `interval '365 days'`;
  await sql.unsafe(`
    create temp table bench_runs as
    with slots as (
      select n, row_number() over (order by hashint8extended(n, ${seed}), n) as slot
      from generate_series(1, ${R}) n
    ), project_slots as (
      select project_id, generate_series(lo, hi) as slot from bench_projects
    ), u as (
      select s.n, ps.project_id,
             pg_temp.r(s.n, 1) as u_opt, pg_temp.r(s.n, 2) as u_status, pg_temp.r(s.n, 3) as u_init,
             pg_temp.r(s.n, 4) as u_impr, pg_temp.r(s.n, 5) as u_time, pg_temp.r(s.n, 6) as u_dur,
             pg_temp.r(s.n, 7) as u_start
      from slots s join project_slots ps using (slot)
      offset 0
    ), v as (
      select n, project_id,
             ${pick('u_opt', [['miprov2', 60], ['bootstrap_fewshot', 14], ['copro', 7], ['gepa', 9], ['simba', 6], ['bootstrap_fewshot_random_search', 4]])} as optimizer_type,
             ${pick('u_status', [['completed', 79], ['failed', 9], ['cancelled', 4], ['running', 6], ['pending', 2]])} as status,
             round((0.22 + 0.48 * u_init)::numeric, 4) as initial_score,
             (0.01 + 0.30 * u_impr * u_impr) as impr,
             timestamptz '${TIMELINE_END}' - ${span} + ((n - 1 + u_time) / ${R}) * ${span} as created_at,
             (120 + 21600 * u_dur * u_dur * u_dur) * interval '1 second' as duration,
             (1 + 29 * u_start) * interval '1 second' as start_delay
      from u
    )
    select n, project_id, ${uuidOf(seed, 'run', 'n')} as id, optimizer_type, status, initial_score,
           case when status = 'completed' then least(1, round((initial_score + impr)::numeric, 4))
                when status in ('failed', 'cancelled') and impr > 0.2 then least(1, round((initial_score + impr / 2)::numeric, 4))
           end as final_score,
           least(1, round((initial_score + impr)::numeric, 4)) as target_score,
           created_at,
           case when status <> 'pending' then created_at + start_delay end as started_at,
           case when status in ('completed', 'failed', 'cancelled') then created_at + start_delay + duration end as ended_at,
           case when status = 'pending' then 0 when status = 'running' then greatest(1, ${scale.iterationsPerRun} - 1 - (n % 3)) else ${scale.iterationsPerRun} end as n_iter
    from v
    order by n;
    alter table bench_runs add primary key (n);
    analyze bench_runs;
  `);
}

// is_best is set here, at insert, by the rule of private.recompute_best_iteration (the
// highest score, the earliest iteration on a tie): an update afterwards would fire the
// updated_at trigger and stamp every iteration with the load's own time.
async function loadIterations(sql: Load, seed: number): Promise<void> {
  await sql.unsafe(`
    insert into optimization_iterations (
      id, run_id, project_id, iteration, score, is_best, params, program_state, program_hash,
      samples_evaluated, latency_ms, tokens, cost_usd, reported_tokens, reported_cost_usd,
      duration_ms, created_at, updated_at
    )
    select id, run_id, project_id, iteration, score,
           score is not null and row_number() over (partition by run_id order by score desc nulls last, iteration) = 1,
           params, program_state, program_hash, samples_evaluated, latency_ms, tokens, cost_usd,
           -- as the usage trigger records what a client reported (whether or not it runs in bulk)
           nullif(tokens, 0), nullif(cost_usd, 0),
           duration_ms, created_at, updated_at
    from (
    select ${uuidOf(seed, 'it', 'n', 'k')} as id, id as run_id, project_id, k as iteration,
           least(1, greatest(0, round((initial_score + (target_score - initial_score) * sqrt((k + 1.0) / n_iter)
                                       + (u1 - 0.5) * 0.06)::numeric, 4))) as score,
           jsonb_build_object(
             'temperature', round((0.2 + u2)::numeric, 2),
             'num_demos', (u3 * 8)::int,
             'instruction_candidate', (u4 * 10)::int,
             'demo_candidate', (u5 * 10)::int,
             'minibatch', u6 < 0.7
           ) as params,
           case when u7 < 0.1 then jsonb_build_object(
             'signature', 'question -> answer',
             'instructions', 'Answer the question step by step, then give the final answer. Candidate ' || (u4 * 10)::int || '.',
             'demos', (u3 * 8)::int
           ) end as program_state,
           substr(md5('${seed}/ph/' || n || '/' || k), 1, 16) as program_hash,
           (20 + u2 * 180)::int as samples_evaluated,
           round((200 + 2800 * u3)::numeric, 2) as latency_ms,
           (5000 + 195000 * u5 * u5)::bigint as tokens,
           round(((5000 + 195000 * u5 * u5) * 0.0000025)::numeric, 6) as cost_usd,
           (10000 + 590000 * u6 * u6)::int as duration_ms,
           coalesce(started_at, created_at) + k * interval '90 seconds' as created_at,
           coalesce(started_at, created_at) + k * interval '90 seconds' + interval '80 seconds' as updated_at
    from (
      select r.*, k,
             pg_temp.r(r.n * 64 + k, 101) as u1, pg_temp.r(r.n * 64 + k, 102) as u2,
             pg_temp.r(r.n * 64 + k, 103) as u3, pg_temp.r(r.n * 64 + k, 104) as u4,
             pg_temp.r(r.n * 64 + k, 105) as u5, pg_temp.r(r.n * 64 + k, 106) as u6,
             pg_temp.r(r.n * 64 + k, 107) as u7
      from bench_runs r cross join lateral generate_series(0, r.n_iter - 1) k
      offset 0
    ) t
    ) x
  `);
}

const DATASETS = ['gsm8k', 'hotpotqa', 'math', 'hover', 'ifbench', 'scone', 'heart-disease', 'iris'];

async function loadRuns(sql: Load, seed: number): Promise<void> {
  // Run statistics recomputed from the loaded iterations: the formulas of
  // private.recompute_run_statistics, for every run at once.
  await sql.unsafe(`
    create temp table bench_stats as
    select i.run_id, count(i.id)::integer as n_it, max(i.score) as best, round(avg(i.latency_ms), 2) as avg_latency,
           coalesce(sum(i.tokens), 0) as tokens, coalesce(sum(i.cost_usd), 0) as cost
    from optimization_iterations i
    group by i.run_id;
    analyze bench_stats;
  `);
  const model = pick('u_model', [
    ['gpt-4o-mini', 28], ['gpt-4o', 18], ['gpt-4', 10], ['gpt-4.1', 8], ['claude-3-5-sonnet', 11],
    ['claude-3-haiku', 7], ['llama-3.1-70b', 9], ['mistral-large', 5], ['gemini-1.5-pro', 4],
  ]);
  const metric = pick('u_metric', [['exact_match', 35], ['f1', 20], ['answer_correctness', 15], ['semantic_f1', 12], ['accuracy', 12], ['rouge_l', 6]]);
  const dataset = pick('u_dataset', DATASETS.map((d, i) => [d, 8 - i] as [string, number]));
  const env = pick('u_env', [['production', 30], ['staging', 18], ['dev', 14], [null, 38]]);
  const team = pick('u_team', [...TEAMS.map((t, i) => [`team-${t}`, 10 - i] as [string, number]), [null, 40]]);
  const extra = pick('u_extra', [['baseline', 10], ['v2', 14], ['nightly', 8], ['ablation', 5], ['regression', 3], [null, 60]]);
  await sql.unsafe(`
    insert into optimization_runs (
      id, project_id, run_name, description, optimizer_type, status, config, metadata, tags,
      error_message, started_at, ended_at, initial_score, final_score, best_score,
      iterations, samples_evaluated, samples_successful, samples_failed,
      total_tokens, total_cost_usd, avg_latency_ms, created_by, created_at, updated_at
    )
    select id, project_id,
           dataset || '-' || optimizer_type || '-' || replace(model, '.', '') || '-' || to_char(created_at, 'MMDD') || '-' || n,
           case when u_desc < 0.3 then 'Optimize the ' || dataset || ' program with ' || optimizer_type || ' on ' || model || '; metric ' || metric || '.' end,
           optimizer_type, status,
           jsonb_build_object('model', model, 'metric', metric, 'optimizer', optimizer_type, 'dataset', dataset,
                              'temperature', round((u_temp * 1.2)::numeric, 1), 'max_tokens', (array[512, 1024, 2048, 4096])[1 + (u_tok * 4)::int % 4])
             || case optimizer_type
                  when 'miprov2' then jsonb_build_object('miprov2', jsonb_build_object(
                    'auto', (array['light', 'medium', 'heavy', null])[1 + (u_a * 4)::int % 4],
                    'num_candidates', (array[5, 10, 10, 15, 20, 30])[1 + (u_b * 6)::int % 6],
                    'init_temperature', (array[0.5, 1.0, 1.0, 1.4])[1 + (u_c * 4)::int % 4],
                    'max_bootstrapped_demos', 1 + (u_d * 8)::int,
                    'max_labeled_demos', (u_e * 16)::int,
                    'num_trials', (array[10, 20, 30, 50, 100])[1 + (u_a * 5)::int % 5],
                    'minibatch', u_c < 0.7,
                    'minibatch_size', (array[25, 35, 50])[1 + (u_e * 3)::int % 3]))
                  when 'gepa' then jsonb_build_object('gepa', jsonb_build_object(
                    'auto', (array['light', 'medium', 'heavy'])[1 + (u_a * 3)::int % 3],
                    'reflection_minibatch_size', (array[3, 5, 8])[1 + (u_b * 3)::int % 3],
                    'candidate_selection_strategy', case when u_c < 0.8 then 'pareto' else 'current_best' end))
                  when 'copro' then jsonb_build_object('copro', jsonb_build_object(
                    'breadth', (array[5, 10, 20])[1 + (u_a * 3)::int % 3], 'depth', 2 + (u_b * 3)::int,
                    'init_temperature', (array[0.7, 1.0, 1.4])[1 + (u_c * 3)::int % 3]))
                  when 'simba' then jsonb_build_object('simba', jsonb_build_object(
                    'bsize', (array[16, 32, 64])[1 + (u_a * 3)::int % 3], 'num_candidates', (array[4, 6, 8])[1 + (u_b * 3)::int % 3],
                    'max_steps', (array[4, 8, 12])[1 + (u_c * 3)::int % 3]))
                  else jsonb_build_object('bootstrap', jsonb_build_object(
                    'max_bootstrapped_demos', 1 + (u_d * 8)::int, 'max_labeled_demos', (u_e * 16)::int,
                    'max_rounds', 1 + (u_a * 3)::int, 'num_candidate_programs', (array[8, 16])[1 + (u_b * 2)::int % 2]))
                end,
           jsonb_build_object('git_sha', substr(md5('${seed}/sha/' || (n / 40)), 1, 12),
                              'dspy_version', (array['2.5.43', '2.6.5', '2.6.27', '3.0.1'])[1 + (u_m * 4)::int % 4],
                              'python', (array['3.10', '3.11', '3.12'])[1 + (u_m * 3)::int % 3],
                              'host', 'gpu-node-' || (1 + (u_m * 40)::int),
                              'launched_by', (array['ci', 'notebook', 'cli', 'scheduler'])[1 + (u_l * 4)::int % 4],
                              'trainset_size', (array[50, 100, 200, 300, 500])[1 + (u_l * 5)::int % 5]),
           array_remove(array[${env}, case when u_exp < 0.42 then 'experiment-' || floor(exp(u_expk * ln(51)))::int end,
                              dataset, ${team}, ${extra}]::text[], null),
           case when status = 'failed' then (array['RateLimitError: provider returned 429 after 5 retries',
                                                   'TimeoutError: evaluation exceeded 1800 s',
                                                   'ValueError: metric returned NaN',
                                                   'ContextWindowExceededError: prompt is 131,072 tokens'])[1 + (u_err * 4)::int % 4] end,
           started_at, ended_at, initial_score, final_score, s.best,
           coalesce(s.n_it, 0),
           case when status = 'pending' then 0 else batch * n_iter end,
           case when status = 'pending' then 0 else batch * n_iter - fails end,
           case when status = 'pending' then 0 else fails end,
           coalesce(s.tokens, 0), coalesce(s.cost, 0), s.avg_latency,
           pg_temp.uid('${seed}/user/${BENCH_USERS.owner}'), created_at, coalesce(ended_at, started_at, created_at)
    from (
      select r.*, ${model} as model, ${metric} as metric, ${dataset} as dataset,
             pg_temp.r(n, 20) as u_temp, pg_temp.r(n, 21) as u_tok, pg_temp.r(n, 22) as u_a, pg_temp.r(n, 23) as u_b,
             pg_temp.r(n, 24) as u_c, pg_temp.r(n, 25) as u_d, pg_temp.r(n, 26) as u_e, pg_temp.r(n, 27) as u_m,
             pg_temp.r(n, 28) as u_l, pg_temp.r(n, 29) as u_exp, pg_temp.r(n, 30) as u_expk,
             pg_temp.r(n, 31) as u_err, pg_temp.r(n, 32) as u_desc, pg_temp.r(n, 33) as u_env,
             pg_temp.r(n, 34) as u_team, pg_temp.r(n, 35) as u_extra,
             (20 + 180 * pg_temp.r(n, 36))::int as batch, (pg_temp.r(n, 37) * 12)::int as fails
      from (
        select r.*, pg_temp.r(n, 10) as u_model, pg_temp.r(n, 11) as u_metric, pg_temp.r(n, 12) as u_dataset
        from bench_runs r
        offset 0
      ) r
      offset 0
    ) t
    left join bench_stats s on s.run_id = t.id
  `);
  await sql.unsafe('drop table bench_stats');
}

async function loadSamples(sql: Load, scale: Scale, seed: number): Promise<void> {
  // Runs with samples: a seeded random subset of the runs that have iterations, taking
  // 10/20/50/100/20 samples per iteration in turn until the total is reached.
  await sql.unsafe(`
    create temp table bench_sampled as
    with picked as (
      select n, id, project_id, n_iter, coalesce(started_at, created_at) as t0,
             row_number() over (order by hashint8extended(n, ${seed} + 77), n) as m
      from bench_runs where n_iter > 0
    ), sized as (
      select *, (array[${SAMPLES_PER_ITERATION.join(', ')}])[1 + m % ${SAMPLES_PER_ITERATION.length}] as k from picked
    ), placed as (
      select *, coalesce(sum(n_iter * k) over (order by m rows between unbounded preceding and 1 preceding), 0) as start
      from sized
    )
    select * from placed where start < ${scale.samples}
    order by n;
  `);
  await sql.unsafe(`
    insert into optimization_samples (
      run_id, project_id, iteration, iteration_id, sample_index, input, output, expected, score, error,
      latency_ms, tokens, cost_usd, program_hash, metadata, created_at
    )
    select id, project_id, it, iteration_id, idx,
           jsonb_build_object('question', case when u_q < 0.5
                                then 'A store sells ' || a || ' apples on Monday and ' || b || ' on Tuesday. How many apples did it sell?'
                                else 'Which ' || (array['city', 'river', 'author', 'band', 'film'])[1 + (u_q * 10)::int % 5] || ' is mentioned in passage ' || a || ' of document ' || b || '?' end,
                              'id', 'ex-' || (a * 997 + b)),
           case when not err then jsonb_build_object('answer', case when correct then (a + b)::text else (a + b + 1 + (u_s * 9)::int)::text end,
                                                     'reasoning', 'Add ' || a || ' and ' || b || '.') end,
           jsonb_build_object('answer', (a + b)::text),
           case when err then null when correct then 1 else round((u_s * 0.5)::numeric, 4) end,
           case when err then (array['TimeoutError: LM call exceeded 30 s', 'ParseError: could not parse the answer field',
                                     'RateLimitError: 429 Too Many Requests'])[1 + (u_e * 30)::int % 3] end,
           round((150 + 2850 * u_l * u_l)::numeric, 2),
           (300 + (u_t * 2700)::int),
           round(((300 + (u_t * 2700)::int) * 0.0000025)::numeric, 6),
           program_hash,
           case when u_m < 0.05 then jsonb_build_object('retries', 1 + (u_m * 40)::int) else '{}'::jsonb end,
           t0 + it * interval '90 seconds' + idx * interval '200 milliseconds'
    from (
      select s.n, s.id, s.project_id, s.t0, it.it, it.iteration_id, it.program_hash, idx,
             (1 + pg_temp.r(key, 201) * 500)::int as a, (1 + pg_temp.r(key, 202) * 500)::int as b,
             pg_temp.r(key, 203) < 0.02 as err, pg_temp.r(key, 204) < 0.55 + 0.04 * it.it as correct,
             pg_temp.r(key, 205) as u_s, pg_temp.r(key, 206) as u_e, pg_temp.r(key, 207) as u_l,
             pg_temp.r(key, 208) as u_t, pg_temp.r(key, 209) as u_m, pg_temp.r(key, 210) as u_q
      from bench_sampled s
      -- per iteration (offset 0: computed once, not once per sample)
      cross join lateral (
        select it, ${uuidOf(seed, 'it', 's.n', 'it')} as iteration_id,
               substr(md5('${seed}/ph/' || s.n || '/' || it), 1, 16) as program_hash
        from generate_series(0, s.n_iter - 1) it
        offset 0
      ) it
      cross join lateral generate_series(0, s.k - 1) idx
      cross join lateral (select (s.m * 64 + it.it) * 1024 + idx as key) kk
      where s.start + it.it * s.k + idx < ${scale.samples}
      offset 0
    ) t
  `);
}

// The bulk path's recomputation must agree with the functions the triggers call: run
// them on a seeded sample of runs and require that nothing changes.
async function verifyRecompute(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    const runs = await tx<{ id: string }[]>`
      select id from optimization_runs tablesample bernoulli (1) repeatable (7) limit 200
    `;
    const ids = runs.map((r) => r.id);
    const snapshot = async () =>
      tx<{ s: string }[]>`
        select string_agg(format('%s %s %s %s %s %s', r.id, r.iterations, r.best_score, r.avg_latency_ms, r.total_tokens, r.total_cost_usd)
                          || coalesce((select string_agg(i.id::text || i.is_best, ',' order by i.iteration) from optimization_iterations i where i.run_id = r.id), ''),
                          ';' order by r.id) as s
        from optimization_runs r where r.id = any (${ids}::uuid[])
      `;
    const [before] = await snapshot();
    await tx`select private.recompute_run_statistics(project_id, array_agg(id)) from optimization_runs where id = any(${ids}::uuid[]) group by project_id`;
    await tx`select private.recompute_best_iteration(project_id, id) from optimization_runs where id = any(${ids}::uuid[])`;
    const [after] = await snapshot();
    if (before!.s !== after!.s) throw new Error('the bulk recomputation of run statistics / is_best disagrees with the trigger functions');
    // nothing to keep: the check must not touch the loaded data
    throw new Rollback();
  }).catch((error: unknown) => {
    if (!(error instanceof Rollback)) throw error;
  });
}

class Rollback extends Error {}

if (import.meta.main) {
  await runScript(async () => {
    const args = parseArgs(process.argv.slice(2));
    const scale = parseScale(args.get('scale') === true ? undefined : (args.get('scale') as string | undefined));
    const seedArg = args.get('seed');
    const seed = seedArg === undefined || seedArg === true ? 42 : Number(seedArg);
    if (!Number.isInteger(seed) || seed < 0 || seed > 1_000_000) throw new Error('--seed must be an integer from 0 to 1,000,000');
    const url = benchUrl();
    console.log(`bench:load: scale ${scale.name} (${scale.projects} projects, ${scale.runs.toLocaleString('en-US')} runs, ` +
      `${scale.bigRuns.toLocaleString('en-US')} in ${BIG_PROJECT}, ${scale.iterationsPerRun} iterations a run, ` +
      `${scale.samples.toLocaleString('en-US')} samples), seed ${seed}, into ${databaseName(url)}`);
    await loadBenchData({ url, scale, seed, log: (line) => console.log(`  ${line}`) });
  });
}
