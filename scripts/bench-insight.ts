// Server time of the insight views' data-layer reads (issue 15, views 1, 5, 6, 7, 9) on a
// MIPROv2-shaped run of 100 trials × 5 predictors: 100 minibatch trials of 35 examples, a full
// evaluation on 300 validation examples every 3 trials (34), usage by role on each, 13,700
// samples. A fresh PostgreSQL database; reads as a project member under RLS.
//   node --conditions=react-server scripts/bench-insight.ts [rounds]
import {
  batchCreateOptimizationSamples,
  createOptimizationIterations,
  createOptimizationRun,
  getCostSummary,
  getExampleFlips,
  getNoiseSummary,
  getSettingsOutcomes,
  getTrialSeries,
  userScope,
} from '../lib/supabase-optimization/index.ts';
import { createTestDatabase } from '../tests/helpers/databases.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';

const rounds = Number(process.argv[2] ?? 60);
const db = await createTestDatabase('postgres');
try {
  const user = await createUser(db.sql, 'bench');
  await createProject(db.sql, 'bench-insight', [[user, 'owner']]);
  const scope = userScope(user.claims, db.sql);
  const run = await createOptimizationRun(scope, {
    projectId: 'bench-insight',
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
  await db.sql`analyze`;
  console.log(`run: ${iterations.length} iterations, ${samples.length} samples`);

  const views: Array<[string, () => Promise<unknown>]> = [
    ['view 1 trials (getTrialSeries)', () => getTrialSeries(scope, run.id)],
    ['view 5 flips (getExampleFlips)', () => getExampleFlips(scope, run.id)],
    ['view 6 noise (getNoiseSummary)', () => getNoiseSummary(scope, run.id)],
    ['view 7 cost (getCostSummary)', () => getCostSummary(scope, run.id)],
    ['view 9 settings (getSettingsOutcomes)', () => getSettingsOutcomes(scope, 'bench-insight')],
  ];
  console.log('| view | p50 ms | p95 ms |\n|---|---|---|');
  for (const [name, read] of views) {
    for (let i = 0; i < 5; i++) await read();
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      await read();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
    console.log(`| ${name} | ${q(0.5)} | ${q(0.95)} |`);
  }
} finally {
  await db.close();
}
