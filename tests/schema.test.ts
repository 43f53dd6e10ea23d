import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../lib/db/client.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';
import { createProject, createRun } from './helpers/fixtures.ts';

// explicit: a slow PGlite start must not depend on the config's hook timeout
const SETUP_TIMEOUT_MS = 120_000;

type Row = Record<string, unknown>;
type Literals = Record<string, string>; // column -> SQL literal

// Resolves to the error a statement raised; fails the test if it succeeded.
async function pgError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!error) throw new Error('expected the statement to fail, but it succeeded');
  return { code: error.code, message: error.message };
}

async function expectPgError(promise: Promise<unknown>, code: string, message: string | RegExp) {
  const error = await pgError(promise);
  expect(error.code, error.message).toBe(code);
  expect(error.message).toMatch(message);
}

const OPTIMIZATION_TABLES = ['optimization_runs', 'optimization_iterations', 'optimization_samples'];

const INDEXES: Array<[index: string, table: string]> = [
  ['idx_optimization_runs_project_id', 'optimization_runs'],
  ['idx_optimization_runs_status', 'optimization_runs'],
  ['idx_optimization_runs_optimizer_type', 'optimization_runs'],
  ['idx_optimization_runs_run_name', 'optimization_runs'],
  ['idx_optimization_runs_performance', 'optimization_runs'],
  ['idx_optimization_runs_config_gin', 'optimization_runs'],
  ['idx_optimization_runs_metadata_gin', 'optimization_runs'],
  ['idx_optimization_runs_tags_gin', 'optimization_runs'],
  ['idx_optimization_iterations_params_gin', 'optimization_iterations'],
  ['idx_optimization_iterations_run_id', 'optimization_iterations'],
  ['idx_optimization_iterations_best', 'optimization_iterations'],
  ['idx_optimization_samples_run_id', 'optimization_samples'],
  ['idx_optimization_run_analytics_pk', 'optimization_run_analytics'],
];

const FUNCTIONS = [
  'update_optimization_runs_updated_at',
  'update_run_statistics_from_iterations',
  'mark_best_iteration',
  'get_optimization_run_summary',
  'get_top_runs_by_score',
  'refresh_optimization_analytics',
];

const TRIGGERS: Array<[trigger: string, table: string, fn: string]> = [
  ['trigger_update_optimization_runs_updated_at', 'optimization_runs', 'update_optimization_runs_updated_at'],
  ['trigger_update_run_statistics', 'optimization_iterations', 'update_run_statistics_from_iterations'],
  ['trigger_mark_best_iteration', 'optimization_iterations', 'mark_best_iteration'],
];

