import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getCostSummary,
  getExampleFlips,
  getNoiseSummary,
  getRunFlips,
  getSettingsOutcomes,
  getTrialSeries,
  listOptimizationIterations,
  listOptimizationSamples,
  updateOptimizationRun,
  NotFoundError,
  ValidationError,
  type FlipOutcome,
  type OptimizationIteration,
  type OptimizationSample,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { rejection, scopeOf, useDatabase } from './helpers.ts';
import { HANDMADE, loadRecorded, writeRecorded, type RecordedRun } from './insight-fixtures.ts';

// Issue 15's views 1, 5, 6, 7 and 9: each number of lib/supabase-optimization/insight.ts
// against the same number computed here, in TypeScript, from the rows as stored (runs
// recorded from real DSPy compiles, and a hand-made one for the cases they lack).

const here = path.dirname(fileURLToPath(import.meta.url));
const RECORDED = ['miprov2-run.json', 'gepa-run.json'].filter((f) => existsSync(path.join(here, 'fixtures', f)));
const RUNS: RecordedRun[] = [HANDMADE, ...RECORDED.map(loadRecorded)];

const close = (a: number | null, b: number | null) => {
  if (a === null || b === null) expect(a).toBe(b);
  else expect(a).toBeCloseTo(b, 9);
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
const stddev = (xs: number[]) => {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

// "counts as full": full evaluations, or unlabelled ones when the run labels none; not on the training set
function fullOnes(its: OptimizationIteration[]): OptimizationIteration[] {
  const hasFull = its.some((i) => i.evalKind === 'full');
  return its.filter((i) => (hasFull ? i.evalKind === 'full' : i.evalKind === null) && i.dataset !== 'train');
}

async function allSamples(scope: Scope, runId: string): Promise<OptimizationSample[]> {
  const out: OptimizationSample[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOptimizationSamples(scope, { runId, limit: 500, cursor });
    out.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

function expectedFlips(before: OptimizationSample[], after: OptimizationSample[], byIndex: boolean) {
  const key = (s: OptimizationSample) => s.exampleId ?? (byIndex ? `#${s.sampleIndex}` : null);
  const first = (rows: OptimizationSample[]) => {
    const m = new Map<string, OptimizationSample>();
    for (const s of [...rows].sort((x, y) => x.sampleIndex - y.sampleIndex)) {
      const k = key(s);
      if (k !== null && !m.has(k)) m.set(k, s);
    }
    return m;
  };
  const a = first(before);
  const b = first(after);
  const right = (s: OptimizationSample) => s.error === null && s.score !== null && s.score >= 0.5;
  const counts: Record<FlipOutcome, number> = { fixed: 0, broken: 0, still_right: 0, still_wrong: 0, only_before: 0, only_after: 0 };
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    if (!x) counts.only_after++;
    else if (!y) counts.only_before++;
    else if (right(x) && right(y)) counts.still_right++;
    else if (right(x)) counts.broken++;
    else if (right(y)) counts.fixed++;
    else counts.still_wrong++;
  }
  return counts;
}

describe.each(ENGINES)('optimizer insight on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let stranger: Scope;
  const runIds = new Map<string, string>();

  beforeAll(async () => {
    const owner = await createUser(db().sql, 'owner');
    const other = await createUser(db().sql, 'stranger');
    await createProject(db().sql, 'ins-a', [[owner, 'owner']]);
    await createProject(db().sql, 'ins-b', [[other, 'owner']]);
    await createProject(db().sql, 'ins-c', [[owner, 'owner']]);
    scope = scopeOf(db(), owner);
    stranger = scopeOf(db(), other);
    for (const run of RUNS) runIds.set(run.name, await writeRecorded(scope, 'ins-a', run));
  });

  it('holds the recorded runs of real compiles when they exist', () => {
    expect(RUNS.length).toBe(1 + RECORDED.length);
  });

  describe.each(RUNS.map((r) => [r.name, r] as const))('run %s', (name) => {
    const id = () => runIds.get(name)!;

    it('view 1: trials with best-so-far from full evaluations only, cumulative cost and tokens', async () => {
      const its = await listOptimizationIterations(scope, id());
      const series = await getTrialSeries(scope, id());
      const counted = new Set(fullOnes(its).map((i) => i.iteration));
      let best: number | null = null;
      let cost = 0;
      let tokens = 0;
      expect(series.points.map((p) => p.iteration)).toEqual(its.map((i) => i.iteration));
      its.forEach((it, n) => {
        if (counted.has(it.iteration) && it.score !== null) best = best === null ? it.score : Math.max(best, it.score);
        cost += it.costUsd;
        tokens += it.tokens;
        const p = series.points[n]!;
        close(p.bestSoFar, best);
        close(p.cumulativeCostUsd, cost);
        expect(p.cumulativeTokens).toBe(tokens);
        expect(p).toMatchObject({ trial: it.trial, budgetUsed: it.budgetUsed, evalKind: it.evalKind, isSelected: it.isSelected, isBest: it.isBest });
        if (it.elapsedMs !== null) expect(p.elapsedMs).toBe(it.elapsedMs);
        else if (its.some((i) => i.elapsedMs !== null)) {
          // no elapsed time of its own: the latest one before it
          const before = its.slice(0, n).map((i) => i.elapsedMs).filter((e): e is number => e !== null);
          expect(p.elapsedMs).toBe(before.length ? Math.max(...before) : 0);
        }
      });
      // a minibatch is never the best so far, not even when it scores higher
      const minibatchScores = its.filter((i) => i.evalKind === 'minibatch').map((i) => i.score!);
      const bestFull = Math.max(...fullOnes(its).map((i) => i.score ?? -1));
      if (minibatchScores.some((s) => s > bestFull)) {
        expect(series.points.every((p) => p.bestSoFar === null || p.bestSoFar <= bestFull)).toBe(true);
      }
      expect(series.axes.trial).toBe(its.some((i) => i.trial !== null));
      expect(series.axes.budget).toBe(its.some((i) => i.budgetUsed !== null));
    });

    it('view 5: baseline against the selected program, counted per example', async () => {
      const its = await listOptimizationIterations(scope, id());
      const samples = await allSamples(scope, id());
      const flips = await getExampleFlips(scope, id());
      const baseline = fullOnes(its)[0]?.iteration ?? its[0]?.iteration;
      const best = its.find((i) => i.isBest)?.iteration;
      expect(flips.before?.iteration).toBe(baseline);
      expect(flips.after?.iteration).toBe(best);
      const expected = expectedFlips(
        samples.filter((s) => s.iteration === baseline),
        samples.filter((s) => s.iteration === best),
        true,
      );
      expect(flips.counts).toEqual(expected);
      expect(flips.total).toBe(Object.values(expected).reduce((s, n) => s + n, 0));
      // changed examples first
      const order = flips.examples.map((e) => e.outcome);
      const firstUnchanged = order.findIndex((o) => o !== 'fixed' && o !== 'broken');
      if (firstUnchanged >= 0) expect(order.slice(firstUnchanged).some((o) => o === 'fixed' || o === 'broken')).toBe(false);
    });

    it('view 5: any two iterations, and both sides shown', async () => {
      const its = await listOptimizationIterations(scope, id());
      const samples = await allSamples(scope, id());
      const withSamples = [...new Set(samples.map((s) => s.iteration))].sort((a, b) => a - b);
      if (withSamples.length < 2) return expect(withSamples.length).toBeLessThan(2);
      const [x, y] = [withSamples.at(-1)!, withSamples[0]!];
      const flips = await getExampleFlips(scope, id(), { before: x, after: y });
      expect(flips.counts).toEqual(
        expectedFlips(samples.filter((s) => s.iteration === x), samples.filter((s) => s.iteration === y), true),
      );
      const fixed = flips.examples.find((e) => e.outcome === 'fixed');
      if (fixed) {
        expect(fixed.before).not.toBeNull();
        expect(fixed.after).not.toBeNull();
        const sample = samples.find((s) => s.id === fixed.after!.sampleId)!;
        expect(fixed.after!.output).toEqual(sample.output);
      }
      expect(its.length).toBeGreaterThan(0);
    });

    it('view 6: minibatch scores against full evaluations, rank disagreements and train-vs-val gap', async () => {
      const its = await listOptimizationIterations(scope, id());
      const noise = await getNoiseSummary(scope, id());
      const groups = new Map<string, OptimizationIteration[]>();
      for (const it of its) {
        const key = it.candidateId ?? it.programHash;
        if (key === null || it.score === null) continue;
        groups.set(key, [...(groups.get(key) ?? []), it]);
      }
      expect(new Set(noise.candidates.map((c) => c.candidateId))).toEqual(new Set(groups.keys()));
      const both: { id: string; mb: number; full: number; first: number }[] = [];
      const trainVal: number[] = [];
      for (const c of noise.candidates) {
        const rows = groups.get(c.candidateId)!;
        const mb = rows.filter((r) => r.evalKind === 'minibatch').map((r) => r.score!);
        const fulls = rows.filter((r) => r.evalKind === 'full' && r.dataset !== 'train');
        const full = fulls.at(-1)?.score ?? null;
        expect(c.minibatchCount).toBe(mb.length);
        expect(c.minibatchScores).toEqual(mb);
        close(c.minibatchMean, mean(mb));
        close(c.minibatchStddev, stddev(mb));
        close(c.fullScore, full);
        if (mb.length && full !== null) {
          close(c.gap, mean(mb)! - full);
          both.push({ id: c.candidateId, mb: mean(mb)!, full, first: rows[0]!.iteration });
        }
        const train = rows.filter((r) => r.dataset === 'train' && r.evalKind !== 'minibatch').at(-1)?.score;
        const val = rows.filter((r) => r.dataset === 'val' && r.evalKind !== 'minibatch').at(-1)?.score;
        if (train != null && val != null) trainVal.push(train - val);
      }
      expect(noise.comparable).toBe(both.length);
      close(noise.meanGap, mean(both.map((b) => b.mb - b.full)));
      let ranked = 0;
      let discordant = 0;
      for (let i = 0; i < both.length; i++) {
        for (let j = i + 1; j < both.length; j++) {
          const [p, q] = [both[i]!, both[j]!];
          if (p.mb === q.mb || p.full === q.full) continue;
          ranked++;
          if (p.mb > q.mb !== p.full > q.full) discordant++;
        }
      }
      expect([noise.rankedPairs, noise.discordantPairs]).toEqual([ranked, discordant]);
      close(noise.discordantShare, ranked ? discordant / ranked : null);
      const byFirst = (a: (typeof both)[number], b: (typeof both)[number]) => a.first - b.first || (a.id < b.id ? -1 : 1);
      const mbWinner = [...both].sort((a, b) => b.mb - a.mb || byFirst(a, b))[0];
      const fullWinner = [...both].sort((a, b) => b.full - a.full || byFirst(a, b))[0];
      expect(noise.minibatchWinner).toBe(mbWinner?.id ?? null);
      expect(noise.fullWinner).toBe(fullWinner?.id ?? null);
      // a tie in full score is no wrong pick
      expect(noise.wrongWinner).toBe(mbWinner ? fullWinner!.full > mbWinner.full : null);
      close(noise.winnerLoss, mbWinner && fullWinner ? fullWinner.full - mbWinner.full : null);
      expect(noise.trainValCandidates).toBe(trainVal.length);
      close(noise.meanTrainValGap, mean(trainVal));
    });

    it('view 7: tokens and cost by role, cost per point, metric-call budget', async () => {
      const its = await listOptimizationIterations(scope, id());
      const cost = await getCostSummary(scope, id());
      const roles = new Map<string, { calls: number; tokens: number; cost: number }>();
      for (const it of its) {
        const usage = it.usageByRole as Record<string, { calls?: number; inputTokens?: number; outputTokens?: number; costUsd?: number }> | null;
        const entries = usage
          ? Object.entries(usage).map(([role, u]) => [role, u.calls ?? 0, (u.inputTokens ?? 0) + (u.outputTokens ?? 0), u.costUsd ?? 0] as const)
          : it.tokens > 0 || it.costUsd > 0
            ? [['unattributed', 0, it.tokens, it.costUsd] as const]
            : [];
        for (const [role, calls, tokens, c] of entries) {
          const r = roles.get(role) ?? { calls: 0, tokens: 0, cost: 0 };
          roles.set(role, { calls: r.calls + calls, tokens: r.tokens + tokens, cost: r.cost + c });
          const point = cost.series.find((p) => p.iteration === it.iteration && p.role === role)!;
          expect(point.calls).toBe(roles.get(role)!.calls);
          expect(point.tokens).toBe(roles.get(role)!.tokens);
          close(point.costUsd, roles.get(role)!.cost);
        }
      }
      expect(cost.roles.map((r) => r.role).sort()).toEqual([...roles.keys()].sort());
      for (const r of cost.roles) {
        expect(r.calls).toBe(roles.get(r.role)!.calls);
        expect(r.inputTokens + r.outputTokens).toBe(roles.get(r.role)!.tokens);
        close(r.costUsd, roles.get(r.role)!.cost);
      }
      const fulls = fullOnes(its).filter((i) => i.score !== null);
      const baseline = fulls[0]?.score ?? null;
      const best = fulls.length ? Math.max(...fulls.map((i) => i.score!)) : null;
      close(cost.baselineScore, baseline);
      close(cost.bestScore, best);
      const points = baseline !== null && best !== null ? (best - baseline) * 100 : null;
      close(cost.improvementPoints, points);
      // the totals are the roles' sums, so the table and the totals agree
      const totalCost = [...roles.values()].reduce((s, r) => s + r.cost, 0);
      close(cost.totalCostUsd, totalCost);
      expect(cost.totalTokens).toBe([...roles.values()].reduce((s, r) => s + r.tokens, 0));
      close(cost.costPerPoint, points !== null && points > 0 && totalCost > 0 ? totalCost / points : null);
      close(cost.tokensPerPoint, points !== null && points > 0 && cost.totalTokens > 0 ? cost.totalTokens / points : null);
      const used = its.map((i) => i.budgetUsed).filter((b): b is number => b !== null);
      expect(cost.metricCallsUsed).toBe(used.length ? Math.max(...used) : null);
    });
  });

  it('view 6 on the hand-made run: the minibatch winner is not the full winner', async () => {
    const noise = await getNoiseSummary(scope, runIds.get('handmade')!);
    // c2: minibatch 1.0, full 0.625; c1: minibatch mean 0.625, full 0.75; c0: 0.95 vs 0.5
    expect(noise.minibatchWinner).toBe('c2');
    expect(noise.fullWinner).toBe('c1');
    close(noise.winnerLoss, 0.125);
    expect([noise.rankedPairs, noise.discordantPairs]).toEqual([3, 2]);
    expect(noise.trainValCandidates).toBe(1);
    close(noise.meanTrainValGap, 0.125);
  });

  it('view 7 on the hand-made run: the optimizer budget from the config, cost per point', async () => {
    const cost = await getCostSummary(scope, runIds.get('handmade')!);
    expect(cost.estimatedMetricCalls).toBe(40);
    expect(cost.metricCallsUsed).toBe(48);
    close(cost.improvementPoints, 25);
    expect(cost.roles.find((r) => r.role === 'proposer')).toMatchObject({ models: ['m-prop'], calls: 2, inputTokens: 1000, outputTokens: 300 });
    expect(cost.lmCalls).toBeNull();
  });

  it("view 7: MIPROv2's own LM-call estimate against the calls made by role", async () => {
    const runId = await writeRecorded(scope, 'ins-c', HANDMADE, 'handmade with an estimate');
    await updateOptimizationRun(scope, runId, { metadata: { lmCallEstimate: { promptModelCalls: 3, programCalls: 40 } } });
    const cost = await getCostSummary(scope, runId);
    const calls = (role: string) => cost.roles.filter((r) => r.role === role).reduce((n, r) => n + r.calls, 0);
    expect(cost.lmCalls).toEqual({ estimatedProgramCalls: 40, estimatedPromptModelCalls: 3, programCalls: calls('task'), promptModelCalls: calls('proposer') });
    expect(cost.lmCalls!.promptModelCalls).toBe(2);
  });

  it('view 5 across runs: best iterations matched on example ids', async () => {
    const a = runIds.get('handmade')!;
    const b = await writeRecorded(scope, 'ins-a', HANDMADE, 'handmade copy');
    const flips = await getRunFlips(scope, a, b);
    expect(flips.matchedBy).toBe('exampleId');
    // the same selected program on the same examples: nothing flips
    expect(flips.counts).toMatchObject({ fixed: 0, broken: 0, still_right: 6, still_wrong: 2 });
    await expect(getRunFlips(stranger, a, b)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('view 9: settings against best scores over the project', async () => {
    const groups = await getSettingsOutcomes(scope, 'ins-a');
    const iters = await Promise.all([...runIds.values()].map((rid) => listOptimizationIterations(scope, rid)));
    const handmade = groups.find((g) => g.auto === 'light' && g.numCandidates === 3);
    expect(handmade).toMatchObject({ optimizerType: 'miprov2', minibatchSize: 4, model: 'm-task' });
    // both hand-made runs are in the group; their best score is the selected iteration's
    expect(handmade!.runs).toBe(2);
    close(handmade!.meanBestScore, 0.75);
    expect(groups.reduce((s, g) => s + g.runs, 0)).toBe(runIds.size + 1);
    expect(iters.length).toBe(runIds.size);
    expect(await getSettingsOutcomes(stranger, 'ins-a')).toEqual([]);
  });

  it('refuses other tenants and bad input', async () => {
    const rid = runIds.get('handmade')!;
    for (const read of [getTrialSeries, getNoiseSummary, getCostSummary, getExampleFlips]) {
      await rejection(read(stranger, rid), NotFoundError);
    }
    await rejection(getExampleFlips(scope, rid, { before: 999 }), NotFoundError);
    await rejection(getExampleFlips(scope, rid, {}, { threshold: 2 }), ValidationError);
    await rejection(getTrialSeries(scope, 'not-a-uuid'), ValidationError);
  });
});
