import { beforeAll, describe, expect, it } from 'vitest';
import {
  addProjectMember,
  batchCreateOptimizationSamples,
  createApiKey,
  createOptimizationIteration,
  createOptimizationIterations,
  createOptimizationRun,
  deleteOptimizationRun,
  ForbiddenError,
  getBestOptimizationIteration,
  getOptimizationAnalytics,
  getOptimizationRun,
  getOptimizationRunSummary,
  getProject,
  getTopRunsByScore,
  listApiKeys,
  listOptimizationIterations,
  listOptimizationRuns,
  listOptimizationSamples,
  listProjectMembers,
  listProjects,
  NotFoundError,
  UnauthorizedError,
  refreshOptimizationAnalytics,
  removeProjectMember,
  revokeApiKey,
  updateOptimizationRun,
  updateProjectMemberRole,
  type OptimizationRun,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES, type TestDatabase } from '../helpers/databases.ts';
import { createProject, createUser, type TestUser } from '../helpers/fixtures.ts';
import { apiKeyClaims, count, NO_INTERVAL, rejection, scopeOf, useDatabase } from './helpers.ts';

// What the superuser sees of every optimization table: must not move when a write is refused.
async function snapshot(db: TestDatabase) {
  const [row] = await db.sql`
    select (select count(*)::int from optimization_runs) as runs,
           (select count(*)::int from optimization_iterations) as iterations,
           (select count(*)::int from optimization_samples) as samples,
           (select count(*)::int from project_members) as members,
           (select count(*)::int from api_keys) as keys,
           (select string_agg(id || ':' || run_name || ':' || status || ':' || coalesce(final_score::text, '-') || ':' || updated_at, ',' order by id) from optimization_runs) as runs_state
  `;
  return row;
}

