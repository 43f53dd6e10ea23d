import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizationRun,
  listOptimizationRuns,
  type ListRunsInput,
  type OptimizationRun,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { scopeOf, useDatabase, warmPool } from './helpers.ts';
import { expectedIds, insertRuns, makeRuns } from './run-fixtures.ts';

type Order = Pick<ListRunsInput, 'orderBy' | 'orderDirection'>;

// Keyset paging while other writers insert runs between (or during) page fetches: a row
// that existed when paging started is seen exactly once, and nothing is seen twice.
describe.each(ENGINES)('cursor paging under concurrent inserts on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    user = await createUser(db().sql, 'pager');
    scope = scopeOf(db(), user);
  });

  async function seedProject(projectId: string) {
    await createProject(db().sql, projectId, [[user, 'owner']]);
    const runs = makeRuns(projectId, 45);
    await insertRuns(db().sql, runs);
    return runs;
  }

  async function pageThrough(projectId: string, order: Order, between: (page: number) => Promise<void>) {
    const seen: OptimizationRun[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const result = await listOptimizationRuns(scope, { projectId, ...order, limit: 6, cursor });
      seen.push(...result.data);
      cursor = result.nextCursor ?? undefined;
      page += 1;
      await between(page);
    } while (cursor && page < 100);
    return seen;
  }

  const insertRun = (projectId: string, finalScore: number | null, name: string) =>
    createOptimizationRun(scope, { projectId, runName: name, optimizerType: 'miprov2', initialScore: 0.2, finalScore });

  it('created_at desc: runs inserted between pages never show up and no row is skipped or repeated', async () => {
    const runs = await seedProject('pg-created');
    const inserted: string[] = [];
    const seen = await pageThrough('pg-created', { orderBy: 'created_at', orderDirection: 'desc' }, async (page) => {
      for (let i = 0; i < 3; i++) inserted.push((await insertRun('pg-created', 0.5, `new ${page}.${i}`)).id);
    });
    expect(inserted.length).toBeGreaterThanOrEqual(24);
    expect(seen.map((r) => r.id)).toEqual(expectedIds(runs, { projectId: 'pg-created' }));
    const after = await listOptimizationRuns(scope, { projectId: 'pg-created', limit: 200 });
    expect(after.total).toBe(45 + inserted.length);
  });

  it.each([
    { orderBy: 'final_score', orderDirection: 'desc' },
    { orderBy: 'final_score', orderDirection: 'asc' },
    { orderBy: 'improvement', orderDirection: 'desc' },
  ] satisfies Order[])('$orderBy $orderDirection: runs with scores across the range inserted between pages', async (order) => {
    const projectId = `pg-${order.orderBy.replace('_', '-')}-${order.orderDirection}`;
    const runs = await seedProject(projectId);
    const scores = [0, 0.25, 0.5, 0.75, 0.8, 0.9234, 1, null];
    const seen = await pageThrough(projectId, order, async (page) => {
      for (const s of scores) await insertRun(projectId, s, `new ${page} ${s}`);
    });
    const ids = seen.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = expectedIds(runs, { projectId, ...order });
    // the pre-existing runs appear once each and in their order; new ones may interleave
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    expect(ids.length).toBeGreaterThan(expected.length);
    // the merged sequence is itself correctly ordered (NULLs last)
    const key = (r: OptimizationRun) => (order.orderBy === 'final_score' ? r.finalScore : r.improvement);
    for (let i = 1; i < seen.length; i++) {
      const a = key(seen[i - 1]!);
      const b = key(seen[i]!);
      if (a === null) expect(b).toBeNull();
      else if (b !== null) expect(order.orderDirection === 'desc' ? a >= b : a <= b).toBe(true);
    }
  });

  it('created_at desc with a writer running concurrently with the reader', async () => {
    await warmPool(db());
    const runs = await seedProject('pg-concurrent');
    let done = false;
    const writer = (async () => {
      let n = 0;
      while (!done && n < 200) {
        await insertRun('pg-concurrent', (n % 11) / 10, `concurrent ${n++}`);
      }
      return n;
    })();
    const reader = pageThrough('pg-concurrent', { orderBy: 'created_at', orderDirection: 'desc' }, async () => {
      await new Promise((r) => setTimeout(r, 2));
    }).finally(() => {
      done = true;
    });
    const [seen, written] = await Promise.all([reader, writer]);
    expect(written).toBeGreaterThan(0);
    const ids = seen.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = expectedIds(runs, { projectId: 'pg-concurrent' });
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    // anything new was seen only before the first pre-existing run (it is newer)
    const firstOld = ids.indexOf(expected[0]!);
    expect(ids.slice(firstOld)).toEqual(expected);
  });
});
