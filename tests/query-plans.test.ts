import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOptimizationRuns, userScope } from '../lib/supabase-optimization/index.ts';
import type { Sql } from '../lib/db/client.ts';
import { withServiceScope, withUserScope } from '../lib/db/scope.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';
import { createUser, type TestUser } from './helpers/fixtures.ts';

const BIG = 'proj-big';
const RUNS = 100_000;
const BIG_RUNS = 60_000; // the other 40,000 runs: 100 projects of 400
const SMALL_PROJECTS = 100;
const LOAD_TIMEOUT_MS = 180_000; // measured: ~6 s on PostgreSQL 15, ~20 s on PGlite

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function indexNames(node: PlanNode): string[] {
  return [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexNames)];
}

// "Sort > Bitmap Heap Scan > Bitmap Index Scan using idx_x": the plan in a failure message.
function outline(node: PlanNode): string {
  const self = node['Node Type'] + (node['Index Name'] ? ` using ${node['Index Name']}` : '');
  const children = (node.Plans ?? []).map(outline);
  return children.length ? `${self} > ${children.length > 1 ? `(${children.join(' | ')})` : children[0]}` : self;
}

describe.each(ENGINES)('query plans at 100,000 runs on %s', (engine) => {
  let db: TestDatabase;
  let sql: Sql;
  let member: TestUser;
  let runId: string; // a run of the big project with iterations and samples

  // The schema document's query patterns in their corrected form (DESIGN.md errata 1 and 6).
  const QUERIES: Array<[pattern: string, query: () => string, indexes: string[]]> = [
    ['1 list runs by status', () => `
      select * from optimization_runs
      where project_id = '${BIG}' and status = 'completed'
      order by created_at desc limit 20 offset 0`,
    ['idx_optimization_runs_status']],
    ['4 leaderboard', () => `
      select id, run_name, final_score, improvement, created_at from optimization_runs
      where project_id = '${BIG}' and status = 'completed'
      order by final_score desc nulls last limit 10`,
    ['idx_optimization_runs_performance']],
    ['5 all iterations of a run', () => `
      select * from optimization_iterations where run_id = '${runId}' order by iteration`,
    ['idx_optimization_iterations_run_id']],
    ['5 best iteration of a run', () => `
      select * from optimization_iterations where run_id = '${runId}' and is_best = true`,
    ['idx_optimization_iterations_best']],
    ['6 samples of an iteration', () => `
      select * from optimization_samples where run_id = '${runId}' and iteration = 2
      order by sample_index limit 100`,
    ['idx_optimization_samples_run_id']],
    ['7 aggregate stats', () => `
      select optimizer_type, sum(completed_runs) as total_completed,
             avg(avg_final_score) as overall_avg_score, sum(total_cost_usd) as total_spend
      from project_optimization_analytics
      where project_id = '${BIG}'
      group by optimizer_type`,
    ['idx_optimization_run_analytics_pk']],
  ];

  // Patterns 2 and 3 as the data layer runs them: search_optimization_runs checks the
  // member's access, then runs this SQL as its owner (RLS would rule out the GIN indexes,
  // since @> is not leakproof). Planned with the values, as its EXECUTE … USING is.
  const SEARCHES: Array<[pattern: string, filters: Record<string, unknown>, indexes: string[]]> = [
    ['2 filter by tags', { projectId: BIG, tags: ['production', 'experiment-1'] }, ['idx_optimization_runs_tags_gin']],
    ['3 search by config', { projectId: BIG, config: { model: 'gpt-4', miprov2: { num_candidates: 10 } } }, ['idx_optimization_runs_config_gin']],
  ];
  // the same config filter as the API and the dashboard send it: dotted paths
  const DOTTED: Record<string, string | number> = { model: 'gpt-4', 'miprov2.num_candidates': 10 };
  let prepared = 0;

  async function explainSearch(filters: Record<string, unknown>): Promise<PlanNode> {
    return sql.begin(async (tx) => {
      const [built] = await tx`select private.run_search_where(${tx.json(filters as never)}, true) as where_sql`;
      await tx`set local plan_cache_mode = force_custom_plan`;
      const name = `search_plan_${++prepared}`;
      await tx.unsafe(`
        prepare ${name}(text, text[], text[], text[], jsonb, numeric, numeric, text, timestamptz,
                            timestamptz, text, uuid, integer, integer) as
        select r.id, r.created_at::text from public.optimization_runs r
        where ${built!.where_sql as string}
        order by r.created_at desc, r.id desc limit $13 offset $14`);
      // EXPLAIN EXECUTE takes no bind parameters: the test's own constants, quoted
      const tags = `'{${((filters.tags as string[] | undefined) ?? []).join(',')}}'`;
      const config = filters.config ? `'${JSON.stringify(filters.config)}'` : 'null';
      try {
        const [row] = await tx.unsafe(
          // no LIMIT, as the schema document writes patterns 2 and 3
          `explain (format json) execute ${name}('${BIG}', '{}', '{}', ${tags}, ${config}, null, null, null, null, null, null, null, null, 0)`,
        );
        return (row!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
      } finally {
        await tx.unsafe(`deallocate ${name}`).catch(() => {});
      }
    });
  }

  async function explain(query: string, scope: 'member' | 'service'): Promise<PlanNode> {
    const run = async (tx: Parameters<Parameters<typeof withUserScope>[1]>[0]) => {
      const [row] = await tx.unsafe(`explain (format json) ${query}`);
      return (row!['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan;
    };
    return scope === 'member' ? withUserScope(member.claims, run, sql) : withServiceScope('query plan test', run, sql);
  }

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    sql = db.sql;
    member = await createUser(sql, 'member');
    await sql`
      insert into project_config (id, name)
      select ${BIG}, 'Big' union all
      select 'proj-small-' || lpad(n::text, 3, '0'), 'Small ' || n from generate_series(1, ${SMALL_PROJECTS}::int) n`;
    await sql`
      insert into project_members (project_id, user_id, role)
      values (${BIG}, ${member.id}, 'member'), ('proj-small-001', ${member.id}, 'member'),
             ('proj-small-002', ${member.id}, 'owner')`;
    // 8 optimizers, 6 models, 20 candidate counts, 3 environments, 500 experiments, 5 statuses
    // (60% completed): the tags and config filters below each match under 1% of the runs.
    await sql`
      insert into optimization_runs (project_id, run_name, optimizer_type, status, config, tags,
        initial_score, final_score, started_at, ended_at, created_at)
      select
        case when g <= ${BIG_RUNS}::int then ${BIG}
             else 'proj-small-' || lpad((((g - ${BIG_RUNS}::int - 1) / 400) + 1)::text, 3, '0') end,
        'run ' || g,
        (array['miprov2', 'bootstrap_fewshot', 'copro', 'gepa', 'simba', 'bootstrap_random',
               'knn_fewshot', 'ensemble'])[1 + (g / 3) % 8],
        s.status,
        jsonb_build_object(
          'model', (array['gpt-4', 'gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'llama-3-70b', 'mistral-large'])[1 + (g / 7) % 6],
          'metric', 'accuracy', 'seed', g,
          'miprov2', jsonb_build_object('num_candidates', 1 + (g / 11) % 20, 'init_temperature', 1.0)),
        array[(array['production', 'staging', 'dev'])[1 + (g / 13) % 3], 'experiment-' || (g % 500)],
        case when s.status <> 'pending' then ((g * 37) % 5000) / 10000.0 end,
        case when s.status = 'completed' then 0.5 + ((g * 53) % 5000) / 10000.0 end,
        now() - g * interval '1 minute',
        case when s.status in ('completed', 'failed', 'cancelled') then now() - g * interval '1 minute' + interval '30 minutes' end,
        now() - g * interval '1 minute'
      from generate_series(1, ${RUNS}::int) g,
        lateral (select case when (g * 7919) % 100 < 60 then 'completed' when (g * 7919) % 100 < 75 then 'failed'
                             when (g * 7919) % 100 < 85 then 'running' when (g * 7919) % 100 < 95 then 'pending'
                             else 'cancelled' end as status) s`;
    // 25 iterations for each of 400 runs and 100 samples for 5 iterations of 10 runs. A bulk
    // load with the row triggers off, then the statistics and best iterations recomputed (errata 7).
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`
        insert into optimization_iterations (run_id, project_id, iteration, score, latency_ms, tokens, cost_usd)
        select r.id, r.project_id, i, ((i * 31 + r.n) % 1000) / 1000.0, 100 + i, 1000, 0.01
        from (select id, project_id, row_number() over (order by created_at desc) as n from optimization_runs
              where project_id = ${BIG} order by created_at desc limit 400) r,
             generate_series(0, 24) i`;
      await tx`
        insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index, score)
        select it.run_id, it.project_id, it.iteration, it.id, s, s % 2
        from (select id from optimization_runs where project_id = ${BIG} order by created_at desc limit 10) r
        join optimization_iterations it on it.run_id = r.id and it.iteration < 5,
             generate_series(0, 99) s`;
    });
    await sql`select private.recompute_run_statistics(project_id, array_agg(distinct run_id)) from optimization_iterations group by project_id`;
    await sql`select private.recompute_best_iteration(project_id, run_id) from (select distinct project_id, run_id from optimization_iterations) r`;
    const [sampled] = await sql`select run_id from optimization_samples limit 1`;
    runId = sampled!.run_id as string;
    await sql`select refresh_optimization_analytics()`;
    await sql`analyze`;
  }, LOAD_TIMEOUT_MS);

  afterAll(async () => {
    await db?.close();
  });

  it('loaded the data the plans are judged on', async () => {
    const [row] = await sql`
      select (select count(*) from optimization_runs)::int as runs,
             (select count(*) from optimization_runs where project_id = ${BIG})::int as big,
             (select count(*) from optimization_iterations)::int as iterations,
             (select count(*) from optimization_iterations where is_best)::int as best,
             (select count(*) from optimization_samples)::int as samples,
             (select count(*) from optimization_run_analytics)::int as analytics,
             (select iterations from optimization_runs where id = ${runId}) as run_iterations`;
    expect(row).toEqual({
      runs: RUNS, big: BIG_RUNS, iterations: 10_000, best: 400, samples: 5_000,
      analytics: (SMALL_PROJECTS + 1) * 8 * 5, run_iterations: 25,
    });
  });

  it.each(QUERIES)('pattern %s uses its index as an RLS-scoped member', async (_pattern, query, indexes) => {
    const plan = await explain(query(), 'member');
    const used = indexNames(plan);
    for (const index of indexes) expect(used, outline(plan)).toContain(index);
  });

  it('pattern 5: the run itself is read by primary key', async () => {
    const plan = await explain(`select * from optimization_runs where id = '${runId}'`, 'member');
    expect(indexNames(plan).join()).toMatch(/optimization_runs_(pkey|id_project_id_key)/);
  });

  it.each(SEARCHES)('pattern %s uses its index in the search a member runs', async (_pattern, filters, indexes) => {
    const plan = await explainSearch(filters);
    for (const index of indexes) expect(indexNames(plan), outline(plan)).toContain(index);
  });

  // Under RLS the same filters cannot use GIN (the reason for search_optimization_runs);
  // the member still gets exactly the runs the search finds, through the data layer.
  it.each(SEARCHES)('pattern %s through the data layer returns the matching runs', async (_pattern, filters) => {
    const page = await listOptimizationRuns(userScope(member.claims, sql), {
      projectId: BIG,
      tags: filters.tags as string[] | undefined,
      config: filters.config ? DOTTED : undefined,
      limit: 200,
    });
    const expected = await sql<{ id: string }[]>`
      select id from optimization_runs
      where project_id = ${BIG}
        and (${(filters.tags as string[] | undefined) ?? null}::text[] is null or tags @> ${(filters.tags as string[] | undefined) ?? null}::text[])
        and (${filters.config ? sql.json(filters.config as never) : null}::jsonb is null or config @> ${filters.config ? sql.json(filters.config as never) : null}::jsonb)
      order by created_at desc, id desc`;
    expect(expected.length).toBeGreaterThan(0);
    expect(page.data.map((r) => r.id)).toEqual(expected.slice(0, 200).map((r) => r.id));
    expect(page.total).toBe(expected.length);
  });
});
