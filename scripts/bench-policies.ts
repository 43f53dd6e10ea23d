// npm run bench:policies — what the policies' form costs on plain PostgreSQL: a member lists
// 1,000 iterations and 1,000 samples of one run under RLS, with the policies as the baseline
// writes them (`project_id = any (private.readable_project_ids())`, no sub-select: Citus
// routes only plain expressions) and as they were (`(select ...)`, an initplan run once a
// statement). Creates and drops its own database on TEST_POSTGRES_URL's server.
import { randomBytes, randomUUID } from 'node:crypto';
import { runScript } from '../lib/cli.ts';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { migrate } from '../lib/db/migrate.ts';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const PROJECT = 'bench-policies';
const TABLES = ['optimization_runs', 'optimization_iterations', 'optimization_samples'];

const FORMS = {
  'direct (baseline)': (fn: string) => `project_id = any (private.${fn}())`,
  'sub-select (before)': (fn: string) => `project_id = any ((select private.${fn}())::text[])`,
} as const;

async function setForm(sql: Sql, form: (fn: string) => string): Promise<void> {
  for (const t of TABLES) {
    await sql.unsafe(`alter policy "Users can manage own project ${t}" on public.${t}
      using (${form('readable_project_ids')}) with check (${form('writable_project_ids')})`);
  }
}

async function seed(sql: Sql): Promise<{ userId: string; runId: string }> {
  const userId = randomUUID();
  const runId = randomUUID();
  await sql`insert into auth.users (id, email) values (${userId}, 'bench@example.com')`;
  // the member's project and nine others (so the policy has something to tell apart)
  for (let p = 0; p < 10; p++) {
    const id = p === 0 ? PROJECT : `${PROJECT}-${p}`;
    await sql`insert into project_config (id, name) values (${id}, ${id})`;
    await sql`insert into project_members (project_id, user_id, role) values (${id}, ${userId}, ${p < 3 ? 'member' : 'viewer'})`;
    const run = p === 0 ? runId : randomUUID();
    await sql`insert into optimization_runs (id, project_id, run_name, optimizer_type) values (${run}, ${id}, 'bench', 'miprov2')`;
    await sql`
      insert into optimization_iterations (project_id, run_id, iteration, score)
      select ${id}, ${run}, i, (i % 100) / 100.0 from generate_series(0, 999) i
    `;
    await sql`
      insert into optimization_samples (project_id, run_id, iteration, sample_index, input, score)
      select ${id}, ${run}, i / 10, i % 10, jsonb_build_object('q', i), 0.5 from generate_series(0, 999) i
    `;
  }
  await sql`analyze`;
  return { userId, runId };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(sql: Sql, claims: string, query: (tx: Sql) => Promise<unknown[]>): Promise<{ p50: number; p95: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < ROUNDS + 20; i++) {
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const started = performance.now();
      rows = (await query(tx as unknown as Sql)).length;
      if (i >= 20) times.push(performance.now() - started); // the first 20 warm the caches
    });
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), rows };
}

await runScript(async () => {
  const admin = createSqlClient(ADMIN_URL, { max: 1 });
  const name = `squash13_bench_policies_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const sql = createSqlClient(url.toString(), { max: 1 });
  try {
    await migrate(url.toString());
    const { userId, runId } = await seed(sql);
    const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
    const queries = {
      '1,000 iterations of one run': (tx: Sql) =>
        tx`select * from optimization_iterations where project_id = ${PROJECT} and run_id = ${runId} order by iteration`,
      '1,000 samples of one run': (tx: Sql) =>
        tx`select * from optimization_samples where project_id = ${PROJECT} and run_id = ${runId} order by iteration, sample_index`,
      'the run by id (no project named)': (tx: Sql) => tx`select * from optimization_runs where id = ${runId}`,
    };
    const lines = ['| query | policy form | rows | p50 ms | p95 ms |', '|---|---|---|---|---|'];
    for (const [formName, form] of Object.entries(FORMS)) {
      await setForm(sql, form);
      for (const [queryName, query] of Object.entries(queries)) {
        const r = await measure(sql, claims, query);
        lines.push(`| ${queryName} | ${formName} | ${r.rows} | ${r.p50.toFixed(3)} | ${r.p95.toFixed(3)} |`);
      }
    }
    console.log(`${ROUNDS} rounds each, PostgreSQL ${(await sql`show server_version`)[0]!.server_version}\n`);
    console.log(lines.join('\n'));
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
});
