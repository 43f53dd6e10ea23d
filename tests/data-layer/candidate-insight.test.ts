import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizationIterations,
  createOptimizationRun,
  getCandidatePoolInsight,
  getLineageTree,
  getParetoFrontView,
  getProposalAudit,
  NotFoundError,
  t95,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
  ValidationError,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { recordedRun, writeBodies, type RecordedRun } from '../helpers/dspy-fixtures.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { rejection, scopeOf, useDatabase } from './helpers.ts';

// Issue 15's views 2, 3, 4 and 8 on runs recorded from real DSPy compiles (MIPROv2 and
// GEPA, tests/fixtures/dspy): every number the data layer returns is recomputed here from
// the recorded rows with plain TypeScript, and a stranger's scope sees no run.

async function store(scope: Scope, projectId: string, recorded: RecordedRun): Promise<string> {
  const body = writeBodies(recorded);
  const run = await createOptimizationRun(scope, { projectId, ...body.run } as never);
  await createOptimizationIterations(scope, run.id, body.iterations as never);
  if (body.candidates.length) await upsertOptimizationCandidates(scope, run.id, body.candidates as never);
  if (body.candidatePool.length) await upsertCandidatePool(scope, run.id, body.candidatePool as never);
  if (body.pareto.length) await upsertParetoSnapshots(scope, run.id, body.pareto as never);
  if (body.proposals.length) await upsertOptimizationProposals(scope, run.id, body.proposals as never);
  return run.id;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
type Chosen = Record<string, { instruction?: number; demos?: number }>;

describe.each(ENGINES)('optimizer structure views on %s', (engine) => {
  const db = useDatabase(engine);
  const mipro = recordedRun('miprov2');
  const gepa = recordedRun('gepa');
  let scope: Scope;
  let stranger: Scope;
  let miproId: string;
  let gepaId: string;

  beforeAll(async () => {
    const owner = await createUser(db().sql, 'owner');
    const other = await createUser(db().sql, 'stranger');
    await createProject(db().sql, 'ins-a', [[owner, 'owner']]);
    await createProject(db().sql, 'ins-b', [[other, 'owner']]);
    scope = scopeOf(db(), owner);
    stranger = scopeOf(db(), other);
    miproId = await store(scope, 'ins-a', mipro);
    gepaId = await store(scope, 'ins-a', gepa);
  });

  describe('candidate pools (MIPROv2)', () => {
    it('counts trials, means, intervals and best full evaluations per instruction and demo set as the recorded iterations give them', async () => {
      const insight = await getCandidatePoolInsight(scope, miproId);
      const evals = mipro.iterations.filter((i) => i.params.chosen && i.score !== null);
      expect(insight.predictors.map((p) => p.predictorIndex)).toEqual([...new Set(mipro.candidatePool.map((p) => p.predictorIndex))].sort());
      let checked = 0;
      for (const entry of mipro.candidatePool) {
        const key = entry.kind === 'instruction' ? 'instruction' : 'demos';
        const using = evals.filter((i) => (i.params.chosen as Chosen)[String(entry.predictorIndex)]?.[key] === entry.candidateIndex);
        const mini = using.filter((i) => i.evalKind !== 'full').map((i) => i.score!);
        const full = using.filter((i) => i.evalKind === 'full').map((i) => i.score!);
        const predictor = insight.predictors.find((p) => p.predictorIndex === entry.predictorIndex)!;
        const got = (entry.kind === 'instruction' ? predictor.instructions : predictor.demoSets).find((c) => c.candidateIndex === entry.candidateIndex)!;
        expect(got.text).toBe(entry.text ?? null);
        expect(got.trials).toBe(mini.length);
        expect(got.fullEvaluations).toBe(full.length);
        if (mini.length) expect(got.meanScore).toBeCloseTo(mean(mini), 9);
        else expect(got.meanScore).toBeNull();
        if (mini.length >= 2) {
          const half = (t95(mini.length - 1) * sd(mini)) / Math.sqrt(mini.length);
          expect(got.ciLow).toBeCloseTo(mean(mini) - half, 9);
          expect(got.ciHigh).toBeCloseTo(mean(mini) + half, 9);
        } else {
          expect(got.ciLow).toBeNull();
        }
        expect(got.bestFullScore).toBe(full.length ? Math.max(...full) : null);
        checked++;
      }
      expect(checked).toBe(mipro.candidatePool.length);
      // the recorded run left candidates untried, and trials on several
      const all = insight.predictors.flatMap((p) => [...p.instructions, ...p.demoSets]);
      expect(all.some((c) => c.trials === 0 && c.fullEvaluations === 0)).toBe(true);
      expect(all.filter((c) => c.trials >= 2).length).toBeGreaterThan(1);
    });

    it('fills the heat map per (instruction, demo set) and names the winner and its lead over the runner-up', async () => {
      const insight = await getCandidatePoolInsight(scope, miproId);
      const evals = mipro.iterations.filter((i) => i.params.chosen && i.score !== null);
      const predictor = insight.predictors[0]!;
      const cells = new Map<string, number[]>();
      for (const i of evals.filter((e) => e.evalKind !== 'full')) {
        const c = (i.params.chosen as Chosen)[String(predictor.predictorIndex)]!;
        cells.set(`${c.instruction}:${c.demos}`, [...(cells.get(`${c.instruction}:${c.demos}`) ?? []), i.score!]);
      }
      for (const [key, scores] of cells) {
        const cell = predictor.heatMap.find((h) => `${h.instruction}:${h.demos}` === key)!;
        expect(cell.trials).toBe(scores.length);
        expect(cell.meanScore).toBeCloseTo(mean(scores), 9);
      }
      expect(predictor.heatMap.filter((h) => h.trials > 0).length).toBe(cells.size);

      const winner = mipro.iterations.find((i) => i.isSelected) ?? mipro.iterations.find((i) => i.isBest)!;
      expect(insight.winner).toMatchObject({ iteration: winner.iteration, score: winner.score, chosen: winner.params.chosen });
      const others = evals.filter((i) => i.evalKind === 'full' && JSON.stringify(i.params.chosen) !== JSON.stringify(winner.params.chosen));
      const runner = others.sort((a, b) => b.score! - a.score! || a.iteration - b.iteration)[0]!;
      expect(insight.runnerUp).toEqual({ iteration: runner.iteration, score: runner.score });
      expect(insight.margin).toBeCloseTo(winner.score! - runner.score!, 9);
      const wonIndex = (winner.params.chosen as Chosen)['0']!.instruction;
      expect(predictor.instructions.filter((c) => c.won).map((c) => c.candidateIndex)).toEqual([wonIndex]);
    });

    it('a GEPA run has no pools', async () => {
      expect((await getCandidatePoolInsight(scope, gepaId)).predictors).toEqual([]);
    });
  });

  describe('lineage (GEPA)', () => {
    it('gives every candidate its parents, score and the number of validation instances it is best on', async () => {
      const tree = await getLineageTree(scope, gepaId);
      expect(tree.nodes.map((n) => n.candidateId).sort()).toEqual(gepa.candidates.map((c) => c.candidateId).sort());
      const examples = new Set(gepa.candidates.flatMap((c) => Object.keys(c.instanceScores ?? {})));
      expect(tree.instances).toBe(examples.size);
      const top = new Map([...examples].map((e) => [e, Math.max(...gepa.candidates.map((c) => c.instanceScores?.[e] ?? -Infinity))]));
      for (const c of gepa.candidates) {
        const node = tree.nodes.find((n) => n.candidateId === c.candidateId)!;
        const bestOn = Object.entries(c.instanceScores ?? {}).filter(([e, v]) => top.get(e)! > 0 && v === top.get(e)).length;
        expect(node).toMatchObject({ parentIds: c.parentIds, score: c.score, bestOn });
      }
      expect(tree.nodes.some((n) => n.bestOn > 0)).toBe(true);
      // the counts come from the last Pareto front: the same as its solved instances per candidate
      const last = gepa.pareto.at(-1)!;
      for (const node of tree.nodes) {
        const onFront = Object.entries(last.front).filter(([e, ids]) => ids.includes(node.candidateId) && (last.bestScores?.[e] ?? 1) > 0).length;
        expect(node.bestOn).toBe(onFront);
      }
      // proposals with their subsample means
      expect(tree.proposals).toHaveLength(gepa.proposals.length);
      for (const p of gepa.proposals) {
        const got = tree.proposals.find((q) => q.proposalIndex === p.proposalIndex)!;
        expect(got.accepted).toBe(p.accepted);
        if (p.scoresBefore?.length) expect(got.meanBefore).toBeCloseTo(mean(p.scoresBefore), 9);
        if (p.scoresAfter?.length) expect(got.meanAfter).toBeCloseTo(mean(p.scoresAfter), 9);
      }
    });

    it('without Pareto fronts, counts the instances where a candidate reaches the highest score above 0', async () => {
      const runId = await store(scope, 'ins-a', { ...gepa, pareto: [] });
      const tree = await getLineageTree(scope, runId);
      const examples = new Set(gepa.candidates.flatMap((c) => Object.keys(c.instanceScores ?? {})));
      expect(tree.instances).toBe(examples.size);
      const top = new Map([...examples].map((e) => [e, Math.max(...gepa.candidates.map((c) => c.instanceScores?.[e] ?? -Infinity))]));
      const counts = gepa.candidates.map((c) => Object.entries(c.instanceScores ?? {}).filter(([e, v]) => top.get(e)! > 0 && v === top.get(e)).length);
      expect(tree.nodes.map((n) => n.bestOn)).toEqual(counts);
      expect(counts.some((n) => n > 0)).toBe(true);
    });

    it('returns a focused candidate with its first parent\'s program, and the seed with none', async () => {
      const child = gepa.candidates.find((c) => c.parentIds.length > 0)!;
      const parent = gepa.candidates.find((c) => c.candidateId === child.parentIds[0])!;
      const tree = await getLineageTree(scope, gepaId, { focus: child.candidateId });
      expect(tree.focus).toEqual({ candidateId: child.candidateId, programState: child.programState, parentId: parent.candidateId, parentProgramState: parent.programState });
      const seed = gepa.candidates.find((c) => c.parentIds.length === 0)!;
      expect((await getLineageTree(scope, gepaId, { focus: seed.candidateId })).focus).toMatchObject({ parentId: null, parentProgramState: null });
      expect((await getLineageTree(scope, gepaId, { focus: 'no-such' })).focus).toBeNull();
    });
  });

  describe('Pareto front (GEPA)', () => {
    it('shows the last step by default: the front per instance, coverage per candidate, unsolved instances', async () => {
      const last = gepa.pareto.at(-1)!;
      const view = await getParetoFrontView(scope, gepaId);
      expect(view.steps.map((s) => s.step)).toEqual(gepa.pareto.map((p) => p.step));
      expect(view.step).toBe(last.step);
      const keys = new Set([...Object.keys(last.front), ...Object.keys(last.bestScores ?? {})]);
      expect(view.instances).toHaveLength(keys.size);
      // coverage counts solved instances only (a front of candidates all at 0 solves nothing)
      const covers = new Map<string, number>();
      for (const [e, ids] of Object.entries(last.front)) if ((last.bestScores?.[e] ?? 1) > 0) for (const id of ids) covers.set(id, (covers.get(id) ?? 0) + 1);
      expect(Object.fromEntries(view.candidates.map((c) => [c.candidateId, c.covers]))).toEqual(Object.fromEntries(covers));
      const unsolved = [...keys].filter((k) => (last.bestScores?.[k] !== undefined ? !(last.bestScores[k]! > 0) : !(last.front[k]?.length)));
      expect(view.unsolved).toBe(unsolved.length);
      expect(view.instances.filter((i) => !i.solved).map((i) => i.exampleId).sort()).toEqual(unsolved.sort());
      for (const inst of view.instances) expect(inst.candidateIds).toEqual(last.front[inst.exampleId] ?? []);
    });

    it('follows the front back to an earlier step', async () => {
      const first = gepa.pareto[0]!;
      const view = await getParetoFrontView(scope, gepaId, { step: first.step });
      expect(view.step).toBe(first.step);
      expect(view.candidates.map((c) => c.candidateId).sort()).toEqual([...new Set(Object.values(first.front).flat())].sort());
      await rejection(getParetoFrontView(scope, gepaId, { step: -1 }), ValidationError);
    });
  });

  describe('proposal audit (GEPA)', () => {
    it('pages every proposal with its sums before and after and how many subsample instances moved', async () => {
      const seen = [];
      let after: number | undefined;
      for (;;) {
        const page = await getProposalAudit(scope, gepaId, { after, limit: 5 });
        expect(page.total).toBe(gepa.proposals.length);
        expect(page.accepted).toBe(gepa.proposals.filter((p) => p.accepted).length);
        seen.push(...page.proposals);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      expect(seen.map((p) => p.proposalIndex)).toEqual(gepa.proposals.map((p) => p.proposalIndex));
      for (const p of gepa.proposals) {
        const got = seen.find((q) => q.proposalIndex === p.proposalIndex)!;
        const before = p.scoresBefore ?? [];
        const afterScores = p.scoresAfter ?? [];
        expect(got).toMatchObject({ accepted: p.accepted, reason: p.reason ?? null, rawOutput: p.rawOutput ?? null, proposedState: p.proposedState ?? null });
        if (before.length) expect(got.sumBefore).toBeCloseTo(before.reduce((a, b) => a + b, 0), 9);
        if (afterScores.length) expect(got.sumAfter).toBeCloseTo(afterScores.reduce((a, b) => a + b, 0), 9);
        expect(got.improved).toBe(before.filter((b, i) => afterScores[i]! > b).length);
        expect(got.worsened).toBe(before.filter((b, i) => afterScores[i]! < b).length);
      }
      expect(seen.some((p) => !p.accepted && p.reason)).toBe(true);
      expect(seen.some((p) => p.accepted && p.improved > 0)).toBe(true);
    });
  });

  it("another tenant's scope finds none of the four views", async () => {
    await rejection(getCandidatePoolInsight(stranger, miproId), NotFoundError);
    await rejection(getLineageTree(stranger, gepaId), NotFoundError);
    await rejection(getParetoFrontView(stranger, gepaId), NotFoundError);
    await rejection(getProposalAudit(stranger, gepaId), NotFoundError);
  });
});
