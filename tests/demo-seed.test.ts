import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../lib/auth/api-key.ts';
import { DEMO_PROJECT_IDS, seedDemoData } from '../lib/demo/index.ts';
import { loadRecordedCompile, RECORDED_PROJECT, RECORDED_RUNS } from '../lib/demo/recorded.ts';
import { coalesceRecordedWrites } from '../lib/supabase-optimization/index.ts';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { createProject, createUser } from './helpers/fixtures.ts';

// The demo seeder (npm start seeds a first start; npm run db:seed on demand) on real
// PostgreSQL: a fresh database each, as the cases differ in what is there before.

const NOW = new Date('2026-11-20T12:00:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'optiscope-seed-'));
const keyFile = (name: string) => path.join(dir, name);
const databases: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  databases.push(db);
  return db;
}

async function counts(db: TestDatabase) {
  const [row] = await db.sql<{ projects: number; runs: number; iterations: number; samples: number; keys: number }[]>`
    select (select count(*)::int from project_config) as projects,
           (select count(*)::int from optimization_runs) as runs,
           (select count(*)::int from optimization_iterations) as iterations,
           (select count(*)::int from optimization_samples) as samples,
           (select count(*)::int from api_keys) as keys`;
  return row!;
}

afterAll(async () => {
  for (const db of databases) await db.close();
});

describe('seeding an empty database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });

  it('adds the demo projects, their runs and one working key, and writes the key 0600', async () => {
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: keyFile('first') });
    if (!result.seeded) throw new Error(`not seeded: ${JSON.stringify(result)}`);
    const rows = await db.sql`select id from project_config order by id`;
    expect(rows.map((r) => r.id)).toEqual([...DEMO_PROJECT_IDS].sort());
    expect(await counts(db)).toEqual({
      projects: DEMO_PROJECT_IDS.length,
      runs: result.counts.runs,
      iterations: result.counts.iterations,
      samples: result.counts.samples,
      keys: 1,
    });
    expect(result.counts.runs).toBeGreaterThan(0);
    const written = readFileSync(keyFile('first'), 'utf8').trim();
    expect(written).toBe(result.apiKey);
    expect(statSync(keyFile('first')).mode & 0o777).toBe(0o600);
    const [key] = await db.sql`select revoked_at from api_keys where key_hash = ${hashApiKey(result.apiKey)}`;
    expect(key).toEqual({ revoked_at: null });
  });

  it('seeding twice adds nothing and keeps the key file', async () => {
    const before = await counts(db);
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: keyFile('first') });
    expect(again).toEqual({ seeded: false, reason: 'demo-present', existing: [...DEMO_PROJECT_IDS].sort() });
    expect(await counts(db)).toEqual(before);
    const [key] = await db.sql`select count(*)::int as n from api_keys where key_hash = ${hashApiKey(readFileSync(keyFile('first'), 'utf8').trim())}`;
    expect(key!.n).toBe(1);
  });

  it('two seeders at once seed once', async () => {
    const other = await freshDatabase();
    const results = await Promise.all([
      seedDemoData(other.sql, { now: NOW, apiKeyFile: null }),
      seedDemoData(other.sql, { now: NOW, apiKeyFile: null }),
    ]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect((await counts(other)).keys).toBe(1);
  });
});

// What a recorded compile's writes say, worked out from the fixture itself: the last value
// written for each key wins (the API upserts field by field).
function expectedFromFixture(file: string) {
  const { writes } = loadRecordedCompile(file);
  const items = (resource: string) =>
    writes
      .filter((w) => w.method === 'POST' && w.path.endsWith(`/${resource}`))
      .flatMap((w) => (Array.isArray(w.body) ? w.body : [w.body]) as Record<string, unknown>[]);
  const iterations = new Map<number, Record<string, unknown>>();
  for (const item of items('iterations')) iterations.set(item.iteration as number, { ...iterations.get(item.iteration as number), ...item });
  const keys = (resource: string, key: (i: Record<string, unknown>) => unknown) => new Set(items(resource).map((i) => JSON.stringify(key(i)))).size;
  const patch = Object.assign({}, ...writes.filter((w) => w.method === 'PATCH').map((w) => w.body)) as Record<string, unknown>;
  const create = writes.find((w) => w.path === '/runs')!.body as Record<string, unknown>;
  return {
    runName: create.runName,
    optimizerType: create.optimizerType,
    status: patch.status,
    finalScore: patch.finalScore,
    kinds: [...iterations.entries()].sort((a, b) => a[0] - b[0]).map(([n, i]) => ({ iteration: n, kind: i.evalKind ?? null })),
    selected: [...iterations.entries()].filter(([, i]) => i.selected === true).map(([n]) => n),
    samples: keys('samples', (i) => [i.iteration, i.sampleIndex]),
    samplesWithExampleId: items('samples').filter((i) => typeof i.exampleId === 'string').length > 0,
    candidates: keys('candidates', (i) => i.candidateId),
    pool: keys('candidate-pool', (i) => [i.predictorIndex, i.kind, i.candidateIndex]),
    pareto: keys('pareto', (i) => i.step),
    proposals: keys('proposals', (i) => i.proposalIndex),
    rejected: new Set(items('proposals').filter((i) => i.accepted === false).map((i) => i.proposalIndex)).size,
    durationMs: writes.at(-1)!.atMs,
  };
}