// Every data-layer function, called by someone who must not reach project B.
describe.each(ENGINES)('tenant isolation through the data layer on %s', (engine) => {
  const db = useDatabase(engine);
  let ownerA: TestUser;
  let ownerB: TestUser;
  let viewerA: TestUser;
  let memberB: TestUser;
  let a: Scope;
  let b: Scope;
  let runA: OptimizationRun;
  let runB: OptimizationRun;
  let keyB: string;

  beforeAll(async () => {
    const sql = db().sql;
    ownerA = await createUser(sql, 'owner-a');
    ownerB = await createUser(sql, 'owner-b');
    viewerA = await createUser(sql, 'viewer-a');
    memberB = await createUser(sql, 'member-b');
    await createProject(sql, 'iso-a', [[ownerA, 'owner'], [viewerA, 'viewer']]);
    await createProject(sql, 'iso-b', [[ownerB, 'owner'], [memberB, 'member']]);
    a = scopeOf(db(), ownerA);
    b = scopeOf(db(), ownerB);
    for (const [scope, projectId] of [[a, 'iso-a'], [b, 'iso-b']] as const) {
      const run = await createOptimizationRun(scope, {
        projectId,
        runName: `run of ${projectId}`,
        optimizerType: 'miprov2',
        status: 'completed',
        finalScore: 0.9,
      });
      await createOptimizationIterations(scope, run.id, [{ iteration: 1, score: 0.9 }]);
      await batchCreateOptimizationSamples(scope, [{ runId: run.id, iteration: 1, sampleIndex: 0, score: 1 }]);
      if (projectId === 'iso-a') runA = run;
      else runB = run;
    }
    keyB = (await createApiKey(b, { projectId: 'iso-b', name: 'b key' })).apiKey.id;
    await refreshOptimizationAnalytics(b, NO_INTERVAL);
  });

  describe("owner of A with project B's ids", () => {
    it('cannot read, update or delete B’s run: NotFoundError, never ForbiddenError', async () => {
      const before = await snapshot(db());
      await rejection(getOptimizationRun(a, runB.id), NotFoundError);
      await rejection(updateOptimizationRun(a, runB.id, { runName: 'pwned', finalScore: 0 }), NotFoundError);
      await rejection(updateOptimizationRun(a, runB.id, { status: 'completed' }), NotFoundError);
      await rejection(deleteOptimizationRun(a, runB.id), NotFoundError);
      expect(await snapshot(db())).toEqual(before);
    });

    it('cannot create a run in B, even with a caller-chosen id', async () => {
      const before = await snapshot(db());
      await rejection(createOptimizationRun(a, { projectId: 'iso-b', runName: 'x', optimizerType: 'miprov2' }), NotFoundError);
      await rejection(
        createOptimizationRun(a, { id: runB.id, projectId: 'iso-b', runName: 'x', optimizerType: 'miprov2' }),
        NotFoundError,
      );
      await rejection(createOptimizationRun(a, { projectId: 'iso-nothing', runName: 'x', optimizerType: 'miprov2' }), NotFoundError);
      expect(await snapshot(db())).toEqual(before);
    });

    it('cannot write iterations or samples to B’s run; a batch with one B row writes nothing', async () => {
      const before = await snapshot(db());
      await rejection(createOptimizationIteration(a, { runId: runB.id, iteration: 2, score: 1 }), NotFoundError);
      await rejection(createOptimizationIterations(a, runB.id, [{ iteration: 1, score: 0 }]), NotFoundError);
      await rejection(batchCreateOptimizationSamples(a, [{ runId: runB.id, iteration: 1, sampleIndex: 0, score: 0 }]), NotFoundError);
      await rejection(
        batchCreateOptimizationSamples(a, [
          { runId: runA.id, iteration: 1, sampleIndex: 1, score: 0.5 },
          { runId: runA.id, iteration: 1, sampleIndex: 2, score: 0.5 },
          { runId: runB.id, iteration: 1, sampleIndex: 5, score: 0.5 },
        ]),
        NotFoundError,
      );
      expect(await snapshot(db())).toEqual(before);
      const [best] = await db().sql`select score from optimization_iterations where run_id = ${runB.id}`;
      expect(best!.score).toBe(0.9);
    });

    it('cannot read B’s iterations, samples, summary or leaderboard', async () => {
      await rejection(listOptimizationIterations(a, runB.id), NotFoundError);
      await rejection(getBestOptimizationIteration(a, runB.id), NotFoundError);
      await rejection(listOptimizationSamples(a, { runId: runB.id }), NotFoundError);
      await rejection(getOptimizationRunSummary(a, runB.id), NotFoundError);
      expect(await getTopRunsByScore(a, 'iso-b', 10)).toEqual([]);
      expect((await getTopRunsByScore(b, 'iso-b', 10)).map((r) => r.id)).toEqual([runB.id]);
    });

    it('lists no runs of B (total 0) and never B’s runs under its own project', async () => {
      expect(await listOptimizationRuns(a, { projectId: 'iso-b' })).toEqual({ data: [], nextCursor: null, total: 0, totalIsExact: true });
      expect(await listOptimizationRuns(a, { projectId: 'iso-b', search: 'run', status: 'completed' })).toMatchObject({ total: 0 });
      const own = await listOptimizationRuns(a, { projectId: 'iso-a' });
      expect(own.data.map((r) => r.id)).toEqual([runA.id]);
    });

    it('sees no analytics rows of B', async () => {
      const all = await getOptimizationAnalytics(a);
      expect(all.rows.map((r) => r.projectId)).toEqual(['iso-a']);
      expect(all.lastRefreshedAt).not.toBeNull();
      expect((await getOptimizationAnalytics(a, { projectId: 'iso-b' })).rows).toEqual([]);
      expect((await getOptimizationAnalytics(b)).rows.map((r) => r.projectId)).toEqual(['iso-b']);
    });

    it('cannot see or manage B’s project, members or API keys', async () => {
      const before = await snapshot(db());
      expect((await listProjects(a)).map((p) => p.id)).toEqual(['iso-a']);
      await rejection(getProject(a, 'iso-b'), NotFoundError);
      await rejection(listProjectMembers(a, 'iso-b'), NotFoundError);
      await rejection(addProjectMember(a, { projectId: 'iso-b', email: ownerA.email, role: 'owner' }), NotFoundError);
      await rejection(updateProjectMemberRole(a, 'iso-b', memberB.id, 'admin'), NotFoundError);
      await rejection(removeProjectMember(a, 'iso-b', memberB.id), NotFoundError);
      await rejection(listApiKeys(a, 'iso-b'), NotFoundError);
      await rejection(createApiKey(a, { projectId: 'iso-b', name: 'mine now' }), NotFoundError);
      await rejection(revokeApiKey(a, keyB), NotFoundError);
      expect(await snapshot(db())).toEqual(before);
      const [key] = await db().sql`select revoked_at from api_keys where id = ${keyB}`;
      expect(key!.revoked_at).toBeNull();
    });
  });

  describe('a viewer of A', () => {
    let v: Scope;
    beforeAll(() => {
      v = scopeOf(db(), viewerA);
    });

    it('reads everything of A', async () => {
      expect((await getOptimizationRun(v, runA.id)).id).toBe(runA.id);
      expect((await listOptimizationRuns(v, { projectId: 'iso-a' })).total).toBe(1);
      expect(await listOptimizationIterations(v, runA.id)).toHaveLength(1);
      expect((await getBestOptimizationIteration(v, runA.id))?.iteration).toBe(1);
      expect((await listOptimizationSamples(v, { runId: runA.id })).data).toHaveLength(1);
      expect((await getOptimizationRunSummary(v, runA.id)).bestIteration).toBe(1);
      expect(await getTopRunsByScore(v, 'iso-a')).toHaveLength(1);
      expect((await listProjectMembers(v, 'iso-a')).map((m) => m.role)).toEqual(['owner', 'viewer']);
      expect(await getProject(v, 'iso-a')).toMatchObject({ role: 'viewer' });
    });

    it('gets ForbiddenError on every write, and nothing changes', async () => {
      const before = await snapshot(db());
      await rejection(createOptimizationRun(v, { projectId: 'iso-a', runName: 'x', optimizerType: 'miprov2' }), ForbiddenError);
      await rejection(updateOptimizationRun(v, runA.id, { runName: 'x' }), ForbiddenError);
      await rejection(deleteOptimizationRun(v, runA.id), ForbiddenError);
      await rejection(createOptimizationIteration(v, { runId: runA.id, iteration: 9 }), ForbiddenError);
      await rejection(createOptimizationIterations(v, runA.id, [{ iteration: 1, score: 0.1 }]), ForbiddenError);
      await rejection(batchCreateOptimizationSamples(v, [{ runId: runA.id, iteration: 1, sampleIndex: 7 }]), ForbiddenError);
      await rejection(addProjectMember(v, { projectId: 'iso-a', email: memberB.email }), ForbiddenError);
      await rejection(updateProjectMemberRole(v, 'iso-a', viewerA.id, 'owner'), ForbiddenError);
      await rejection(removeProjectMember(v, 'iso-a', ownerA.id), ForbiddenError);
      await rejection(listApiKeys(v, 'iso-a'), ForbiddenError);
      await rejection(createApiKey(v, { projectId: 'iso-a', name: 'x' }), ForbiddenError);
      await rejection(refreshOptimizationAnalytics(v, NO_INTERVAL), ForbiddenError);
      expect(await snapshot(db())).toEqual(before);
    });
  });

  describe('API-key scopes', () => {
    it('a read-write key of A reads and writes A only', async () => {
      const { apiKey } = await createApiKey(a, { projectId: 'iso-a', name: 'ingest' });
      const k = scopeOf(db(), apiKeyClaims(apiKey.id));
      const run = await createOptimizationRun(k, { projectId: 'iso-a', runName: 'from a script', optimizerType: 'gepa' });
      expect(run).toMatchObject({ projectId: 'iso-a', createdBy: null });
      await createOptimizationIterations(k, run.id, [{ iteration: 0, score: 0.3 }]);
      expect(await batchCreateOptimizationSamples(k, [{ runId: run.id, iteration: 0, sampleIndex: 0, score: 0.3 }])).toEqual({
        inserted: 1,
        updated: 0,
      });
      expect(await updateOptimizationRun(k, run.id, { status: 'completed', finalScore: 0.3 })).toMatchObject({ status: 'completed' });
      expect((await listOptimizationRuns(k, { projectId: 'iso-a' })).total).toBe(2);
      expect((await getOptimizationRun(k, runA.id)).id).toBe(runA.id);

      const before = await snapshot(db());
      await rejection(createOptimizationRun(k, { projectId: 'iso-b', runName: 'x', optimizerType: 'gepa' }), NotFoundError);
      await rejection(getOptimizationRun(k, runB.id), NotFoundError);
      await rejection(updateOptimizationRun(k, runB.id, { runName: 'x' }), NotFoundError);
      await rejection(deleteOptimizationRun(k, runB.id), NotFoundError);
      await rejection(createOptimizationIteration(k, { runId: runB.id, iteration: 3 }), NotFoundError);
      await rejection(
        batchCreateOptimizationSamples(k, [
          { runId: run.id, iteration: 0, sampleIndex: 1 },
          { runId: runB.id, iteration: 0, sampleIndex: 1 },
        ]),
        NotFoundError,
      );
      await rejection(getOptimizationRunSummary(k, runB.id), NotFoundError);
      expect(await listOptimizationRuns(k, { projectId: 'iso-b' })).toMatchObject({ data: [], total: 0 });
      expect(await getTopRunsByScore(k, 'iso-b')).toEqual([]);
      expect((await getOptimizationAnalytics(k)).rows.every((r) => r.projectId === 'iso-a')).toBe(true);
      expect((await listProjects(k)).map((p) => p.id)).toEqual(['iso-a']);
      await rejection(listProjectMembers(k, 'iso-b'), NotFoundError);
      expect(await snapshot(db())).toEqual(before);
      // a key manages nothing, not even in its own project
      await rejection(createApiKey(k, { projectId: 'iso-a', name: 'child' }), ForbiddenError);
      await rejection(addProjectMember(k, { projectId: 'iso-a', email: memberB.email }), ForbiddenError);
    });

    it('a read-only key reads A and gets ForbiddenError on writes', async () => {
      const { apiKey } = await createApiKey(a, { projectId: 'iso-a', name: 'dashboards', scopes: ['read'] });
      const k = scopeOf(db(), apiKeyClaims(apiKey.id));
      expect((await getOptimizationRun(k, runA.id)).id).toBe(runA.id);
      expect((await listOptimizationSamples(k, { runId: runA.id })).data.length).toBeGreaterThan(0);
      const before = await snapshot(db());
      await rejection(createOptimizationRun(k, { projectId: 'iso-a', runName: 'x', optimizerType: 'gepa' }), ForbiddenError);
      await rejection(updateOptimizationRun(k, runA.id, { runName: 'x' }), ForbiddenError);
      await rejection(deleteOptimizationRun(k, runA.id), ForbiddenError);
      await rejection(createOptimizationIteration(k, { runId: runA.id, iteration: 4 }), ForbiddenError);
      await rejection(batchCreateOptimizationSamples(k, [{ runId: runA.id, iteration: 1, sampleIndex: 9 }]), ForbiddenError);
      expect(await snapshot(db())).toEqual(before);
      await rejection(getOptimizationRun(k, runB.id), NotFoundError);
    });

    it('a revoked key is refused before anything runs, and writes nothing', async () => {
      const { apiKey } = await createApiKey(a, { projectId: 'iso-a', name: 'short-lived' });
      const k = scopeOf(db(), apiKeyClaims(apiKey.id));
      expect((await listOptimizationRuns(k, { projectId: 'iso-a' })).total).toBeGreaterThan(0);
      await revokeApiKey(a, apiKey.id);
      await rejection(getOptimizationRun(k, runA.id), UnauthorizedError);
      await rejection(listOptimizationRuns(k, { projectId: 'iso-a' }), UnauthorizedError);
      await rejection(listOptimizationSamples(k, { runId: runA.id }), UnauthorizedError);
      await rejection(getTopRunsByScore(k, 'iso-a'), UnauthorizedError);
      await rejection(getOptimizationAnalytics(k), UnauthorizedError);
      await rejection(listProjects(k), UnauthorizedError);
      const runs = await count(db(), 'optimization_runs');
      await rejection(createOptimizationRun(k, { projectId: 'iso-a', runName: 'x', optimizerType: 'gepa' }), UnauthorizedError);
      await rejection(updateOptimizationRun(k, runA.id, { runName: 'x' }), UnauthorizedError);
      expect(await count(db(), 'optimization_runs')).toBe(runs);
    });

    it('a key of an unknown id is refused', async () => {
      const k = scopeOf(db(), apiKeyClaims('00000000-0000-4000-8000-000000000000'));
      await rejection(listOptimizationRuns(k, { projectId: 'iso-a' }), UnauthorizedError);
      await rejection(getOptimizationRun(k, runA.id), UnauthorizedError);
    });
  });
});
