import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createOptimizationIteration,
  createOptimizationRun,
  deleteOptimizationRun,
  getOptimizationRun,
  isStatusTransitionAllowed,
  NotFoundError,
  RUN_STATUSES,
  updateOptimizationRun,
  batchCreateOptimizationSamples,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser, type TestUser } from '../helpers/fixtures.ts';
import { count, rejection, scopeOf, useDatabase, warmPool } from './helpers.ts';

describe.each(ENGINES)('runs on %s', (engine) => {
  const db = useDatabase(engine);
  let owner: TestUser;
  let scope: Scope;

  beforeAll(async () => {
    owner = await createUser(db().sql, 'owner');
    await createProject(db().sql, 'runs-a', [[owner, 'owner']]);
    await createProject(db().sql, 'runs-b', [[owner, 'owner']]);
    scope = scopeOf(db(), owner);
  });

  const newRun = (extra: Record<string, unknown> = {}) =>
    createOptimizationRun(scope, { projectId: 'runs-a', runName: 'r', optimizerType: 'miprov2', ...extra });

  it('creates a run with defaults, the creator and the given fields', async () => {
    const before = Date.now();
    const run = await createOptimizationRun(scope, {
      projectId: 'runs-a',
      runName: 'Experiment 1',
      description: 'first try',
      optimizerType: 'miprov2',
      config: { model: 'gpt-4', miprov2: { num_candidates: 10 } },
      metadata: { git: 'abc123' },
      tags: ['production', 'v2'],
      initialScore: 0.5,
      finalScore: 0.75,
    });
    expect(run).toMatchObject({
      projectId: 'runs-a',
      runName: 'Experiment 1',
      description: 'first try',
      optimizerType: 'miprov2',
      status: 'pending',
      config: { model: 'gpt-4', miprov2: { num_candidates: 10 } },
      metadata: { git: 'abc123' },
      tags: ['production', 'v2'],
      initialScore: 0.5,
      finalScore: 0.75,
      improvement: 0.25,
      improvementPct: 50,
      startedAt: null,
      endedAt: null,
      durationMs: null,
      iterations: 0,
      totalTokens: 0,
      totalCostUsd: 0,
      createdBy: owner.id,
    });
    expect(run.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(run.createdAt)).toBeGreaterThanOrEqual(before - 5_000);
    expect(await getOptimizationRun(scope, run.id)).toEqual(run);
  });

  it('creating a run as running or finished stamps startedAt and endedAt', async () => {
    const running = await newRun({ status: 'running' });
    expect(running.startedAt).not.toBeNull();
    expect(running.endedAt).toBeNull();
    const done = await newRun({ status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:30Z' });
    expect(done.durationMs).toBe(90_000);
    expect(done.startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a retried create with a caller-chosen id returns the same run and writes no duplicate', async () => {
    const id = randomUUID();
    const first = await newRun({ id, runName: 'idempotent' });
    const again = await newRun({ id, runName: 'idempotent' });
    expect(again.id).toBe(id);
    expect(again).toEqual(first);
    // a retry whose body differs is refused, naming the fields
    const error = await rejection(newRun({ id, runName: 'idempotent (retry)', tags: ['x'] }), ConflictError);
    expect(error.details).toEqual({ fields: ['runName', 'tags'] });
    expect(await count(db(), 'optimization_runs', `id = '${id}'`)).toBe(1);
  });

  it('concurrent retries of one create all return the one run', async () => {
    await warmPool(db());
    // many rounds on PostgreSQL: a retry racing the original used to hit the (id, project_id)
    // key; PGlite runs transactions one at a time, so a few rounds show the same contract
    for (let round = 0; round < (engine === 'postgres' ? 40 : 5); round++) {
      const id = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => newRun({ id, runName: 'attempt' })));
      expect(new Set(results.map((r) => r.id))).toEqual(new Set([id]));
      expect(new Set(results.map((r) => r.runName)).size).toBe(1);
      expect(await count(db(), 'optimization_runs', `id = '${id}'`)).toBe(1);
    }
  });

  it('the same id in another project creates that project\'s own run (issue 12)', async () => {
    const id = randomUUID();
    await newRun({ id });
    const other = await createOptimizationRun(scope, { id, projectId: 'runs-b', runName: 'elsewhere', optimizerType: 'copro' });
    expect(other).toMatchObject({ id, projectId: 'runs-b', runName: 'elsewhere' });
    const rows = await db().sql`select project_id, run_name from optimization_runs where id = ${id} order by project_id`;
    expect(rows).toEqual([{ project_id: 'runs-a', run_name: 'r' }, { project_id: 'runs-b', run_name: 'elsewhere' }]);
  });

  it('an id taken by a run of a project the caller cannot see does not stop its own run', async () => {
    const stranger = await createUser(db().sql, 'stranger');
    await createProject(db().sql, 'runs-hidden', [[stranger, 'owner']]);
    const id = randomUUID();
    await createOptimizationRun(scopeOf(db(), stranger), { id, projectId: 'runs-hidden', runName: 'x', optimizerType: 'gepa' });
    await newRun({ id });
    expect(await count(db(), 'optimization_runs', `id = '${id}'`)).toBe(2);
  });

  it('getOptimizationRun of an unknown id is NotFoundError', async () => {
    await rejection(getOptimizationRun(scope, randomUUID()), NotFoundError);
  });

  describe('status transitions', () => {
    it('pending -> running sets startedAt; running -> completed sets endedAt', async () => {
      const run = await newRun();
      expect(run.status).toBe('pending');
      const t0 = Date.now();
      const running = await updateOptimizationRun(scope, run.id, { status: 'running' });
      expect(running.status).toBe('running');
      expect(running.startedAt).not.toBeNull();
      expect(Math.abs(Date.parse(running.startedAt!) - t0)).toBeLessThan(10_000);
      expect(running.endedAt).toBeNull();
      const completed = await updateOptimizationRun(scope, run.id, { status: 'completed', finalScore: 0.8 });
      expect(completed.status).toBe('completed');
      expect(completed.startedAt).toBe(running.startedAt);
      expect(completed.endedAt).not.toBeNull();
      expect(Date.parse(completed.endedAt!)).toBeGreaterThanOrEqual(Date.parse(completed.startedAt!));
      expect(completed.durationMs).toBe(Date.parse(completed.endedAt!) - Date.parse(completed.startedAt!));
      expect(completed.finalScore).toBe(0.8);
    });

    it('a running run keeps its startedAt; an explicit endedAt is kept on finishing', async () => {
      const run = await newRun({ status: 'running', startedAt: '2026-02-01T10:00:00Z' });
      const again = await updateOptimizationRun(scope, run.id, { status: 'running', runName: 'renamed' });
      expect(again.startedAt).toBe('2026-02-01T10:00:00.000Z');
      const failed = await updateOptimizationRun(scope, run.id, { status: 'failed', endedAt: '2026-02-01T10:05:00Z', errorMessage: 'boom' });
      expect(failed).toMatchObject({ status: 'failed', endedAt: '2026-02-01T10:05:00.000Z', durationMs: 300_000, errorMessage: 'boom' });
    });

    it.each([
      ['completed', 'running'],
      ['completed', 'pending'],
      ['failed', 'running'],
      ['cancelled', 'completed'],
      ['running', 'pending'],
    ] as const)('%s -> %s is refused with ConflictError and changes nothing', async (from, to) => {
      const run = await newRun({ status: from });
      const error = await rejection(updateOptimizationRun(scope, run.id, { status: to, runName: 'changed' }), ConflictError);
      expect(error.message).toContain(from);
      expect(error.details).toEqual({ from, to });
      expect(await getOptimizationRun(scope, run.id)).toEqual(run);
    });

    it('isStatusTransitionAllowed: forward only, finished is final', () => {
      const allowed = RUN_STATUSES.flatMap((from) => RUN_STATUSES.filter((to) => isStatusTransitionAllowed(from, to)).map((to) => `${from}>${to}`));
      expect(allowed).toEqual([
        'pending>pending', 'pending>running', 'pending>completed', 'pending>failed', 'pending>cancelled',
        'running>running', 'running>completed', 'running>failed', 'running>cancelled',
        'completed>completed', 'failed>failed', 'cancelled>cancelled',
      ]);
    });

    it('two concurrent finishes of one run: exactly one wins, the other is a ConflictError', async () => {
      await warmPool(db());
      const run = await newRun({ status: 'running' });
      const outcomes = await Promise.allSettled([
        updateOptimizationRun(scope, run.id, { status: 'completed', finalScore: 0.9 }),
        updateOptimizationRun(scope, run.id, { status: 'cancelled' }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const final = await getOptimizationRun(scope, run.id);
      expect(final.status).toBe((won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
    });

    it('the same status is a successful no-op', async () => {
      const run = await newRun({ status: 'completed', finalScore: 0.4 });
      const same = await updateOptimizationRun(scope, run.id, { status: 'completed' });
      expect(same).toEqual(run);
    });

    it('pending -> completed and pending -> cancelled are allowed', async () => {
      const a = await updateOptimizationRun(scope, (await newRun()).id, { status: 'completed' });
      expect(a.status).toBe('completed');
      expect(a.endedAt).not.toBeNull();
      const b = await updateOptimizationRun(scope, (await newRun()).id, { status: 'cancelled' });
      expect(b.status).toBe('cancelled');
    });
  });

  it('patches fields, touches updatedAt and leaves other fields alone', async () => {
    const run = await newRun({ tags: ['a'], config: { k: 1 }, description: 'keep me' });
    await new Promise((r) => setTimeout(r, 5));
    const patched = await updateOptimizationRun(scope, run.id, {
      runName: 'patched',
      tags: ['b', 'c'],
      config: { k: 2, nested: { deep: true } },
      metadata: { note: 'x' },
      initialScore: 0.2,
      finalScore: 0.5,
      samplesEvaluated: 10,
      samplesSuccessful: 8,
      samplesFailed: 2,
      totalTokens: 1234,
      totalCostUsd: 0.125,
      avgLatencyMs: 12.5,
    });
    expect(patched).toMatchObject({
      runName: 'patched',
      tags: ['b', 'c'],
      config: { k: 2, nested: { deep: true } },
      metadata: { note: 'x' },
      description: 'keep me',
      initialScore: 0.2,
      finalScore: 0.5,
      improvement: 0.3,
      improvementPct: 150,
      samplesEvaluated: 10,
      samplesSuccessful: 8,
      samplesFailed: 2,
      totalTokens: 1234,
      totalCostUsd: 0.125,
      avgLatencyMs: 12.5,
      status: 'pending',
    });
    expect(Date.parse(patched.updatedAt)).toBeGreaterThan(Date.parse(run.updatedAt));
    const cleared = await updateOptimizationRun(scope, run.id, { description: null, finalScore: null });
    expect(cleared).toMatchObject({ description: null, finalScore: null, improvement: null, runName: 'patched' });
  });

  it('updating an unknown run is NotFoundError', async () => {
    await rejection(updateOptimizationRun(scope, randomUUID(), { runName: 'x' }), NotFoundError);
  });

  it('deleting a run cascades to its iterations and samples', async () => {
    const run = await newRun();
    const keep = await newRun();
    for (const r of [run, keep]) {
      await createOptimizationIteration(scope, { runId: r.id, iteration: 1, score: 0.5 });
      await batchCreateOptimizationSamples(scope, [
        { runId: r.id, iteration: 1, sampleIndex: 0, score: 1 },
        { runId: r.id, iteration: 1, sampleIndex: 1, score: 0 },
      ]);
    }
    await deleteOptimizationRun(scope, run.id);
    await rejection(getOptimizationRun(scope, run.id), NotFoundError);
    expect(await count(db(), 'optimization_iterations', `run_id = '${run.id}'`)).toBe(0);
    expect(await count(db(), 'optimization_samples', `run_id = '${run.id}'`)).toBe(0);
    expect(await count(db(), 'optimization_iterations', `run_id = '${keep.id}'`)).toBe(1);
    expect(await count(db(), 'optimization_samples', `run_id = '${keep.id}'`)).toBe(2);
    await rejection(deleteOptimizationRun(scope, run.id), NotFoundError);
  });
});