describe('coalescing recorded writes (as the Python sender merges queued ones)', () => {
  const post = (resource: string, body: unknown[]) => ({ method: 'POST', path: `/runs/{runId}/${resource}`, body });
  it('merges batches of a resource up to the next run write, never one key twice nor two selections', () => {
    const writes = [
      { method: 'POST', path: '/runs', body: { runName: 'r' } },
      post('iterations', [{ iteration: 0, score: 0.5 }]),
      post('samples', [{ iteration: 0, sampleIndex: 0 }]),
      post('iterations', [{ iteration: 1, score: 0.6, selected: true }]),
      post('samples', [{ iteration: 1, sampleIndex: 0 }]),
      post('iterations', [{ iteration: 0, evalKind: 'full' }]),
      post('iterations', [{ iteration: 2, selected: true }]),
      { method: 'PATCH', path: '/runs/{runId}', body: { status: 'completed' } },
      post('samples', [{ iteration: 2, sampleIndex: 0 }]),
    ];
    const merged = coalesceRecordedWrites(writes).map((w) => [w.method, w.path.split('/').pop(), w.body]);
    expect(merged).toEqual([
      ['POST', 'runs', { runName: 'r' }],
      ['POST', 'iterations', [{ iteration: 0, score: 0.5 }, { iteration: 1, score: 0.6, selected: true }]],
      ['POST', 'samples', [{ iteration: 0, sampleIndex: 0 }, { iteration: 1, sampleIndex: 0 }]],
      // iteration 0 again: a new batch, which then cannot take a second selection
      ['POST', 'iterations', [{ iteration: 0, evalKind: 'full' }, { iteration: 2, selected: true }]],
      ['PATCH', '{runId}', { status: 'completed' }],
      ['POST', 'samples', [{ iteration: 2, sampleIndex: 0 }]],
    ]);
    // the input is left as it was
    expect(writes[1]!.body).toEqual([{ iteration: 0, score: 0.5 }]);
  });
});

describe('the recorded DSPy compiles', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null })).seeded).toBe(true);
  });

  it('are a real MIPROv2 compile with minibatches and a real GEPA compile with proposals, as recorded', () => {
    const mipro = expectedFromFixture('miprov2.json');
    const gepa = expectedFromFixture('gepa.json');
    expect(mipro.optimizerType).toBe('miprov2');
    expect(new Set(mipro.kinds.map((k) => k.kind))).toEqual(new Set(['full', 'minibatch']));
    expect(mipro.pool).toBeGreaterThan(0);
    expect(gepa.optimizerType).toBe('gepa');
    expect(gepa.candidates).toBeGreaterThan(1);
    expect(gepa.pareto).toBeGreaterThan(0);
    expect(gepa.rejected).toBeGreaterThan(0);
    // each reflective proposal keeps the reflection LM's real prompt and answer, not "{}"
    const reflected = loadRecordedCompile('gepa.json')
      .writes.filter((w) => w.path.endsWith('/proposals'))
      .flatMap((w) => w.body as Array<{ kind: string; proposedState?: Record<string, string>; prompt?: string; rawOutput?: string }>)
      .filter((p) => p.kind === 'reflective' && p.proposedState);
    expect(reflected.length).toBeGreaterThan(0);
    for (const p of reflected) {
      expect(p.prompt).toContain('examples_with_feedback');
      for (const text of Object.values(p.proposedState!)) expect(p.rawOutput).toContain(text);
    }
    for (const fixture of [mipro, gepa]) {
      expect(fixture.selected).toHaveLength(1);
      expect(fixture.samplesWithExampleId).toBe(true);
    }
  });

  it.each(RECORDED_RUNS.map((r) => [r.file, r] as const))('%s is stored in the demo project as its writes say', async (file, recorded) => {
    const expected = expectedFromFixture(file);
    const [run] = await db.sql`
      select project_id, run_name, optimizer_type, status, final_score::float8 as final_score, best_score::float8 as best_score,
             started_at, ended_at, created_at
      from optimization_runs where id = ${recorded.runId}`;
    expect(run).toMatchObject({
      project_id: RECORDED_PROJECT.id,
      run_name: expected.runName,
      optimizer_type: expected.optimizerType,
      status: expected.status,
    });
    expect(run!.final_score).toBeCloseTo(expected.finalScore as number, 6);
    const startedAt = new Date(NOW.getTime() - recorded.ageDays * 86_400_000);
    expect(new Date(run!.started_at)).toEqual(startedAt);
    expect(new Date(run!.created_at)).toEqual(startedAt);
    expect(new Date(run!.ended_at)).toEqual(new Date(startedAt.getTime() + expected.durationMs));

    const iterations = await db.sql<{ iteration: number; eval_kind: string | null; is_selected: boolean; is_best: boolean; score: number }[]>`
      select iteration, eval_kind, is_selected, is_best, score::float8 as score
      from optimization_iterations where run_id = ${recorded.runId} order by iteration`;
    expect(iterations.map((i) => ({ iteration: i.iteration, kind: i.eval_kind }))).toEqual(expected.kinds);
    // the selected iteration is the run's best, whatever a minibatch scored
    expect(iterations.filter((i) => i.is_selected).map((i) => i.iteration)).toEqual(expected.selected);
    expect(iterations.filter((i) => i.is_best).map((i) => i.iteration)).toEqual(expected.selected);
    expect(run!.best_score).toBeCloseTo(iterations.find((i) => i.is_selected)!.score, 6);

    const [counts] = await db.sql<{ samples: number; orphans: number; candidates: number; pool: number; pareto: number; proposals: number; rejected: number }[]>`
      select (select count(*)::int from optimization_samples where run_id = ${recorded.runId}) as samples,
             (select count(*)::int from optimization_samples where run_id = ${recorded.runId} and iteration_id is null) as orphans,
             (select count(*)::int from optimization_candidates where run_id = ${recorded.runId}) as candidates,
             (select count(*)::int from optimization_candidate_pool where run_id = ${recorded.runId}) as pool,
             (select count(*)::int from optimization_pareto_snapshots where run_id = ${recorded.runId}) as pareto,
             (select count(*)::int from optimization_proposals where run_id = ${recorded.runId}) as proposals,
             (select count(*)::int from optimization_proposals where run_id = ${recorded.runId} and accepted = false) as rejected`;
    expect(counts).toEqual({
      samples: expected.samples,
      orphans: 0,
      candidates: expected.candidates,
      pool: expected.pool,
      pareto: expected.pareto,
      proposals: expected.proposals,
      rejected: expected.rejected,
    });
  });

  it('the demo project of the recordings is the local user\'s, beside the synthetic ones', async () => {
    expect(DEMO_PROJECT_IDS).toContain(RECORDED_PROJECT.id);
    const [project] = await db.sql`select name from project_config where id = ${RECORDED_PROJECT.id}`;
    expect(project).toEqual({ name: RECORDED_PROJECT.name });
    const [members] = await db.sql`select count(*)::int as n from project_members where project_id = ${RECORDED_PROJECT.id} and role = 'owner'`;
    expect(members).toEqual({ n: 1 });
  });
});