// Bad rows: [what, table, overrides of a valid row, constraint the error must name].
const CHECK_CASES: Array<[string, string, Literals, string]> = [
  ['initial_score above 1', 'optimization_runs', { initial_score: '1.0001' }, 'optimization_runs_initial_score_range'],
  ['initial_score below 0', 'optimization_runs', { initial_score: '-0.1' }, 'optimization_runs_initial_score_range'],
  ['final_score above 1', 'optimization_runs', { final_score: '1.5' }, 'optimization_runs_final_score_range'],
  ['final_score below 0', 'optimization_runs', { final_score: '-0.0001' }, 'optimization_runs_final_score_range'],
  ['best_score above 1', 'optimization_runs', { best_score: '2' }, 'optimization_runs_best_score_range'],
  ['best_score below 0', 'optimization_runs', { best_score: '-1' }, 'optimization_runs_best_score_range'],
  ['ended_at before started_at', 'optimization_runs',
    { started_at: "'2026-01-02T00:00:00Z'", ended_at: "'2026-01-01T23:59:59Z'" }, 'optimization_runs_time_order'],
  ['samples_successful + samples_failed > samples_evaluated', 'optimization_runs',
    { samples_evaluated: '5', samples_successful: '4', samples_failed: '2' }, 'optimization_runs_sample_counts'],
  ['negative iterations', 'optimization_runs', { iterations: '-1' }, 'optimization_runs_iterations_nonnegative'],
  // samples_successful + samples_failed <= samples_evaluated needs another negative counter here;
  // PostgreSQL applies CHECKs in name order, so samples_evaluated's is the one reported
  ['negative samples_evaluated', 'optimization_runs',
    { samples_evaluated: '-1', samples_failed: '-1' }, 'optimization_runs_samples_evaluated_nonnegative'],
  ['negative samples_successful', 'optimization_runs', { samples_successful: '-1' }, 'optimization_runs_samples_successful_nonnegative'],
  ['negative samples_failed', 'optimization_runs', { samples_failed: '-1' }, 'optimization_runs_samples_failed_nonnegative'],
  ['negative total_tokens', 'optimization_runs', { total_tokens: '-1' }, 'optimization_runs_total_tokens_nonnegative'],
  ['negative total_cost_usd', 'optimization_runs', { total_cost_usd: '-0.01' }, 'optimization_runs_total_cost_nonnegative'],
  ['negative avg_latency_ms', 'optimization_runs', { avg_latency_ms: '-1' }, 'optimization_runs_avg_latency_nonnegative'],
  ['unknown status', 'optimization_runs', { status: "'done'" }, 'optimization_runs_status_check'],
  ['config that is an array', 'optimization_runs', { config: "'[]'" }, 'optimization_runs_config_object'],
  ['config that is a string', 'optimization_runs', { config: `'"gpt-4"'` }, 'optimization_runs_config_object'],
  ['metadata that is a number', 'optimization_runs', { metadata: "'1'" }, 'optimization_runs_metadata_object'],
  ['null inside tags', 'optimization_runs', { tags: "array['production', null]" }, 'optimization_runs_tags_check'],
  ['optimizer_type with upper case and spaces', 'optimization_runs', { optimizer_type: "'MIPRO v2'" }, 'optimization_runs_optimizer_type_format'],
  ['empty optimizer_type', 'optimization_runs', { optimizer_type: "''" }, 'optimization_runs_optimizer_type_format'],
  ['blank run_name', 'optimization_runs', { run_name: "'   '" }, 'optimization_runs_run_name_length'],
  ['iteration score above 1', 'optimization_iterations', { score: '1.01' }, 'optimization_iterations_score_range'],
  ['iteration score below 0', 'optimization_iterations', { score: '-0.01' }, 'optimization_iterations_score_range'],
  ['negative iteration number', 'optimization_iterations', { iteration: '-1' }, 'optimization_iterations_iteration_nonnegative'],
  ['negative iteration tokens', 'optimization_iterations', { tokens: '-1' }, 'optimization_iterations_tokens_nonnegative'],
  ['negative iteration cost', 'optimization_iterations', { cost_usd: '-1' }, 'optimization_iterations_cost_nonnegative'],
  ['negative iteration latency', 'optimization_iterations', { latency_ms: '-1' }, 'optimization_iterations_latency_nonnegative'],
  ['negative iteration samples_evaluated', 'optimization_iterations', { samples_evaluated: '-1' }, 'optimization_iterations_samples_evaluated_nonnegative'],
  ['iteration params that are an array', 'optimization_iterations', { params: "'[1]'" }, 'optimization_iterations_params_object'],
  ['sample score above 1', 'optimization_samples', { score: '1.2' }, 'optimization_samples_score_range'],
  ['sample score below 0', 'optimization_samples', { score: '-0.2' }, 'optimization_samples_score_range'],
  ['negative sample_index', 'optimization_samples', { sample_index: '-1' }, 'optimization_samples_sample_index_nonnegative'],
  ['negative sample iteration', 'optimization_samples', { iteration: '-1' }, 'optimization_samples_iteration_nonnegative'],
  ['negative sample tokens', 'optimization_samples', { tokens: '-5' }, 'optimization_samples_tokens_nonnegative'],
  ['negative sample cost', 'optimization_samples', { cost_usd: '-0.5' }, 'optimization_samples_cost_nonnegative'],
  ['negative sample latency', 'optimization_samples', { latency_ms: '-3' }, 'optimization_samples_latency_nonnegative'],
];

