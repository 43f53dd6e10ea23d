import { beforeAll, describe, expect, it } from 'vitest';
import {
  listOptimizationRuns,
  RUN_ORDER_COLUMNS,
  ValidationError,
  type ListRunsInput,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { rejection, scopeOf, useDatabase } from './helpers.ts';
import { BASE_TIME, expectedIds, insertRuns, makeRuns, type RunFixture } from './run-fixtures.ts';

const P = 'lr-main';
const iso = (minutes: number, ms = 0) => new Date(BASE_TIME + minutes * 60_000 + ms).toISOString();

// Each filter alone and in combinations; every one must select some but not all runs.
const FILTERS: Array<[string, Omit<ListRunsInput, 'projectId'>]> = [
  ['one status', { status: 'completed' }],
  ['several statuses', { status: ['running', 'failed'] }],
  ['one optimizer', { optimizerType: 'gepa' }],
  ['several optimizers', { optimizerType: ['copro', 'bootstrap_fewshot'] }],
  ['one tag', { tags: ['production'] }],
  ['all of several tags', { tags: ['production', 'experiment-1'] }],
  ['three tags', { tags: ['v2', 'experiment-1', 'nightly'] }],
  ['config string', { config: { model: 'gpt-4' } }],
  ['config nested number (the document example)', { config: { model: 'gpt-4', 'miprov2.num_candidates': 10 } }],
  ['config nested string "10"', { config: { 'miprov2.num_candidates': '10' } }],
  ['config boolean true', { config: { 'flags.fast': true } }],
  ['config boolean false', { config: { 'flags.fast': false } }],
  ['config string "true"', { config: { 'flags.fast': 'true' } }],
  ['config two nested keys', { config: { 'miprov2.num_candidates': 5, 'miprov2.init_temperature': 1 } }],
  ['minScore', { minScore: 0.8 }],
  ['maxScore', { maxScore: 0.75 }],
  ['score range', { minScore: 0.5, maxScore: 0.9234 }],
  ['exact score', { minScore: 0.8, maxScore: 0.8 }],
  ['search, case-insensitive', { search: 'ALPHA' }],
  ['search trims', { search: '  gamma  ' }],
  ['search "%" is literal', { search: '100%' }],
  ['search "_" is literal', { search: 'beta_' }],
  ['search "\\" is literal', { search: 'h\\t' }],
  ['createdAfter (inclusive)', { createdAfter: iso(30, 30 % 7) }],
  ['createdBefore (exclusive)', { createdBefore: iso(30, 30 % 7) }],
  ['created window', { createdAfter: iso(10), createdBefore: iso(40) }],
  ['status + optimizer', { status: ['completed', 'failed', 'cancelled'], optimizerType: ['miprov2', 'gepa'] }],
  ['status + tags + minScore', { status: ['completed', 'running'], tags: ['v2'], minScore: 0.5 }],
  ['config + search', { config: { model: 'claude-3' }, search: 'a' }],
  ['tags + config + created window', { tags: ['nightly'], config: { 'flags.fast': true }, createdAfter: iso(5), createdBefore: iso(60) }],
  ['optimizer + score range + search', { optimizerType: 'copro', minScore: 0, maxScore: 0.9, search: '#' }],
  [
    'everything at once',
    {
      status: ['completed', 'failed', 'pending', 'running'],
      optimizerType: ['miprov2', 'copro', 'gepa'],
      tags: ['production'],
      config: { model: 'gpt-4o' },
      minScore: 0.1,
      maxScore: 1,
      search: ' #',
      createdAfter: iso(0),
      createdBefore: iso(62),
    },
  ],
];

describe.each(ENGINES)('listOptimizationRuns on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let runs: RunFixture[];

  beforeAll(async () => {
    const sql = db().sql;
    const user = await createUser(sql, 'lister');
    await createProject(sql, P, [[user, 'owner']]);
    await createProject(sql, 'lr-other', [[user, 'owner']]);
    runs = makeRuns(P, 64);
    // same names, tags and configs in another project: never listed for P
    await insertRuns(sql, [...runs, ...makeRuns('lr-other', 20)]);
    scope = scopeOf(db(), user);
  });

  const list = (f: Omit<ListRunsInput, 'projectId'>) => listOptimizationRuns(scope, { projectId: P, limit: 200, ...f });

  it('lists every run of the project newest first, with an exact total', async () => {
    const page = await list({});
    expect(page.data.map((r) => r.id)).toEqual(expectedIds(runs, { projectId: P }));
    expect(page.data.every((r) => r.projectId === P)).toBe(true);
    expect(page).toMatchObject({ total: 64, totalIsExact: true, nextCursor: null });
  });

  it('returns runs as camelCase DTOs with the fixture values', async () => {
    const page = await list({ search: '#7' });
    const fixture = runs.find((r) => r.runName.endsWith('#7'))!;
    const [run] = page.data.filter((r) => r.id === fixture.id);
    expect(run).toMatchObject({
      runName: fixture.runName,
      status: fixture.status,
      optimizerType: fixture.optimizerType,
      tags: fixture.tags,
      config: fixture.config,
      createdAt: new Date(fixture.createdAt).toISOString(),
      finalScore: fixture.final === null ? null : fixture.final / 10_000,
      durationMs: fixture.durationMs,
      totalCostUsd: fixture.costMicros / 1_000_000,
    });
  });

  it.each(FILTERS)('filters by %s', async (_name, filters) => {
    const expected = expectedIds(runs, { projectId: P, ...filters });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(runs.length);
    const page = await list(filters);
    expect(page.data.map((r) => r.id)).toEqual(expected);
    expect(page.total).toBe(expected.length);
    expect(page.totalIsExact).toBe(true);
  });

  it('keeps config value types: 10 matches the number only, "10" the string only', async () => {
    const number = await list({ config: { 'miprov2.num_candidates': 10 } });
    const string = await list({ config: { 'miprov2.num_candidates': '10' } });
    expect(number.total).toBeGreaterThan(0);
    expect(string.total).toBeGreaterThan(0);
    for (const run of number.data) expect((run.config.miprov2 as Record<string, unknown>).num_candidates).toBe(10);
    for (const run of string.data) expect((run.config.miprov2 as Record<string, unknown>).num_candidates).toBe('10');
    const bool = await list({ config: { 'flags.fast': true } });
    for (const run of bool.data) expect((run.config.flags as Record<string, unknown>).fast).toBe(true);
  });

  it('a config filter no run matches returns nothing', async () => {
    const page = await list({ config: { model: 'gpt-5', 'miprov2.num_candidates': 10 } });
    expect(page).toMatchObject({ data: [], total: 0, totalIsExact: true, nextCursor: null });
  });

  it.each([
    [{ miprov2: 'x', 'miprov2.num_candidates': 10 }],
    [{ 'miprov2.num_candidates': 10, miprov2: 'x' }],
  ])('conflicting config paths are a ValidationError (%o)', async (config) => {
    const error = await rejection(list({ config }), ValidationError);
    expect(error.issues[0]!.path).toMatch(/^config\.miprov2/);
    expect(error.issues[0]!.message).toContain('conflicts');
  });

  // every run column, and config values of mixed types (10 and "10", true and "true") and missing keys
  const ORDERS = [...RUN_ORDER_COLUMNS, 'config.miprov2.num_candidates', 'config.flags.fast', 'config.model'] as const;
  describe.each(ORDERS)('ordered by %s', (orderBy) => {
    it.each(['asc', 'desc'] as const)('%s: NULLs last, ties broken by id', async (orderDirection) => {
      const page = await list({ orderBy, orderDirection });
      expect(page.data.map((r) => r.id)).toEqual(expectedIds(runs, { projectId: P, orderBy, orderDirection }));
    });

    it.each(['asc', 'desc'] as const)('%s: cursor pages visit every run exactly once', async (orderDirection) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listOptimizationRuns(scope, { projectId: P, orderBy, orderDirection, limit: 7, cursor });
        expect(page.data.length).toBeLessThanOrEqual(7);
        expect(page.total).toBe(64);
        seen.push(...page.data.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor && pages < 20);
      expect(pages).toBe(10);
      expect(seen).toEqual(expectedIds(runs, { projectId: P, orderBy, orderDirection }));
    });
  });

  it('cursor paging combines with filters', async () => {
    const filters = { status: ['completed', 'failed', 'running'], tags: ['production'] } satisfies Omit<ListRunsInput, 'projectId'>;
    const expected = expectedIds(runs, { projectId: P, ...filters, orderBy: 'improvement', orderDirection: 'asc' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listOptimizationRuns(scope, { projectId: P, ...filters, orderBy: 'improvement', orderDirection: 'asc', limit: 2, cursor });
      expect(page.total).toBe(expected.length);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expected);
  });

  it('limit caps the page and nextCursor is null exactly when nothing is left', async () => {
    const three = await list({ limit: 3 });
    expect(three.data.map((r) => r.id)).toEqual(expectedIds(runs, { projectId: P }).slice(0, 3));
    expect(three.nextCursor).not.toBeNull();
    expect(three.total).toBe(64);
    const exact = await list({ limit: 64 });
    expect(exact.data).toHaveLength(64);
    expect(exact.nextCursor).toBeNull();
    const byDefault = await listOptimizationRuns(scope, { projectId: P });
    expect(byDefault.data).toHaveLength(20);
  });

  it('offset skips rows in the same order', async () => {
    const expected = expectedIds(runs, { projectId: P, orderBy: 'final_score', orderDirection: 'desc' });
    const page = await list({ orderBy: 'final_score', orderDirection: 'desc', offset: 10, limit: 5 });
    expect(page.data.map((r) => r.id)).toEqual(expected.slice(10, 15));
    expect(page.total).toBe(64);
    const last = await list({ offset: 60, limit: 10 });
    expect(last.data.map((r) => r.id)).toEqual(expectedIds(runs, { projectId: P }).slice(60));
    expect(last.nextCursor).toBeNull();
  });

  it('totals from the run counts are exact at any size; counted totals stop at the cap', async () => {
    const sql = db().sql;
    const [{ user_id: owner }] = (await sql`select user_id from project_members where project_id = ${P}`) as unknown as [{ user_id: string }];
    await sql`insert into project_config (id, name) values ('lr-big', 'Big')`;
    await sql`insert into project_members (project_id, user_id, role) values ('lr-big', ${owner}, 'viewer')`;
    await sql`
      insert into optimization_runs (project_id, run_name, optimizer_type, status, created_at)
      select 'lr-big', 'bulk ' || g, 'miprov2', case when g % 3 = 0 then 'completed' else 'failed' end,
             timestamptz '2026-01-01' + g * interval '1 second'
      from generate_series(1, 10050) g
    `;
    const all = await listOptimizationRuns(scope, { projectId: 'lr-big', limit: 5 });
    expect(all.data.map((r) => r.runName)).toEqual(['bulk 10050', 'bulk 10049', 'bulk 10048', 'bulk 10047', 'bulk 10046']);
    expect(all).toMatchObject({ total: 10_050, totalIsExact: true });
    const some = await listOptimizationRuns(scope, { projectId: 'lr-big', status: 'completed', limit: 1 });
    expect(some).toMatchObject({ total: 3350, totalIsExact: true });
    // a name search has to visit the runs to count them: 1,000 at most, then "1,000+"
    const named = await listOptimizationRuns(scope, { projectId: 'lr-big', search: 'bulk', limit: 1 });
    expect(named).toMatchObject({ total: 1000, totalIsExact: false });
    expect(named.data.map((r) => r.runName)).toEqual(['bulk 10050']);
    const fewNamed = await listOptimizationRuns(scope, { projectId: 'lr-big', search: 'bulk 100', limit: 1 });
    // "bulk 100" and "bulk 1000".."bulk 1009", "bulk 10000".."bulk 10050"
    expect(fewNamed).toMatchObject({ total: 1 + 10 + 51, totalIsExact: true });
  });
});