describe('a database with a project of its own', () => {
  it('a first start (onlyIfEmpty) leaves it alone', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    await createProject(db.sql, 'my-project', [[user, 'owner']]);
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true });
    expect(result).toEqual({ seeded: false, reason: 'not-empty', existing: [] });
    expect((await counts(db)).projects).toBe(1);
  });

  it('npm run db:seed adds the demo beside it, leaving it as it was', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    await createProject(db.sql, 'my-project', [[user, 'owner']]);
    const [before] = await db.sql`select * from project_config where id = 'my-project'`;
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(result.seeded).toBe(true);
    expect((await counts(db)).projects).toBe(DEMO_PROJECT_IDS.length + 1);
    expect((await db.sql`select * from project_config where id = 'my-project'`)[0]).toEqual(before);
    expect(await db.sql`select user_id, role from project_members where project_id = 'my-project'`).toEqual([{ user_id: user.id, role: 'owner' }]);
  });

  it('a project of a user that has a demo project id is not overwritten', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    const taken = DEMO_PROJECT_IDS[0]!;
    await createProject(db.sql, taken, [[user, 'owner']]);
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(result).toEqual({ seeded: false, reason: 'demo-present', existing: [taken] });
    expect(await counts(db)).toMatchObject({ projects: 1, runs: 0, keys: 0 });
  });
});

describe('demo projects the user deleted', () => {
  it('stay deleted on the next start, even with no project left', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true })).seeded).toBe(true);
    await db.sql`delete from project_config where id = any (${DEMO_PROJECT_IDS})`;
    expect(await counts(db)).toEqual({ projects: 0, runs: 0, iterations: 0, samples: 0, keys: 0 });
    const restart = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true });
    expect(restart).toEqual({ seeded: false, reason: 'seeded-before', existing: [] });
    expect((await counts(db)).projects).toBe(0);
  });

  it('one deleted of several stays deleted; the others are left as they are', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null })).seeded).toBe(true);
    const [gone, ...kept] = DEMO_PROJECT_IDS;
    await db.sql`delete from project_config where id = ${gone!}`;
    const before = await counts(db);
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(again).toEqual({ seeded: false, reason: 'demo-present', existing: [...kept].sort() });
    expect(await counts(db)).toEqual(before);
  });

  it('npm run db:seed, asked for explicitly, brings them back', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null })).seeded).toBe(true);
    await db.sql`delete from project_config where id = any (${DEMO_PROJECT_IDS})`;
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(again.seeded).toBe(true);
    expect((await counts(db)).projects).toBe(DEMO_PROJECT_IDS.length);
  });
});
