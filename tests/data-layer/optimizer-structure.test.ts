import { beforeAll, describe, expect, it } from 'vitest';
import {
  batchCreateOptimizationSamples,
  createOptimizationIterations,
  createOptimizationRun,
  ForbiddenError,
  getOptimizationRun,
  getOptimizationRunSummary,
  getOptimizationRunWithIterations,
  getTopRunsByScore,
  listCandidatePool,
  listOptimizationCandidates,
  listOptimizationIterations,
  listOptimizationProposals,
  listOptimizationSamples,
  listParetoSnapshots,
  NotFoundError,
  updateOptimizationRun,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
  ValidationError,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { rejection, scopeOf, useDatabase } from './helpers.ts';

// Issue 14 on the data layer: the best-iteration rule (selected, then full, unlabelled,
// minibatch), field-by-field iteration upserts, samples' usage rolled into iterations and
// runs, and the four structure resources (candidates, pools, Pareto fronts, proposals).

describe.each(ENGINES)('optimizer structure on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let viewer: Scope;
  let stranger: Scope;

  beforeAll(async () => {
    const owner = await createUser(db().sql, 'owner');
    const viewerUser = await createUser(db().sql, 'viewer');
    const strangerUser = await createUser(db().sql, 'stranger');
    await createProject(db().sql, 'ost-a', [[owner, 'owner'], [viewerUser, 'viewer']]);
    await createProject(db().sql, 'ost-b', [[strangerUser, 'owner']]);
    scope = scopeOf(db(), owner);
    viewer = scopeOf(db(), viewerUser);
    stranger = scopeOf(db(), strangerUser);
  });

  const newRun = async (optimizerType = 'miprov2') =>
    (await createOptimizationRun(scope, { projectId: 'ost-a', runName: 'run', optimizerType, status: 'running' })).id;
  const best = async (runId: string) => (await getOptimizationRunWithIterations(scope, runId)).bestIteration?.iteration ?? null;

  describe('the best iteration', () => {
    it('a minibatch never outranks a full evaluation: the issue\'s MIPROv2 run (0.90 minibatch, 0.84 full)', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 0, score: 0.62, evalKind: 'full' },
        { iteration: 1, score: 0.9, evalKind: 'minibatch' },
        { iteration: 2, score: 0.84, evalKind: 'full' },
        { iteration: 3, score: 0.7, evalKind: 'minibatch' },
      ]);
      expect(await best(runId)).toBe(2);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.84);
      const summary = await getOptimizationRunSummary(scope, runId);
      expect(summary).toMatchObject({ bestScore: 0.84, bestIteration: 2, bestIterationScore: 0.84 });
      // the leaderboard ranks by final score, which the client sets to the selected program's
      await updateOptimizationRun(scope, runId, { status: 'completed', finalScore: 0.84 });
      const top = await getTopRunsByScore(scope, 'ost-a', 100);
      expect(top.find((r) => r.id === runId)).toMatchObject({ finalScore: 0.84, bestScore: 0.84 });
    });

    it('an unlabelled evaluation outranks a minibatch, a full one outranks it', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 0, score: 0.95, evalKind: 'minibatch' },
        { iteration: 1, score: 0.5 },
      ]);
      expect(await best(runId)).toBe(1);
      await createOptimizationIterations(scope, runId, [{ iteration: 2, score: 0.3, evalKind: 'full' }]);
      expect(await best(runId)).toBe(2);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.3);
    });

    it('the selected iteration wins; selecting another clears the first; unselecting falls back to the rule', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 0, score: 0.84, evalKind: 'full' },
        { iteration: 1, score: 0.88, evalKind: 'full' },
        { iteration: 2, score: 0.9, evalKind: 'minibatch' },
      ]);
      expect(await best(runId)).toBe(1);
      await createOptimizationIterations(scope, runId, [{ iteration: 0, selected: true }]);
      let rows = await listOptimizationIterations(scope, runId);
      expect(rows.map((r) => [r.iteration, r.isSelected, r.isBest])).toEqual([
        [0, true, true],
        [1, false, false],
        [2, false, false],
      ]);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.84);
      expect(await getOptimizationRunSummary(scope, runId)).toMatchObject({ bestIteration: 0, bestScore: 0.84 });

      await createOptimizationIterations(scope, runId, [{ iteration: 2, selected: true }]);
      rows = await listOptimizationIterations(scope, runId);
      expect(rows.map((r) => [r.iteration, r.isSelected, r.isBest])).toEqual([
        [0, false, false],
        [1, false, false],
        [2, true, true],
      ]);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.9);

      await createOptimizationIterations(scope, runId, [{ iteration: 2, selected: false }]);
      expect(await best(runId)).toBe(1);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.88);
    });

    it('runs without kinds behave as before: the highest score, the earliest on a tie', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 0, score: 0.4 },
        { iteration: 1, score: 0.9 },
        { iteration: 2, score: 0.9 },
        { iteration: 3 },
      ]);
      expect(await best(runId)).toBe(1);
      expect((await getOptimizationRun(scope, runId)).bestScore).toBe(0.9);
    });

    it('a batch selecting two iterations is refused', async () => {
      const runId = await newRun();
      const error = await rejection(
        createOptimizationIterations(scope, runId, [
          { iteration: 0, selected: true },
          { iteration: 1, selected: true },
        ]),
        ValidationError,
      );
      expect(error.issues[0]!.path).toBe('1.selected');
    });
  });

  describe('iterations field by field', () => {
    it('a field left out keeps its value, null clears it, and the new fields round-trip', async () => {
      const runId = await newRun();
      await createOptimizationIterations(scope, runId, [
        { iteration: 0, score: 0.5, params: { chosen: { '0': { instruction: 2, demos: 1 } } }, programState: { p: 1 }, programHash: 'h0', latencyMs: 12 },
      ]);
      const [later] = await createOptimizationIterations(scope, runId, [
        {
          iteration: 0,
          evalKind: 'full',
          rawScore: 50,
          scoreScale: 100,
          candidateId: '3',
          parentCandidateIds: ['0', '1'],
          trial: 4,
          budgetUsed: 120,
          elapsedMs: 9000,
          dataset: 'val',
          usageByRole: { task: { model: 'm', calls: 3, inputTokens: 30, outputTokens: 9, costUsd: 0.001 } },
          programHash: null,
        },
      ]);
      expect(later).toMatchObject({
        iteration: 0,
        score: 0.5,
        params: { chosen: { '0': { instruction: 2, demos: 1 } } },
        programState: { p: 1 },
        programHash: null,
        latencyMs: 12,
        evalKind: 'full',
        rawScore: 50,
        scoreScale: 100,
        isSelected: false,
        candidateId: '3',
        parentCandidateIds: ['0', '1'],
        trial: 4,
        budgetUsed: 120,
        elapsedMs: 9000,
        dataset: 'val',
        usageByRole: { task: { model: 'm', calls: 3, inputTokens: 30, outputTokens: 9, costUsd: 0.001 } },
      });
      const [cleared] = await createOptimizationIterations(scope, runId, [{ iteration: 0, evalKind: null, score: null }]);
      expect(cleared).toMatchObject({ evalKind: null, score: null, rawScore: 50, isBest: false });
      expect((await getOptimizationRun(scope, runId)).bestScore).toBeNull();
    });

    it('refuses bad values of the new fields with their paths', async () => {
      const runId = await newRun();
      const bad = async (fields: Record<string, unknown>, path: string) => {
        const error = await rejection(createOptimizationIterations(scope, runId, [{ iteration: 0, ...fields } as never]), ValidationError);
        expect(error.issues.map((i) => i.path)).toContain(path);
      };
      await bad({ score: 84 }, '0.score');
      await bad({ evalKind: 'partial' }, '0.evalKind');
      await bad({ scoreScale: 0 }, '0.scoreScale');
      await bad({ dataset: 'dev' }, '0.dataset');
      await bad({ usageByRole: { Task: {} } }, '0.usageByRole.Task');
      await bad({ candidateId: 'x'.repeat(129) }, '0.candidateId');
    });
  });

  describe('tokens and cost', () => {
    it('an iteration that reported none sums its samples, posted before or after it; the run sums the iterations', async () => {
      const runId = await newRun();
      const sample = (iteration: number, i: number) => ({ runId, iteration, sampleIndex: i, tokens: 10 + i, costUsd: 0.001 * (i + 1) });
      // iteration 0's samples arrive before it exists
      await batchCreateOptimizationSamples(scope, [0, 1, 2].map((i) => sample(0, i)));
      await createOptimizationIterations(scope, runId, [{ iteration: 0, score: 0.5 }, { iteration: 1, score: 0.6, tokens: 500, costUsd: 0.5 }]);
      await batchCreateOptimizationSamples(scope, [0, 1, 2, 3].map((i) => sample(1, i)));
      let rows = await listOptimizationIterations(scope, runId);
      // iteration 0: 10 + 11 + 12 tokens, 0.001 + 0.002 + 0.003 USD; iteration 1 keeps its report
      expect(rows.map((r) => [r.iteration, r.tokens, r.costUsd])).toEqual([
        [0, 33, 0.006],
        [1, 500, 0.5],
      ]);
      expect(await getOptimizationRun(scope, runId)).toMatchObject({ totalTokens: 533, totalCostUsd: 0.506 });

      // more samples, and a retried sample with new numbers: 33 - 12 + 40 + 13 = 74
      await batchCreateOptimizationSamples(scope, [
        { ...sample(0, 2), tokens: 40, costUsd: 0.01 },
        sample(0, 3),
      ]);
      rows = await listOptimizationIterations(scope, runId);
      // and 0.001 + 0.002 + 0.01 + 0.004 USD
      expect(rows[0]).toMatchObject({ tokens: 74, costUsd: 0.017, sampleTokens: 74, reportedTokens: null });
      // a report of 0 means none: iteration 1 falls back to its samples (10+11+12+13, 0.001+...+0.004)
      await createOptimizationIterations(scope, runId, [{ iteration: 1, tokens: 0, costUsd: 0 }]);
      rows = await listOptimizationIterations(scope, runId);
      expect(rows[1]).toMatchObject({ tokens: 46, costUsd: 0.01 });
      expect(await getOptimizationRun(scope, runId)).toMatchObject({ totalTokens: 74 + 46, totalCostUsd: 0.027 });
      // an iteration written again without tokens keeps what it had
      await createOptimizationIterations(scope, runId, [{ iteration: 1, tokens: 7 }]);
      await createOptimizationIterations(scope, runId, [{ iteration: 1, score: 0.61 }]);
      expect((await listOptimizationIterations(scope, runId))[1]).toMatchObject({ tokens: 7, costUsd: 0.01, score: 0.61 });
    });

    it('samples keep exampleId and feedback, and list by exampleId across iterations', async () => {
      const runId = await newRun();
      await batchCreateOptimizationSamples(scope, [
        { runId, iteration: 0, sampleIndex: 0, exampleId: 'ex-a', feedback: 'wrong year', score: 0 },
        { runId, iteration: 0, sampleIndex: 1, exampleId: 'ex-b' },
        { runId, iteration: 1, sampleIndex: 0, exampleId: 'ex-a', feedback: 'right', score: 1 },
      ]);
      const page = await listOptimizationSamples(scope, { runId, exampleId: 'ex-a' });
      expect(page.data.map((s) => [s.iteration, s.exampleId, s.feedback, s.score])).toEqual([
        [0, 'ex-a', 'wrong year', 0],
        [1, 'ex-a', 'right', 1],
      ]);
      await rejection(batchCreateOptimizationSamples(scope, [{ runId, iteration: 0, sampleIndex: 2, feedback: 'x'.repeat(10_001) }]), ValidationError);
    });
  });

  describe('candidates, candidate pools, Pareto fronts and proposals', () => {
    it('candidates: lineage and instance scores round-trip; a partial re-post updates field by field; pages by cursor', async () => {
      const runId = await newRun('gepa');
      const first = await upsertOptimizationCandidates(scope, runId, [
        { candidateId: '0', origin: 'seed', score: 0.5, rawScore: 50, instanceScores: { e1: 1, e2: 0 }, programState: { instr: 'seed' } },
        { candidateId: '1', parentIds: ['0'], origin: 'reflective', iteration: 1, score: 0.75, instanceScores: { e1: 1, e2: 0.5 } },
        { candidateId: '2', parentIds: ['0', '1'], origin: 'merge', budgetUsed: 300 },
      ]);
      expect(first).toEqual({ inserted: 3, updated: 0 });
      const again = await upsertOptimizationCandidates(scope, runId, [{ candidateId: '2', score: 0.8 }, { candidateId: '3', parentIds: ['2'] }]);
      expect(again).toEqual({ inserted: 1, updated: 1 });

      const page1 = await listOptimizationCandidates(scope, { runId, limit: 2 });
      expect(page1.data.map((c) => c.candidateId)).toEqual(['0', '1']);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await listOptimizationCandidates(scope, { runId, limit: 2, cursor: page1.nextCursor! });
      expect(page2.data.map((c) => c.candidateId)).toEqual(['2', '3']);
      expect(page2.nextCursor).toBeNull();
      expect(page1.data[0]).toMatchObject({ projectId: 'ost-a', runId, parentIds: [], origin: 'seed', rawScore: 50, instanceScores: { e1: 1, e2: 0 }, programState: { instr: 'seed' }, metadata: {} });
      expect(page2.data[0]).toMatchObject({ parentIds: ['0', '1'], origin: 'merge', budgetUsed: 300, score: 0.8 });

      await rejection(upsertOptimizationCandidates(scope, runId, [{ candidateId: '4', instanceScores: { e1: 1.5 } }]), ValidationError);
      await rejection(upsertOptimizationCandidates(scope, runId, [{ candidateId: '4' }, { candidateId: '4' }]), ValidationError);
      await rejection(listOptimizationCandidates(scope, { runId, cursor: 'nonsense' }), ValidationError);
    });

    it('candidate pool: keyed by (predictor, kind, index); a retried batch inserts nothing twice', async () => {
      const runId = await newRun();
      const pool = [
        { predictorIndex: 0, predictorName: 'generate.predict', kind: 'instruction' as const, candidateIndex: 0, text: 'Answer.' },
        { predictorIndex: 0, predictorName: 'generate.predict', kind: 'instruction' as const, candidateIndex: 1, text: 'Answer briefly.' },
        { predictorIndex: 0, predictorName: 'generate.predict', kind: 'demos' as const, candidateIndex: 0, content: [{ question: 'q', answer: 'a' }] },
        { predictorIndex: 1, predictorName: 'rank.predict', kind: 'instruction' as const, candidateIndex: 0, text: 'Rank.' },
      ];
      expect(await upsertCandidatePool(scope, runId, pool)).toEqual({ inserted: 4, updated: 0 });
      expect(await upsertCandidatePool(scope, runId, pool)).toEqual({ inserted: 0, updated: 4 });
      const page = await listCandidatePool(scope, { runId, limit: 3 });
      expect(page.data.map((e) => [e.predictorIndex, e.kind, e.candidateIndex])).toEqual([
        [0, 'demos', 0],
        [0, 'instruction', 0],
        [0, 'instruction', 1],
      ]);
      const rest = await listCandidatePool(scope, { runId, limit: 3, cursor: page.nextCursor! });
      expect(rest.data.map((e) => [e.predictorIndex, e.text])).toEqual([[1, 'Rank.']]);
      expect(page.data[0]!.content).toEqual([{ question: 'q', answer: 'a' }]);
    });

    it('Pareto snapshots and proposals round-trip in key order', async () => {
      const runId = await newRun('gepa');
      await upsertParetoSnapshots(scope, runId, [
        { step: 1, iteration: 2, budgetUsed: 40, front: { e1: ['0', '1'], e2: ['1'] }, bestScores: { e1: 1, e2: 0.5 } },
        { step: 0, front: { e1: ['0'], e2: ['0'] } },
      ]);
      const fronts = await listParetoSnapshots(scope, { runId });
      expect(fronts.data.map((f) => [f.step, f.front, f.bestScores])).toEqual([
        [0, { e1: ['0'], e2: ['0'] }, null],
        [1, { e1: ['0', '1'], e2: ['1'] }, { e1: 1, e2: 0.5 }],
      ]);

      await upsertOptimizationProposals(scope, runId, [
        { proposalIndex: 0, kind: 'reflective', parentIds: ['0'], accepted: false, reason: 'subsample did not improve', scoresBefore: [0.5, 1], scoresAfter: [0.5, 0.5], subsampleIds: ['e1', 'e2'], rawOutput: '```new instruction```' },
        { proposalIndex: 1, kind: 'merge', parentIds: ['0', '1'], accepted: true, candidateId: '2', predictors: ['generate'] },
      ]);
      // accepted later on: field by field, the rest stays
      await upsertOptimizationProposals(scope, runId, [{ proposalIndex: 0, kind: 'reflective', parentIds: ['0'], accepted: true, candidateId: '3' }]);
      const proposals = await listOptimizationProposals(scope, { runId });
      expect(proposals.data.map((p) => [p.proposalIndex, p.accepted, p.candidateId, p.scoresBefore, p.reason])).toEqual([
        [0, true, '3', [0.5, 1], 'subsample did not improve'],
        [1, true, '2', null, null],
      ]);
      await rejection(upsertOptimizationProposals(scope, runId, [{ proposalIndex: 2, kind: 'reflective', parentIds: [], accepted: false, scoresAfter: [2] }]), ValidationError);
    });

    it('another tenant neither reads nor writes them; a viewer reads but cannot write', async () => {
      const runId = await newRun('gepa');
      await upsertOptimizationCandidates(scope, runId, [{ candidateId: '0' }]);
      await rejection(listOptimizationCandidates(stranger, { runId }), NotFoundError);
      await rejection(upsertOptimizationCandidates(stranger, runId, [{ candidateId: '9' }]), NotFoundError);
      await rejection(upsertParetoSnapshots(stranger, runId, [{ step: 0, front: {} }]), NotFoundError);
      expect((await listOptimizationCandidates(viewer, { runId })).data.map((c) => c.candidateId)).toEqual(['0']);
      await rejection(upsertOptimizationCandidates(viewer, runId, [{ candidateId: '9' }]), ForbiddenError);
      await rejection(upsertOptimizationProposals(viewer, runId, [{ proposalIndex: 0, kind: 'merge', parentIds: [], accepted: false }]), ForbiddenError);
      expect((await listOptimizationCandidates(scope, { runId })).data).toHaveLength(1);
    });
  });
});