const NOT_NULL_CASES: Array<[table: string, column: string]> = [
  ['optimization_runs', 'project_id'],
  ['optimization_runs', 'run_name'],
  ['optimization_runs', 'optimizer_type'],
  ['optimization_runs', 'status'],
  ['optimization_runs', 'config'],
  ['optimization_runs', 'tags'],
  ['optimization_iterations', 'run_id'],
  ['optimization_iterations', 'project_id'],
  ['optimization_iterations', 'iteration'],
  ['optimization_samples', 'run_id'],
  ['optimization_samples', 'project_id'],
  ['optimization_samples', 'iteration'],
  ['optimization_samples', 'sample_index'],
];

describe.each(ENGINES)('schema on %s', (engine) => {
  let db: TestDatabase;
  let sql: Sql;
  let runA: string; // proj-a run with iteration 0 and sample (0, 0)
  let runA2: string; // a second proj-a run
  let runB: string; // proj-b run with iteration 0
  let iterationA: string;
  let iterationB: string;
  let sampleA: number;

  const literal = (value: string) => `'${value}'`;

  // A valid row of each table, as SQL literals; cases override columns of it.
  const validRow = (table: string): Literals =>
    ({
      optimization_runs: { project_id: "'proj-a'", run_name: "'constraint probe'", optimizer_type: "'miprov2'" },
      optimization_iterations: { run_id: literal(runA), project_id: "'proj-a'", iteration: '1000' },
      optimization_samples: { run_id: literal(runA), project_id: "'proj-a'", iteration: '0', sample_index: '1000' },
    })[table]!;

  const insertSql = (table: string, overrides: Literals = {}) => {
    const row = { ...validRow(table), ...overrides };
    return `insert into ${table} (${Object.keys(row).join(', ')}) values (${Object.values(row).join(', ')})`;
  };

  // Runs fn in a transaction that is always rolled back, so a case leaves nothing behind.
  async function rolledBack<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const rollback = new Error('rollback');
    let result: T | undefined;
    await sql
      .begin(async (tx) => {
        result = await fn(tx as unknown as Sql); // the fixtures take a Sql; a transaction serves
        throw rollback;
      })
      .catch((e: unknown) => {
        if (e !== rollback) throw e;
      });
    return result as T;
  }

  const one = async (query: Promise<Row[]>) => (await query)[0]!;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    sql = db.sql;
    await createProject(sql, 'proj-a');
    await createProject(sql, 'proj-b');
    runA = await createRun(sql, 'proj-a');
    runA2 = await createRun(sql, 'proj-a');
    runB = await createRun(sql, 'proj-b');
    iterationA = (await one(sql`
      insert into optimization_iterations (run_id, project_id, iteration, score)
      values (${runA}, 'proj-a', 0, 0.5) returning id`)).id as string;
    iterationB = (await one(sql`
      insert into optimization_iterations (run_id, project_id, iteration, score)
      values (${runB}, 'proj-b', 0, 0.5) returning id`)).id as string;
    sampleA = (await one(sql`
      insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index, score)
      values (${runA}, 'proj-a', 0, ${iterationA}, 0, 1) returning id`)).id as number;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db?.close();
  });

  describe('objects the schema document names', () => {
    it.each(['optimization_runs', 'optimization_iterations', 'optimization_samples', 'project_config',
      'project_members', 'api_keys'])('table %s exists', async (table) => {
      const row = await one(sql`
        select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname = ${table}`);
      expect(row?.relkind).toBe('r');
    });

    it.each(INDEXES)('index %s exists on %s', async (index, table) => {
      const rows = await sql`select tablename from pg_indexes where schemaname = 'public' and indexname = ${index}`;
      expect(rows.map((r) => r.tablename)).toEqual([table]);
    });

    it('idx_optimization_runs_performance is partial: completed runs only', async () => {
      const row = await one(sql`
        select pg_get_expr(i.indpred, i.indrelid) as predicate from pg_index i
        where i.indexrelid = 'public.idx_optimization_runs_performance'::regclass`);
      expect(row.predicate).toMatch(/^\(?status = 'completed'::text\)?$/);
    });

    it.each(['idx_optimization_runs_config_gin', 'idx_optimization_runs_metadata_gin',
      'idx_optimization_runs_tags_gin', 'idx_optimization_iterations_params_gin'])('%s is a GIN index', async (index) => {
      const row = await one(sql`
        select am.amname from pg_class c join pg_am am on am.oid = c.relam
        where c.oid = ${`public.${index}`}::regclass`);
      expect(row.amname).toBe('gin');
    });

    it.each(FUNCTIONS)('function %s exists', async (fn) => {
      const rows = await sql`
        select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname = ${fn}`;
      expect(rows).toHaveLength(1);
    });

    it.each(TRIGGERS)('trigger %s on %s calls %s', async (trigger, table, fn) => {
      const rows = await sql`
        select p.proname from pg_trigger t join pg_proc p on p.oid = t.tgfoid
        where t.tgrelid = ${`public.${table}`}::regclass and t.tgname = ${trigger} and not t.tgisinternal`;
      expect(rows.map((r) => r.proname)).toEqual([fn]);
    });

    it('materialized view optimization_run_analytics exists', async () => {
      const rows = await sql`select matviewname from pg_matviews where schemaname = 'public'`;
      expect(rows.map((r) => r.matviewname)).toContain('optimization_run_analytics');
    });

    it('RLS is enabled on every public table', async () => {
      const tables = await sql`
        select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`;
      expect(tables.map((t) => t.relname)).toEqual(expect.arrayContaining([...OPTIMIZATION_TABLES,
        'project_config', 'project_members', 'api_keys', 'optimization_analytics_refreshes']));
      expect(tables.filter((t) => !t.relrowsecurity).map((t) => t.relname)).toEqual([]);
    });

    it.each(OPTIMIZATION_TABLES)('%s has the two policies of the schema document', async (table) => {
      const rows = await sql`
        select policyname, roles::text[] as roles, cmd, permissive from pg_policies
        where schemaname = 'public' and tablename = ${table} and permissive = 'PERMISSIVE'
        order by policyname`;
      expect(rows.map((r) => [r.policyname, r.roles, r.cmd])).toEqual([
        ['Service role has full access', ['service_role'], 'ALL'],
        [`Users can manage own project ${table}`, ['authenticated'], 'ALL'],
      ]);
    });
  });

  describe('constraints', () => {
    it.each(OPTIMIZATION_TABLES)('the valid %s row the cases start from is accepted', async (table) => {
      const rows = await rolledBack((tx) => tx.unsafe(`${insertSql(table)} returning 1 as ok`));
      expect(rows).toEqual([{ ok: 1 }]);
    });

    it.each(CHECK_CASES)('rejects %s (%s)', async (_what, table, overrides, constraint) => {
      await expectPgError(sql.unsafe(insertSql(table, overrides)), '23514',
        new RegExp(`violates check constraint "(${constraint})"`));
    });

    it.each(NOT_NULL_CASES)('%s.%s is NOT NULL', async (table, column) => {
      await expectPgError(sql.unsafe(insertSql(table, { [column]: 'null' })), '23502',
        `null value in column "${column}" of relation "${table}" violates not-null constraint`);
    });

    it('rejects a duplicate (run_id, iteration)', async () => {
      await expectPgError(sql.unsafe(insertSql('optimization_iterations', { iteration: '0' })), '23505',
        /duplicate key value violates unique constraint "idx_optimization_iterations_run_id"/);
    });

    it('rejects a duplicate (run_id, iteration, sample_index)', async () => {
      await expectPgError(sql.unsafe(insertSql('optimization_samples', { sample_index: '0' })), '23505',
        /duplicate key value violates unique constraint "idx_optimization_samples_run_id"/);
    });

    it('accepts the same sample_index in another iteration of the run', async () => {
      const rows = await rolledBack((tx) =>
        tx.unsafe(`${insertSql('optimization_samples', { sample_index: '0', iteration: '1' })} returning 1 as ok`));
      expect(rows).toEqual([{ ok: 1 }]);
    });

    it.each([
      ['an iteration', 'optimization_iterations', {}, 'optimization_iterations_run_fkey'],
      ['a sample', 'optimization_samples', {}, 'optimization_samples_run_fkey'],
    ] as const)('rejects %s of proj-a pointing at a run of proj-b', async (_what, table, _o, constraint) => {
      await expectPgError(sql.unsafe(insertSql(table, { run_id: literal(runB) })), '23503',
        new RegExp(`violates foreign key constraint "${constraint}"`));
    });

    it('rejects a sample whose iteration belongs to another run', async () => {
      await expectPgError(sql.unsafe(insertSql('optimization_samples', { iteration_id: literal(iterationB) })),
        '23503', /violates foreign key constraint "optimization_samples_iteration_fkey"/);
    });

    it('rejects a run of a project that does not exist', async () => {
      await expectPgError(sql.unsafe(insertSql('optimization_runs', { project_id: "'no-such-project'" })),
        '23503', /violates foreign key constraint "optimization_runs_project_id_fkey"/);
    });

    it.each([
      ['a run to another project', () => sql`update optimization_runs set project_id = 'proj-b' where id = ${runA}`,
        /optimization_runs rows cannot move to another project/],
      ['an iteration to another project', () => sql`update optimization_iterations set project_id = 'proj-b' where id = ${iterationA}`,
        /optimization_iterations rows cannot move to another project/],
      ['an iteration to another run', () => sql`update optimization_iterations set run_id = ${runA2} where id = ${iterationA}`,
        /optimization_iterations rows cannot move to another run/],
      ['an iteration to a run of another project', () => sql`
        update optimization_iterations set run_id = ${runB}, project_id = 'proj-b' where id = ${iterationA}`,
        /optimization_iterations rows cannot move to another project/],
      ['a sample to another project', () => sql`update optimization_samples set project_id = 'proj-b' where id = ${sampleA}`,
        /optimization_samples rows cannot move to another project/],
      ['a sample to another run', () => sql`update optimization_samples set run_id = ${runA2} where id = ${sampleA}`,
        /optimization_samples rows cannot move to another run/],
    ])('rejects an update moving %s', async (_what, update, message) => {
      await expectPgError(update(), '42501', message);
    });
  });

  describe('generated columns', () => {
    it.each([
      ['both scores', { initial_score: 0.5, final_score: 0.75 }, { improvement: 0.25, improvement_pct: 50 }],
      ['a lower final score', { initial_score: 0.8, final_score: 0.6 }, { improvement: -0.2, improvement_pct: -25 }],
      ['initial_score 0', { initial_score: 0, final_score: 0.4 }, { improvement: 0.4, improvement_pct: null }],
      ['no initial_score', { initial_score: null, final_score: 0.4 }, { improvement: null, improvement_pct: null }],
      ['no final_score', { initial_score: 0.3, final_score: null }, { improvement: null, improvement_pct: null }],
      ['a rounded percentage', { initial_score: 0.3, final_score: 0.4 }, { improvement: 0.1, improvement_pct: 33.33 }],
    ])('improvement and improvement_pct with %s', async (_what, scores, expected) => {
      const row = await rolledBack(async (tx) => {
        const id = await createRun(tx, 'proj-a', scores);
        return one(tx`select improvement, improvement_pct from optimization_runs where id = ${id}`);
      });
      expect(row).toEqual(expected);
    });

    it('duration_ms is ended_at - started_at in milliseconds, null until the run ends', async () => {
      const rows = await rolledBack(async (tx) => {
        const id = await createRun(tx, 'proj-a');
        const before = await one(tx`
          update optimization_runs set started_at = '2026-03-01T10:00:00Z' where id = ${id} returning duration_ms`);
        const after = await one(tx`
          update optimization_runs set ended_at = '2026-03-01T10:02:03.456Z' where id = ${id} returning duration_ms`);
        return [before.duration_ms, after.duration_ms];
      });
      expect(rows).toEqual([null, 123_456]);
    });

    it.each(['duration_ms', 'improvement', 'improvement_pct'])('rejects an insert writing %s', async (column) => {
      await expectPgError(sql.unsafe(insertSql('optimization_runs', { [column]: '1' })), '428C9',
        `cannot insert a non-DEFAULT value into column "${column}"`);
    });

    it.each(['duration_ms', 'improvement', 'improvement_pct'])('rejects an update writing %s', async (column) => {
      await expectPgError(sql.unsafe(`update optimization_runs set ${column} = 1 where id = '${runA}'`), '428C9',
        `column "${column}" can only be updated to DEFAULT`);
    });
  });

  describe('triggers', () => {
    type Iteration = { iteration: number; score: number | null; latency_ms?: number | null; tokens?: number; cost_usd?: number };

    async function newRun(): Promise<string> {
      return createRun(sql, 'proj-a', { status: 'running' });
    }

    async function addIterations(runId: string, iterations: Iteration[]) {
      const rows = iterations.map((i) => ({
        run_id: runId, project_id: 'proj-a', iteration: i.iteration, score: i.score,
        latency_ms: i.latency_ms ?? null, tokens: i.tokens ?? 0, cost_usd: i.cost_usd ?? 0,
      }));
      // one statement with every row: the row triggers fire once per row of a batch
      await sql`insert into optimization_iterations ${sql(rows)}`;
    }

    const stats = (runId: string) => one(sql`
      select iterations, best_score, avg_latency_ms, total_tokens, total_cost_usd
      from optimization_runs where id = ${runId}`);

    const best = async (runId: string) =>
      (await sql`select iteration from optimization_iterations where run_id = ${runId} and is_best order by iteration`)
        .map((r) => r.iteration as number);

    it('updated_at changes on every update, whatever the update sets it to', async () => {
      const id = await createRun(sql, 'proj-a');
      await sql`update optimization_runs set updated_at = '2001-01-01' where id = ${id}`;
      const updatedAt = async () => new Date((await one(sql`select updated_at from optimization_runs where id = ${id}`)).updated_at as string);
      const first = await updatedAt();
      expect(first.getUTCFullYear()).toBeGreaterThan(2001);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await sql`update optimization_runs set description = 'changed' where id = ${id}`;
      const second = await updatedAt();
      expect(second.getTime()).toBeGreaterThan(first.getTime());
    });

    it('a new run starts with zero statistics', async () => {
      expect(await stats(await newRun())).toEqual({
        iterations: 0, best_score: null, avg_latency_ms: null, total_tokens: 0, total_cost_usd: 0,
      });
    });

    it('run statistics follow a single insert', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.61, latency_ms: 120.5, tokens: 300, cost_usd: 0.0125 }]);
      expect(await stats(id)).toEqual({
        iterations: 1, best_score: 0.61, avg_latency_ms: 120.5, total_tokens: 300, total_cost_usd: 0.0125,
      });
    });

    it('run statistics follow a batch insert, an update and a delete', async () => {
      const id = await newRun();
      await addIterations(id, [
        { iteration: 0, score: 0.5, latency_ms: 100, tokens: 10, cost_usd: 0.01 },
        { iteration: 1, score: 0.7, latency_ms: 200, tokens: 20, cost_usd: 0.02 },
        { iteration: 2, score: null, latency_ms: null, tokens: 5, cost_usd: 0 },
        { iteration: 3, score: 0.65, latency_ms: 301, tokens: 1000, cost_usd: 1.5 },
      ]);
      expect(await stats(id)).toEqual({
        iterations: 4, best_score: 0.7, avg_latency_ms: 200.33, total_tokens: 1035, total_cost_usd: 1.53,
      });

      await sql`update optimization_iterations set score = 0.9, latency_ms = 400, tokens = 40, cost_usd = 0.5
                where run_id = ${id} and iteration = 2`;
      expect(await stats(id)).toEqual({
        iterations: 4, best_score: 0.9, avg_latency_ms: 250.25, total_tokens: 1070, total_cost_usd: 2.03,
      });

      await sql`delete from optimization_iterations where run_id = ${id} and iteration in (2, 3)`;
      expect(await stats(id)).toEqual({
        iterations: 2, best_score: 0.7, avg_latency_ms: 150, total_tokens: 30, total_cost_usd: 0.03,
      });

      await sql`delete from optimization_iterations where run_id = ${id}`;
      expect(await stats(id)).toEqual({
        iterations: 0, best_score: null, avg_latency_ms: null, total_tokens: 0, total_cost_usd: 0,
      });
    });

    it('the statistics of other runs are untouched', async () => {
      const id = await newRun();
      const other = await newRun();
      await addIterations(other, [{ iteration: 0, score: 0.2, tokens: 7 }]);
      await addIterations(id, [{ iteration: 0, score: 0.9, tokens: 100 }]);
      expect(await stats(other)).toMatchObject({ iterations: 1, best_score: 0.2, total_tokens: 7 });
    });

    it('marks the highest score best, the earliest iteration on a tie', async () => {
      const id = await newRun();
      await addIterations(id, [
        { iteration: 0, score: 0.4 }, { iteration: 1, score: 0.8 }, { iteration: 2, score: 0.8 }, { iteration: 3, score: 0.7 },
      ]);
      expect(await best(id)).toEqual([1]);
      await addIterations(id, [{ iteration: 4, score: 0.8 }]);
      expect(await best(id)).toEqual([1]);
      await addIterations(id, [{ iteration: 5, score: 0.81 }]);
      expect(await best(id)).toEqual([5]);
    });

    it('a tie inserted with an earlier iteration number takes over', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 5, score: 0.5 }]);
      await addIterations(id, [{ iteration: 2, score: 0.5 }]);
      expect(await best(id)).toEqual([2]);
    });

    it('null scores are never best', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: null }, { iteration: 1, score: null }]);
      expect(await best(id)).toEqual([]);
      await addIterations(id, [{ iteration: 2, score: 0 }]);
      expect(await best(id)).toEqual([2]);
    });

    it('keeps exactly one best iteration through score updates', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.5 }, { iteration: 1, score: 0.6 }, { iteration: 2, score: 0.55 }]);
      await sql`update optimization_iterations set score = 0.95 where run_id = ${id} and iteration = 0`;
      expect(await best(id)).toEqual([0]);
      await sql`update optimization_iterations set score = 0.1 where run_id = ${id} and iteration = 0`;
      expect(await best(id)).toEqual([1]);
      await sql`update optimization_iterations set score = null where run_id = ${id} and iteration = 1`;
      expect(await best(id)).toEqual([2]);
      await sql`update optimization_iterations set score = null where run_id = ${id}`;
      expect(await best(id)).toEqual([]);
    });

    it('a renumbered iteration wins a tie it now comes first in', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 1, score: 0.5 }, { iteration: 2, score: 0.5 }]);
      await sql`update optimization_iterations set iteration = 0 where run_id = ${id} and iteration = 2`;
      expect(await best(id)).toEqual([0]);
    });

    it('deleting the best iteration moves best to the next', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.3 }, { iteration: 1, score: 0.9 }, { iteration: 2, score: 0.6 }]);
      await sql`delete from optimization_iterations where run_id = ${id} and iteration = 1`;
      expect(await best(id)).toEqual([2]);
      await sql`delete from optimization_iterations where run_id = ${id} and iteration = 2`;
      expect(await best(id)).toEqual([0]);
    });

    it('best is tracked per run', async () => {
      const id = await newRun();
      const other = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.2 }]);
      await addIterations(other, [{ iteration: 0, score: 0.1 }, { iteration: 1, score: 0.3 }]);
      expect([await best(id), await best(other)]).toEqual([[0], [1]]);
    });

    it('deleting a run cascades to its iterations and samples', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.5 }, { iteration: 1, score: 0.6 }]);
      await sql`
        insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
        select run_id, project_id, iteration, id, s from optimization_iterations, generate_series(0, 2) s
        where run_id = ${id}`;
      const count = () => one(sql`
        select (select count(*) from optimization_iterations where run_id = ${id})::int as iterations,
               (select count(*) from optimization_samples where run_id = ${id})::int as samples`);
      expect(await count()).toEqual({ iterations: 2, samples: 6 });
      await sql`delete from optimization_runs where id = ${id}`;
      expect(await count()).toEqual({ iterations: 0, samples: 0 });
    });

    it('an iteration its samples name is not deleted alone (it goes with its run)', async () => {
      const id = await newRun();
      await addIterations(id, [{ iteration: 0, score: 0.5 }]);
      await sql`
        insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
        select run_id, project_id, iteration, id, s from optimization_iterations, generate_series(0, 2) s
        where run_id = ${id}`;
      await expectPgError(sql`delete from optimization_iterations where run_id = ${id}`, '23503',
        /violates foreign key constraint "optimization_samples_iteration_fkey"/);
      await sql`delete from optimization_runs where id = ${id}`;
      const [left] = await sql`select count(*)::int as n from optimization_samples where run_id = ${id}`;
      expect(left!.n).toBe(0);
    });
  });

  describe('refresh_optimization_analytics', () => {
    const lockKey = "hashtext('public.refresh_optimization_analytics')";

    it('refreshes the view, returns refreshed = true and records the refresh', async () => {
      const runId = await createRun(sql, 'proj-b', { optimizer_type: `refresh-${randomUUID().slice(0, 8)}` });
      const type = (await one(sql`select optimizer_type from optimization_runs where id = ${runId}`)).optimizer_type as string;
      const before = await one(sql`select count(*)::int as n from optimization_analytics_refreshes`);
      const result = await one(sql`select * from refresh_optimization_analytics()`);
      expect(result.refreshed).toBe(true);
      expect(result.refreshed_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(result.duration_ms).toBeGreaterThanOrEqual(0);
      const recorded = await sql`
        select refreshed_at, duration_ms from optimization_analytics_refreshes order by id desc limit 1`;
      expect(recorded).toEqual([{ refreshed_at: result.refreshed_at, duration_ms: result.duration_ms }]);
      expect(await one(sql`select count(*)::int as n from optimization_analytics_refreshes`)).toEqual({ n: Number(before.n) + 1 });
      const analytics = await sql`
        select run_count from optimization_run_analytics where project_id = 'proj-b' and optimizer_type = ${type}`;
      expect(analytics).toEqual([{ run_count: 1 }]);
    });

    // Needs two interleaved transactions: PGlite serializes the transactions of its
    // connections, so the second call would wait for the first instead of finding the lock.
    if (engine === 'postgres') {
      it('returns refreshed = false at once while another session holds the refresh lock', async () => {
        await sql`select refresh_optimization_analytics()`;
        const last = await one(sql`select refreshed_at, duration_ms from optimization_analytics_refreshes order by id desc limit 1`);
        const count = async () => Number((await one(sql`select count(*) as n from optimization_analytics_refreshes`)).n);
        const countBefore = await count();
        const other = await sql.reserve();
        try {
          await sql.begin(async (holder) => {
            await holder.unsafe(`select pg_advisory_xact_lock(${lockKey})`);
            // a call that waited for the lock instead would hit the timeout and fail
            await other`set statement_timeout = '3s'`;
            const [result] = await other`select * from refresh_optimization_analytics()`;
            expect(result).toEqual({ refreshed: false, refreshed_at: last.refreshed_at, duration_ms: last.duration_ms });
          });
        } finally {
          await other`reset statement_timeout`;
          other.release();
        }
        expect(await count()).toBe(countBefore);
        expect((await one(sql`select * from refresh_optimization_analytics()`)).refreshed).toBe(true);
      });
    }
  });
});
