// The big runs of issue 15's quality bar, shared by the insight benchmarks: a GEPA run of
// 200 candidates × 500 validation instances (60 Pareto snapshots, 400 proposals), a MIPROv2
// run of 100 trials × 5 predictors with its candidate pool, and a MIPROv2 run of 100 trials
// with minibatch and full evaluations, usage by role and 13,700 samples. Deterministic.
import {
  batchCreateOptimizationSamples,
  createOptimizationIterations,
  createOptimizationRun,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';

import { percentile } from './common.ts';

export const CANDIDATES = 200;
export const INSTANCES = 500;
const SNAPSHOTS = 60;
const PROPOSALS = 400;

function generator(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

// GEPA: a tree of 200 candidates, every one scored on 500 instances
// withIterations adds what the run page reads besides the structure: a full evaluation of
// every candidate on the validation set, a minibatch evaluation per proposal, and the
// samples of the seed's and the selected candidate's full evaluations.
export async function seedBigGepaRun(scope: Scope, projectId: string, options: { withIterations?: boolean } = {}): Promise<string> {
  const random = generator(42);
  const gepa = (await createOptimizationRun(scope, { projectId, runName: 'gepa big', optimizerType: 'gepa', status: 'completed' })).id;
  const examples = Array.from({ length: INSTANCES }, (_, i) => `ex_${i}`);
  const candidates = Array.from({ length: CANDIDATES }, (_, i) => {
    const parents = i === 0 ? [] : i % 17 === 0 ? [String(Math.floor(random() * i)), String(Math.floor(random() * i))] : [String(Math.floor(random() * i))];
    return {
      candidateId: String(i),
      parentIds: [...new Set(parents)],
      origin: i === 0 ? 'seed' : parents.length > 1 ? 'merge' : 'reflective',
      iteration: i,
      score: Math.round(random() * 10_000) / 10_000,
      programState: { 'predict.predict': { signature: { instructions: `Instruction of candidate ${i}: ${'x'.repeat(400)}` }, demos: [] } },
      instanceScores: Object.fromEntries(examples.map((e) => [e, random() < 0.5 ? 1 : 0])),
    };
  });
  for (let i = 0; i < CANDIDATES; i += 50) await upsertOptimizationCandidates(scope, gepa, candidates.slice(i, i + 50) as never);
  const fronts = Array.from({ length: SNAPSHOTS }, (_, step) => {
    const upTo = Math.max(1, Math.floor(((step + 1) / SNAPSHOTS) * CANDIDATES));
    const front: Record<string, string[]> = {};
    const bestScores: Record<string, number> = {};
    for (const e of examples) {
      const ids = candidates.slice(0, upTo).filter((c) => c.instanceScores[e] === 1).map((c) => c.candidateId).slice(0, 8);
      front[e] = ids;
      bestScores[e] = ids.length ? 1 : 0;
    }
    return { step, iteration: step, budgetUsed: step * 100, front, bestScores };
  });
  for (let i = 0; i < SNAPSHOTS; i += 10) await upsertParetoSnapshots(scope, gepa, fronts.slice(i, i + 10) as never);
  const proposals = Array.from({ length: PROPOSALS }, (_, i) => {
    const accepted = i % 2 === 0 && i / 2 + 1 < CANDIDATES;
    return {
      proposalIndex: i,
      kind: 'reflective',
      parentIds: [String(Math.floor(random() * CANDIDATES))],
      candidateId: accepted ? String(i / 2 + 1) : null,
      accepted,
      reason: accepted ? null : 'New subsample score 1.0 not better than old score 2.0',
      reflectiveDataset: { predict: Array.from({ length: 3 }, (_, k) => ({ Inputs: { question: `q${k}` }, Feedback: 'wrong'.repeat(20) })) },
      rawOutput: 'y'.repeat(2000),
      proposedState: { predict: `New instruction ${i}` },
      subsampleIds: ['ex_1', 'ex_2', 'ex_3'],
      scoresBefore: [0, 1, 0],
      scoresAfter: [1, 1, 0],
    };
  });
  for (let i = 0; i < PROPOSALS; i += 100) await upsertOptimizationProposals(scope, gepa, proposals.slice(i, i + 100) as never);
  if (options.withIterations) await seedGepaIterations(scope, gepa, candidates, examples);

  return gepa;
}

async function seedGepaIterations(
  scope: Scope,
  runId: string,
  candidates: Array<{ candidateId: string; score: number; programState: unknown; instanceScores: Record<string, number> }>,
  examples: string[],
): Promise<void> {
  const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
  const iterations: Array<{ iteration: number; evalKind: string; candidateId: string } & Record<string, unknown>> = [];
  let budget = 0;
  for (const [i, c] of candidates.entries()) {
    if (i > 0) {
      budget += 3;
      iterations.push({ iteration: iterations.length, trial: i, evalKind: 'minibatch', score: c.score, candidateId: c.candidateId, budgetUsed: budget, elapsedMs: iterations.length * 700 });
    }
    budget += examples.length;
    iterations.push({
      iteration: iterations.length, trial: i, evalKind: 'full', score: c.score, candidateId: c.candidateId, budgetUsed: budget,
      elapsedMs: iterations.length * 700, programState: c.programState, ...(c === best ? { selected: true } : {}),
    });
  }
  for (let i = 0; i < iterations.length; i += 500) await createOptimizationIterations(scope, runId, iterations.slice(i, i + 500) as never);
  const full = (c: { candidateId: string }) => iterations.find((it) => it.evalKind === 'full' && it.candidateId === c.candidateId)!.iteration;
  for (const c of new Set([candidates[0]!, best])) {
    const samples = examples.map((e, k) => ({ runId, iteration: full(c), sampleIndex: k, exampleId: e, input: { question: e }, output: { answer: 'a' }, score: c.instanceScores[e] }));
    for (let i = 0; i < samples.length; i += 1000) await batchCreateOptimizationSamples(scope, samples.slice(i, i + 1000) as never);
  }
}

// MIPROv2: 5 predictors × (10 instructions + 10 demo sets), 100 trials with a full evaluation every 10
export async function seedBigMiproPoolRun(scope: Scope, projectId: string): Promise<string> {
  const random = generator(4242);
  const mipro = (await createOptimizationRun(scope, { projectId, runName: 'mipro big', optimizerType: 'miprov2', status: 'completed' })).id;
  const pool = [];
  for (let p = 0; p < 5; p++) {
    for (let c = 0; c < 10; c++) {
      pool.push({ predictorIndex: p, predictorName: `p${p}`, kind: 'instruction', candidateIndex: c, text: `Instruction ${p}/${c} ${'z'.repeat(300)}` });
      pool.push({ predictorIndex: p, predictorName: `p${p}`, kind: 'demos', candidateIndex: c, content: [{ question: 'q', answer: 'a' }] });
    }
  }
  await upsertCandidatePool(scope, mipro, pool as never);
  const trials = Array.from({ length: 110 }, (_, i) => ({
    iteration: i,
    score: Math.round(random() * 10_000) / 10_000,
    evalKind: i % 11 === 10 ? 'full' : 'minibatch',
    params: { chosen: Object.fromEntries(Array.from({ length: 5 }, (_, p) => [String(p), { instruction: Math.floor(random() * 9), demos: Math.floor(random() * 9) }])) },
    ...(i === 109 ? { selected: true } : {}),
  }));
  await createOptimizationIterations(scope, mipro, trials as never);
  return mipro;
}

// MIPROv2: 100 minibatch trials of 35 examples, a full evaluation on 300 examples every 3 trials
export async function seedBigMiproTrialsRun(scope: Scope, projectId: string): Promise<{ runId: string; iterations: number; samples: number }> {
  const run = await createOptimizationRun(scope, {
    projectId,
    runName: 'MIPROv2 100 trials × 5 predictors',
    optimizerType: 'miprov2',
    status: 'running',
    config: { miprov2: { auto: 'medium', num_candidates: 12, minibatch_size: 35 }, lms: { task: { model: 'gpt-4o-mini' } } },
  });
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const program = (t: number) => ({
    predictors: Object.fromEntries([0, 1, 2, 3, 4].map((p) => [`p${p}`, { instructions: `Instruction ${t % 12} of predictor ${p}`, demos: [] }])),
  });
  const iterations = [];
  const samples = [];
  let budget = 0;
  let n = 0;
  for (let t = 1; t <= 100; t++) {
    budget += 35;
    const cand = `c${t % 30}`;
    iterations.push({ iteration: n, trial: t, evalKind: 'minibatch', score: rand(), candidateId: cand, budgetUsed: budget, elapsedMs: n * 900, programState: program(t),
      usageByRole: { task: { model: 'gpt-4o-mini', calls: 35, inputTokens: 35 * 400, outputTokens: 35 * 60, costUsd: 0.004 } } });
    for (let k = 0; k < 35; k++) samples.push({ runId: run.id, iteration: n, sampleIndex: k, exampleId: `ex${(t * 7 + k) % 300}`, input: { q: k }, output: { a: k }, score: rand() > 0.4 ? 1 : 0 });
    n++;
    if (t % 3 === 0 || t === 1) {
      budget += 300;
      iterations.push({ iteration: n, trial: t, evalKind: 'full', score: 0.4 + rand() * 0.4, candidateId: cand, budgetUsed: budget, elapsedMs: n * 900, programState: program(t), selected: t === 99,
        usageByRole: { task: { model: 'gpt-4o-mini', calls: 300, inputTokens: 300 * 400, outputTokens: 300 * 60, costUsd: 0.03 }, proposer: { model: 'gpt-4o', calls: 5, inputTokens: 9000, outputTokens: 900, costUsd: 0.05 } } });
      for (let k = 0; k < 300; k++) samples.push({ runId: run.id, iteration: n, sampleIndex: k, exampleId: `ex${k}`, input: { q: k }, output: { a: k }, score: rand() > 0.4 ? 1 : 0 });
      n++;
    }
  }
  for (let i = 0; i < iterations.length; i += 500) await createOptimizationIterations(scope, run.id, iterations.slice(i, i + 500) as never);
  for (let i = 0; i < samples.length; i += 1000) await batchCreateOptimizationSamples(scope, samples.slice(i, i + 1000) as never);
  return { runId: run.id, iterations: iterations.length, samples: samples.length };
}

// Each call warmed up five times, then timed `rounds` times: a Markdown table of p50 / p95.
export async function printViewTimings(cases: Array<[string, () => Promise<unknown>]>, rounds: number): Promise<void> {
  console.log('| view | p50 ms | p95 ms |\n|---|---|---|');
  for (const [name, call] of cases) {
    for (let i = 0; i < 5; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await call();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} |`);
  }
}
