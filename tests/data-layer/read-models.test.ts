import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  createOptimizationIterations,
  createOptimizationRun,
  ForbiddenError,
  getOptimizationAnalytics,
  getOptimizationRunSummary,
  getTopRunsByScore,
  NotFoundError,
  refreshOptimizationAnalytics,
  updateOptimizationRun,
  ValidationError,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createRun, createUser, type TestUser } from '../helpers/fixtures.ts';
import { apiKeyClaims, NO_INTERVAL, rejection, scopeOf, useDatabase } from './helpers.ts';

describe.each(ENGINES)('read models on %s', (engine) => {
  const db = useDatabase(engine);
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let scope: Scope;

  beforeAll(async () => {
    const sql = db().sql;
    owner = await createUser(sql, 'owner');
    admin = await createUser(sql, 'admin');
    member = await createUser(sql, 'member');
    viewer = await createUser(sql, 'viewer');
    const other = await createUser(sql, 'other');
    await createProject(sql, 'rm-a', [[owner, 'owner'], [admin, 'admin'], [member, 'member'], [viewer, 'viewer']]);
    await createProject(sql, 'rm-c', [[owner, 'owner']]);
    await createProject(sql, 'rm-b', [[other, 'owner']]);
    scope = scopeOf(db(), owner);
  });

  it('getOptimizationRunSummary combines the run, its best iteration and its success rate', async () => {
    const run = await createOptimizationRun(scope, {
      projectId: 'rm-a',
      runName: 'summarised',
      optimizerType: 'miprov2',
      status: 'running',
      tags: ['t'],
      initialScore: 0.5,
    });
    await createOptimizationIterations(scope, run.id, [
      { iteration: 1, score: 0.6, tokens: 100, costUsd: 0.5, latencyMs: 10 },
      { iteration: 2, score: 0.8, tokens: 50, costUsd: 0.25, latencyMs: 20 },
      { iteration: 3, score: 0.7 },
    ]);
    await updateOptimizationRun(scope, run.id, {
      status: 'completed',
      finalScore: 0.75,
      samplesEvaluated: 8,
      samplesSuccessful: 6,
      samplesFailed: 2,
    });
    const summary = await getOptimizationRunSummary(scope, run.id);
    expect(summary).toMatchObject({
      runId: run.id,
      projectId: 'rm-a',
      runName: 'summarised',
      optimizerType: 'miprov2',
      status: 'completed',
      tags: ['t'],
      initialScore: 0.5,
      finalScore: 0.75,
      bestScore: 0.8,
      improvement: 0.25,
      improvementPct: 50,
      iterations: 3,
      bestIteration: 2,
      bestIterationScore: 0.8,
      samplesEvaluated: 8,
      samplesSuccessful: 6,
      samplesFailed: 2,
      successRate: 0.75,
      totalTokens: 150,
      totalCostUsd: 0.75,
      avgLatencyMs: 15,
    });
    expect(summary.durationMs).toBe(Date.parse(summary.endedAt!) - Date.parse(summary.startedAt!));
  });

  it('a summary of a run without iterations or samples has nulls, not errors', async () => {
    const run = await createOptimizationRun(scope, { projectId: 'rm-a', runName: 'empty', optimizerType: 'gepa' });
    expect(await getOptimizationRunSummary(scope, run.id)).toMatchObject({
      iterations: 0,
      bestIteration: null,
      bestIterationScore: null,
      successRate: null,
      durationMs: null,
    });
    await rejection(getOptimizationRunSummary(scope, randomUUID()), NotFoundError);
  });

  it('getTopRunsByScore lists completed runs by final score, NULLs last, newest first on ties', async () => {
    const sql = db().sql;
    await createProject(sql, 'rm-top', [[owner, 'owner']]);
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    const ids = {
      best: await createRun(sql, 'rm-top', { final_score: 0.95, created_at: t(1) }),
      tieOld: await createRun(sql, 'rm-top', { final_score: 0.9, created_at: t(2) }),
      tieNew: await createRun(sql, 'rm-top', { final_score: 0.9, created_at: t(3) }),
      low: await createRun(sql, 'rm-top', { final_score: 0.1, initial_score: 0.2, created_at: t(4) }),
      none: await createRun(sql, 'rm-top', { final_score: null, created_at: t(5) }),
      running: await createRun(sql, 'rm-top', { status: 'running', final_score: 0.99, created_at: t(6) }),
      failed: await createRun(sql, 'rm-top', { status: 'failed', final_score: 1, created_at: t(7) }),
    };
    await createRun(sql, 'rm-b', { final_score: 1 });
    const top = await getTopRunsByScore(scope, 'rm-top', 10);
    expect(top.map((r) => r.id)).toEqual([ids.best, ids.tieNew, ids.tieOld, ids.low, ids.none]);
    expect(top.every((r) => r.status === 'completed')).toBe(true);
    expect(top[3]).toMatchObject({ finalScore: 0.1, initialScore: 0.2, improvement: -0.1, improvementPct: -50 });
    expect((await getTopRunsByScore(scope, 'rm-top', 2)).map((r) => r.id)).toEqual([ids.best, ids.tieNew]);
    expect(await getTopRunsByScore(scope, 'rm-top')).toHaveLength(5);
  });

  it('getTopRunsByScore validates its arguments', async () => {
    expect((await rejection(getTopRunsByScore(scope, 'rm-a', 0), ValidationError)).issues[0]!.path).toBe('limit');
    expect((await rejection(getTopRunsByScore(scope, 'rm-a', 101), ValidationError)).issues[0]!.path).toBe('limit');
    expect((await rejection(getTopRunsByScore(scope, 'Not A Project', 5), ValidationError)).issues[0]!.path).toBe('projectId');
  });

  describe('analytics', () => {
    it('before any refresh: no rows and no refresh time', async () => {
      const analytics = await getOptimizationAnalytics(scope);
      expect(analytics).toEqual({ rows: [], lastRefreshedAt: null });
    });

    it("owners refresh; the caller sees only their projects' rows and when they were refreshed", async () => {
      const sql = db().sql;
      await createRun(sql, 'rm-c', { optimizer_type: 'copro', status: 'completed', final_score: 0.5, initial_score: 0.25 });
      await createRun(sql, 'rm-c', { optimizer_type: 'copro', status: 'completed', final_score: 0.7, initial_score: 0.25 });
      await createRun(sql, 'rm-c', { optimizer_type: 'copro', status: 'failed' });
      const before = Date.now();
      const result = await refreshOptimizationAnalytics(scope, NO_INTERVAL);
      expect(result.refreshed).toBe(true);
      expect(Math.abs(Date.parse(result.refreshedAt!) - before)).toBeLessThan(30_000);
      expect(result.durationMs).toBeGreaterThanOrEqual(0);

      const analytics = await getOptimizationAnalytics(scope);
      expect(analytics.lastRefreshedAt).toBe(result.refreshedAt);
      const projects = new Set(analytics.rows.map((r) => r.projectId));
      expect([...projects].sort()).toEqual(['rm-a', 'rm-c', 'rm-top']);
      const [copro] = analytics.rows.filter((r) => r.projectId === 'rm-c' && r.status === 'completed');
      expect(copro).toMatchObject({
        optimizerType: 'copro',
        runCount: 2,
        completedRuns: 2,
        avgFinalScore: 0.6,
        bestFinalScore: 0.7,
        avgImprovement: 0.35,
      });
      const [superuserCount] = await sql`select count(*)::int as n from optimization_run_analytics where project_id = 'rm-b'`;
      expect(superuserCount!.n).toBe(1);

      const onlyC = await getOptimizationAnalytics(scope, { projectId: 'rm-c' });
      expect(onlyC.rows.map((r) => `${r.optimizerType}/${r.status}`)).toEqual(['copro/completed', 'copro/failed']);
      const viewerSees = await getOptimizationAnalytics(scopeOf(db(), viewer));
      expect(new Set(viewerSees.rows.map((r) => r.projectId))).toEqual(new Set(['rm-a']));
      expect(viewerSees.lastRefreshedAt).toBe(result.refreshedAt);
    });

    it('admins may refresh; members, viewers and API keys get ForbiddenError', async () => {
      expect((await refreshOptimizationAnalytics(scopeOf(db(), admin), NO_INTERVAL)).refreshed).toBe(true);
      await rejection(refreshOptimizationAnalytics(scopeOf(db(), member), NO_INTERVAL), ForbiddenError);
      await rejection(refreshOptimizationAnalytics(scopeOf(db(), viewer), NO_INTERVAL), ForbiddenError);
      const { apiKey } = await createApiKey(scope, { projectId: 'rm-a', name: 'ci' });
      await rejection(refreshOptimizationAnalytics(scopeOf(db(), apiKeyClaims(apiKey.id)), NO_INTERVAL), ForbiddenError);
    });

    it('each refresh moves lastRefreshedAt forward and picks up new runs', async () => {
      const first = await getOptimizationAnalytics(scope, { projectId: 'rm-c' });
      await createRun(db().sql, 'rm-c', { optimizer_type: 'simba', status: 'running' });
      expect((await getOptimizationAnalytics(scope, { projectId: 'rm-c' })).rows).toHaveLength(first.rows.length);
      const again = await refreshOptimizationAnalytics(scope, NO_INTERVAL);
      const second = await getOptimizationAnalytics(scope, { projectId: 'rm-c' });
      expect(second.rows).toHaveLength(first.rows.length + 1);
      expect(Date.parse(second.lastRefreshedAt!)).toBeGreaterThan(Date.parse(first.lastRefreshedAt!));
      expect(second.lastRefreshedAt).toBe(again.refreshedAt);
    });

    const refreshCount = async () => Number((await db().sql`select count(*)::int as n from optimization_analytics_refreshes`)[0]!.n);

    it('within the minimum interval: no refresh, the last time and how long to wait', async () => {
      const done = await refreshOptimizationAnalytics(scope, NO_INTERVAL);
      expect(done.refreshed).toBe(true);
      const before = await refreshCount();
      const throttled = await refreshOptimizationAnalytics(scopeOf(db(), admin), { minIntervalSeconds: 3600 });
      expect(throttled).toMatchObject({ refreshed: false, refreshedAt: done.refreshedAt });
      // the interval minus the time since the refresh: more than 3500 s however slow the machine
      expect(throttled.retryAfterSeconds).toBeGreaterThan(3500);
      expect(throttled.retryAfterSeconds).toBeLessThanOrEqual(3600);
      expect(await refreshCount()).toBe(before);
      // a stranger is told they may not refresh, not to wait
      await rejection(refreshOptimizationAnalytics(scopeOf(db(), member), { minIntervalSeconds: 3600 }), ForbiddenError);
    });

    it('once the interval has passed, refreshes again', async () => {
      await db().sql`update optimization_analytics_refreshes set refreshed_at = refreshed_at - interval '2 hours'`;
      const before = await refreshCount();
      expect((await refreshOptimizationAnalytics(scope, { minIntervalSeconds: 3600 })).refreshed).toBe(true);
      expect(await refreshCount()).toBe(before + 1);
    });

    // Needs two interleaved transactions, which PGlite serializes.
    if (engine === 'postgres') {
      it('while another process refreshes: no second refresh, told to retry', async () => {
        const before = await refreshCount();
        const holder = await db().sql.reserve();
        try {
          await holder`select pg_advisory_lock(hashtext('public.refresh_optimization_analytics'))`;
          const throttled = await refreshOptimizationAnalytics(scope, NO_INTERVAL);
          expect(throttled.refreshed).toBe(false);
          expect(throttled.retryAfterSeconds).toBeGreaterThanOrEqual(5);
        } finally {
          await holder`select pg_advisory_unlock(hashtext('public.refresh_optimization_analytics'))`;
          holder.release();
        }
        expect(await refreshCount()).toBe(before);
        expect((await refreshOptimizationAnalytics(scope, NO_INTERVAL)).refreshed).toBe(true);
      });
    }
  });
});
