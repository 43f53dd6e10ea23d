// Server time of the optimizer structure views (issue 15, views 2, 3, 4, 8) on a big GEPA
// run (200 candidates × 500 validation instances, 60 Pareto snapshots, 400 proposals) and a
// MIPROv2 run (100 trials × 5 predictors), through the data layer as a member under RLS on
// a fresh PostgreSQL database. Prints p50 / p95 of each call.
//   node --conditions=react-server scripts/bench-insight-structure.ts
import {
  createOptimizationIterations,
  createOptimizationRun,
  getCandidatePoolInsight,
  getLineageTree,
  getParetoFrontView,
  getProposalAudit,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
  userScope,
} from '../lib/supabase-optimization/index.ts';
import { createTestDatabase } from '../tests/helpers/databases.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';

const CANDIDATES = 200;
const INSTANCES = 500;
const SNAPSHOTS = 60;
const PROPOSALS = 400;
const ROUNDS = 40;

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const db = await createTestDatabase('postgres');
try {
  const user = await createUser(db.sql, 'bench');
  await createProject(db.sql, 'bench-insight-structure', [[user, 'owner']]);
  const scope = userScope(user.claims, db.sql);

  // GEPA: a tree of 200 candidates, every one scored on 500 instances
  const gepa = (await createOptimizationRun(scope, { projectId: 'bench-insight-structure', runName: 'gepa big', optimizerType: 'gepa', status: 'completed' })).id;
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

  // MIPROv2: 5 predictors × (10 instructions + 10 demo sets), 100 trials with a full evaluation every 10
  const mipro = (await createOptimizationRun(scope, { projectId: 'bench-insight-structure', runName: 'mipro big', optimizerType: 'miprov2', status: 'completed' })).id;
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
  await db.sql`analyze`;

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['view 2 candidate pools (MIPROv2 100 trials × 5 predictors)', () => getCandidatePoolInsight(scope, mipro)],
    ['view 3 lineage tree (200 candidates × 500 instances)', () => getLineageTree(scope, gepa)],
    ['view 3 lineage tree with a focused candidate', () => getLineageTree(scope, gepa, { focus: '120' })],
    ['view 4 Pareto front, last step (500 instances)', () => getParetoFrontView(scope, gepa)],
    ['view 4 Pareto front, step 30', () => getParetoFrontView(scope, gepa, { step: 30 })],
    ['view 8 proposal audit, first page of 20', () => getProposalAudit(scope, gepa, { limit: 20 })],
  ];
  console.log('| view | p50 ms | p95 ms |\n|---|---|---|');
  for (const [name, call] of cases) {
    for (let i = 0; i < 5; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await call();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
    console.log(`| ${name} | ${at(0.5).toFixed(1)} | ${at(0.95).toFixed(1)} |`);
  }
} finally {
  await db.close();
}
