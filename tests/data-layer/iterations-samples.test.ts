import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchCreateOptimizationSamples,
  createOptimizationIteration,
  createOptimizationIterations,
  createOptimizationRun,
  getBestOptimizationIteration,
  getOptimizationRun,
  getOptimizationRunWithIterations,
  listOptimizationIterations,
  listOptimizationSamples,
  NotFoundError,
  ValidationError,
  type CreateSampleInput,
  type OptimizationSample,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { count, rejection, scopeOf, useDatabase, warmPool } from './helpers.ts';

describe.each(ENGINES)('iterations and samples on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let strangerRunId: string;

  beforeAll(async () => {
    const owner = await createUser(db().sql, 'owner');
    const stranger = await createUser(db().sql, 'stranger');
    await createProject(db().sql, 'its-a', [[owner, 'owner']]);
    await createProject(db().sql, 'its-b', [[stranger, 'owner']]);
    scope = scopeOf(db(), owner);
    const strangerRun = await createOptimizationRun(scopeOf(db(), stranger), { projectId: 'its-b', runName: 'b', optimizerType: 'gepa' });
    strangerRunId = strangerRun.id;
  });

  const newRun = async () =>
    (await createOptimizationRun(scope, { projectId: 'its-a', runName: 'run', optimizerType: 'miprov2', status: 'running' })).id;

  describe('iterations', () => {
    it('creates one iteration, marks it best and rolls its numbers up into the run', async () => {
      const runId = await newRun();
      const it1 = await createOptimizationIteration(scope, {
        runId,
        iteration: 1,
        score: 0.85,
        params: { temperature: 0.7, num_demos: 5 },
        programState: { instructions: 'Be concise.' },
        programHash: 'h1',
        samplesEvaluated: 20,
        latencyMs: 100,
        tokens: 1000,
        costUsd: 0.01,
        durationMs: 5000,
      });
      expect(it1).toMatchObject({
        runId,
        projectId: 'its-a',
        iteration: 1,
        score: 0.85,
        isBest: true,
        params: { temperature: 0.7, num_demos: 5 },
        programState: { instructions: 'Be concise.' },
        programHash: 'h1',
        samplesEvaluated: 20,
        latencyMs: 100,
        tokens: 1000,
        costUsd: 0.01,
        durationMs: 5000,
      });
      const run = await getOptimizationRun(scope, runId);
      expect(run).toMatchObject({ iterations: 1, bestScore: 0.85, avgLatencyMs: 100, totalTokens: 1000, totalCostUsd: 0.01 });
      expect(await getBestOptimizationIteration(scope, runId)).toMatchObject({ id: it1.id, iteration: 1 });
    });

    it('a batch is written in one call; stats and isBest follow; a better later iteration takes over', async () => {
      const runId = await newRun();
      const batch = await createOptimizationIterations(scope, runId, [
        { iteration: 2, score: 0.6, latencyMs: 10, tokens: 100, costUsd: 0.5 },
        { iteration: 0, score: 0.4, latencyMs: 20, tokens: 200, costUsd: 0.25 },
        { iteration: 1, score: 0.7, latencyMs: 31, tokens: 300, costUsd: 0.125 },
        { iteration: 3 },
      ]);
      expect(batch.map((i) => i.iteration)).toEqual([0, 1, 2, 3]);
      expect(batch.map((i) => i.isBest)).toEqual([false, true, false, false]);
      expect(await getOptimizationRun(scope, runId)).toMatchObject({
        iterations: 4,
        bestScore: 0.7,
        avgLatencyMs: 20.33,
        totalTokens: 600,
        totalCostUsd: 0.875,
      });
      await createOptimizationIteration(scope, { runId, iteration: 4, score: 0.9 });
      const listed = await listOptimizationIterations(scope, runId);
      expect(listed.map((i) => [i.iteration, i.score, i.isBest])).toEqual([
        [0, 0.4, false],
        [1, 0.7, false],
        [2, 0.6, false],
        [3, null, false],
        [4, 0.9, true],
      ]);
      expect((await getBestOptimizationIteration(scope, runId))?.iteration).toBe(4);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.9);
      // query pattern 5 in one call agrees with the three calls
      const together = await getOptimizationRunWithIterations(scope, runId);
      expect(together).toEqual({
        run: await getOptimizationRun(scope, runId),
        iterations: listed,
        bestIteration: await getBestOptimizationIteration(scope, runId),
      });
    });

    it('getOptimizationRunWithIterations: a run without iterations has none and no best; another tenant\'s run is not found', async () => {
      const runId = await newRun();
      const empty = await getOptimizationRunWithIterations(scope, runId);
      expect(empty).toMatchObject({ run: { id: runId, iterations: 0 }, iterations: [], bestIteration: null });
      await rejection(getOptimizationRunWithIterations(scope, strangerRunId), NotFoundError);
      await rejection(getOptimizationRunWithIterations(scope, 'not-a-uuid'), ValidationError);
    });

    it('upserts on (run, iteration): a re-sent iteration updates instead of duplicating', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 1, score: 0.9, tokens: 10 },
        { iteration: 2, score: 0.5, tokens: 10 },
      ]);
      const again = await createOptimizationIterations(scope, runId, [
        { iteration: 1, score: 0.3, tokens: 40, params: { retried: true } },
        { iteration: 2, score: 0.5, tokens: 10 },
      ]);
      expect(again.map((i) => [i.iteration, i.score, i.isBest])).toEqual([
        [1, 0.3, false],
        [2, 0.5, true],
      ]);
      expect(again[0]!.params).toEqual({ retried: true });
      expect(await count(db(), 'optimization_iterations', `run_id = '${runId}'`)).toBe(2);
      expect(await getOptimizationRun(scope, runId)).toMatchObject({ iterations: 2, bestScore: 0.5, totalTokens: 50 });
      expect((await getBestOptimizationIteration(scope, runId))?.iteration).toBe(2);
    });

    it('ties go to the earliest iteration; no scored iteration means no best', async () => {
      const runId = await newRun();
      expect(await getBestOptimizationIteration(scope, runId)).toBeNull();
      await createOptimizationIterations(scope, runId, [{ iteration: 5 }, { iteration: 6 }]);
      expect(await getBestOptimizationIteration(scope, runId)).toBeNull();
      await createOptimizationIterations(scope, runId, [
        { iteration: 7, score: 0.8 },
        { iteration: 3, score: 0.8 },
      ]);
      expect((await getBestOptimizationIteration(scope, runId))?.iteration).toBe(3);
      expect(await count(db(), 'optimization_iterations', `run_id = '${runId}' and is_best`)).toBe(1);
    });

    it('concurrent writers of one run leave consistent statistics and exactly one best iteration', async () => {
      await warmPool(db());
      const runId = await newRun();
      const scores = Array.from({ length: 16 }, (_, i) => ((i * 7) % 16) / 20);
      await Promise.all(
        scores.map((score, i) => createOptimizationIteration(scope, { runId, iteration: i, score, tokens: i + 1, costUsd: 0.5 })),
      );
      const best = scores.indexOf(Math.max(...scores));
      expect(await getOptimizationRun(scope, runId)).toMatchObject({
        iterations: 16,
        bestScore: Math.max(...scores),
        totalTokens: (16 * 17) / 2,
        totalCostUsd: 8,
      });
      expect((await getBestOptimizationIteration(scope, runId))?.iteration).toBe(best);
      expect(await count(db(), 'optimization_iterations', `run_id = '${runId}' and is_best`)).toBe(1);
    });

    it('duplicate iteration numbers in a batch are a ValidationError naming the index, and nothing is written', async () => {
      const runId = await newRun();
      const error = await rejection(
        createOptimizationIterations(scope, runId, [{ iteration: 1 }, { iteration: 2 }, { iteration: 1, score: 0.5 }]),
        ValidationError,
      );
      expect(error.issues).toEqual([{ path: '2.iteration', message: expect.stringContaining('iteration 1 appears twice') }]);
      expect(await count(db(), 'optimization_iterations', `run_id = '${runId}'`)).toBe(0);
    });

    it('a batch with one invalid row writes nothing and names that row', async () => {
      const runId = await newRun();
      const error = await rejection(
        createOptimizationIterations(scope, runId, [{ iteration: 1, score: 0.5 }, { iteration: 2, score: 1.5 }]),
        ValidationError,
      );
      expect(error.issues.map((i) => i.path)).toEqual(['1.score']);
      expect(await count(db(), 'optimization_iterations', `run_id = '${runId}'`)).toBe(0);
    });

    it('iterations of an unknown run are NotFoundError', async () => {
      await rejection(createOptimizationIteration(scope, { runId: randomUUID(), iteration: 1 }), NotFoundError);
      await rejection(listOptimizationIterations(scope, randomUUID()), NotFoundError);
      await rejection(getBestOptimizationIteration(scope, randomUUID()), NotFoundError);
    });
  });

  describe('samples', () => {
    const samplesFor = (runId: string, n: number, perIteration: number, extra: (i: number) => Partial<CreateSampleInput> = () => ({})) =>
      Array.from({ length: n }, (_, i) => ({
        runId,
        iteration: Math.floor(i / perIteration),
        sampleIndex: i % perIteration,
        input: { question: `q${i}` },
        output: { answer: `a${i}` },
        expected: { answer: `a${i}` },
        score: (i % 11) / 10 > 1 ? 1 : (i % 11) / 10,
        latencyMs: i % 50,
        tokens: i % 100,
        costUsd: 0.0001,
        ...extra(i),
      }));

    it('writes 5,000 samples in one call, and a retry updates them without duplicating', async () => {
      const runId = await newRun();
      const samples = samplesFor(runId, 5000, 1000);
      expect(await batchCreateOptimizationSamples(scope, samples)).toEqual({ inserted: 5000, updated: 0 });
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(5000);
      const retried = samples.map((s) => ({ ...s, score: 1, error: null }));
      expect(await batchCreateOptimizationSamples(scope, retried)).toEqual({ inserted: 0, updated: 5000 });
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(5000);
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}' and score = 1`)).toBe(5000);
      const mixed = [...samplesFor(runId, 10, 1000), { runId, iteration: 9, sampleIndex: 0, score: 0.5 }];
      expect(await batchCreateOptimizationSamples(scope, mixed)).toEqual({ inserted: 1, updated: 10 });
    });

    it('the same batch sent twice at once is written once', async () => {
      await warmPool(db());
      const runId = await newRun();
      const samples = samplesFor(runId, 500, 100);
      const [x, y] = await Promise.all([batchCreateOptimizationSamples(scope, samples), batchCreateOptimizationSamples(scope, samples)]);
      expect(x.inserted + y.inserted).toBe(500);
      expect(x.updated + y.updated).toBe(500);
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(500);
    });

    it('is all-or-nothing: one score of 1.5 writes nothing and names the row', async () => {
      const runId = await newRun();
      const samples = samplesFor(runId, 3000, 1000);
      samples[2345]!.score = 1.5;
      const error = await rejection(batchCreateOptimizationSamples(scope, samples), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['2345.score']);
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(0);
    });

    it("is all-or-nothing: one row aimed at another project's run writes nothing", async () => {
      const runId = await newRun();
      const samples: CreateSampleInput[] = samplesFor(runId, 2000, 500);
      samples.splice(1234, 0, { runId: strangerRunId, iteration: 0, sampleIndex: 0, score: 0.5 });
      const error = await rejection(batchCreateOptimizationSamples(scope, samples), NotFoundError);
      expect(error.message).toContain(strangerRunId);
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(0);
      expect(await count(db(), 'optimization_samples', `run_id = '${strangerRunId}'`)).toBe(0);
    });

    it('duplicate (run, iteration, sampleIndex) in one batch is a ValidationError naming the index', async () => {
      const runId = await newRun();
      const error = await rejection(
        batchCreateOptimizationSamples(scope, [
          { runId, iteration: 0, sampleIndex: 0 },
          { runId, iteration: 0, sampleIndex: 1 },
          { runId, iteration: 0, sampleIndex: 0 },
        ]),
        ValidationError,
      );
      expect(error.issues[0]!.path).toBe('2.sampleIndex');
      expect(await count(db(), 'optimization_samples', `run_id = '${runId}'`)).toBe(0);
    });

    it('one batch may span several runs of the caller', async () => {
      const [r1, r2] = [await newRun(), await newRun()];
      const result = await batchCreateOptimizationSamples(scope, [...samplesFor(r1, 3, 10), ...samplesFor(r2, 4, 10)]);
      expect(result).toEqual({ inserted: 7, updated: 0 });
      const [a, b] = await Promise.all([
        listOptimizationSamples(scope, { runId: r1 }),
        listOptimizationSamples(scope, { runId: r2 }),
      ]);
      expect(a.data.map((s) => s.projectId)).toEqual(['its-a', 'its-a', 'its-a']);
      expect(b.data).toHaveLength(4);
    });

    it('samples posted before their iteration are linked to it when it is created', async () => {
      const runId = await newRun();
      await createOptimizationIteration(scope, { runId, iteration: 0, score: 0.1 });
      await batchCreateOptimizationSamples(scope, samplesFor(runId, 6, 3));
      let samples = (await listOptimizationSamples(scope, { runId })).data;
      const it0 = (await listOptimizationIterations(scope, runId))[0]!;
      expect(samples.map((s) => [s.iteration, s.iterationId])).toEqual([
        [0, it0.id],
        [0, it0.id],
        [0, it0.id],
        [1, null],
        [1, null],
        [1, null],
      ]);
      const it1 = await createOptimizationIteration(scope, { runId, iteration: 1, score: 0.2 });
      samples = (await listOptimizationSamples(scope, { runId })).data;
      expect(samples.map((s) => s.iterationId)).toEqual([it0.id, it0.id, it0.id, it1.id, it1.id, it1.id]);
      const [row] = await db().sql`select count(*)::int as n from optimization_samples where iteration_id = ${it1.id}`;
      expect(row!.n).toBe(3);
    });

    describe('listOptimizationSamples', () => {
      let runId: string;
      let all: OptimizationSample[];
      beforeAll(async () => {
        runId = await newRun();
        await batchCreateOptimizationSamples(
          scope,
          samplesFor(runId, 250, 60, (i) => ({ error: i % 7 === 0 ? `timeout ${i}` : null, score: i % 7 === 0 ? null : (i % 10) / 10 })),
        );
        all = [];
        let cursor: string | undefined;
        do {
          const page = await listOptimizationSamples(scope, { runId, limit: 40, cursor });
          expect(page.data.length).toBeLessThanOrEqual(40);
          all.push(...page.data);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      });

      it('pages by cursor through every sample once, in (iteration, sampleIndex) order', () => {
        expect(all.map((s) => [s.iteration, s.sampleIndex])).toEqual(
          Array.from({ length: 250 }, (_, i) => [Math.floor(i / 60), i % 60]),
        );
        expect(all[0]).toMatchObject({ runId, input: { question: 'q0' }, output: { answer: 'a0' }, error: 'timeout 0', score: null });
      });

      it('defaults to 100 per page', async () => {
        const first = await listOptimizationSamples(scope, { runId });
        expect(first.data).toHaveLength(100);
        expect(first.nextCursor).toBe('1.39');
      });

      it('filters by iteration', async () => {
        const page = await listOptimizationSamples(scope, { runId, iteration: 2, limit: 500 });
        expect(page.data.map((s) => s.sampleIndex)).toEqual(Array.from({ length: 60 }, (_, i) => i));
        expect(page.data.every((s) => s.iteration === 2)).toBe(true);
      });

      it('filters by score range', async () => {
        const page = await listOptimizationSamples(scope, { runId, minScore: 0.3, maxScore: 0.5, limit: 500 });
        const expected = all.filter((s) => s.score !== null && s.score >= 0.3 && s.score <= 0.5);
        expect(expected.length).toBeGreaterThan(0);
        expect(page.data.map((s) => s.id)).toEqual(expected.map((s) => s.id));
      });

      it('lists errors only, combined with an iteration and a cursor', async () => {
        const expected = all.filter((s) => s.error !== null && s.iteration === 1);
        const seen: OptimizationSample[] = [];
        let cursor: string | undefined;
        do {
          const page = await listOptimizationSamples(scope, { runId, iteration: 1, errorsOnly: true, limit: 3, cursor });
          seen.push(...page.data);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(expected.length).toBeGreaterThan(3);
        expect(seen.map((s) => s.id)).toEqual(expected.map((s) => s.id));
      });

      it('a malformed cursor is a ValidationError on cursor; an unknown run is NotFoundError', async () => {
        const error = await rejection(listOptimizationSamples(scope, { runId, cursor: 'abc' }), ValidationError);
        expect(error.issues[0]!.path).toBe('cursor');
        await rejection(listOptimizationSamples(scope, { runId: randomUUID() }), NotFoundError);
      });
    });
  });
});
