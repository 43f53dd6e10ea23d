// Server time of the insight views' data-layer reads (issue 15, views 1, 5, 6, 7, 9) on a
// MIPROv2-shaped run of 100 trials × 5 predictors: 100 minibatch trials of 35 examples, a full
// evaluation on 300 validation examples every 3 trials (34), usage by role on each, 13,700
// samples. A fresh PostgreSQL database; reads as a project member under RLS.
//   node --conditions=react-server scripts/bench-insight.ts [rounds]
import { getCostSummary, getExampleFlips, getNoiseSummary, getSettingsOutcomes, getTrialSeries, userScope } from '../lib/supabase-optimization/index.ts';
import { printViewTimings, seedBigMiproTrialsRun } from './bench/insight-runs.ts';
import { createTestDatabase } from '../tests/helpers/databases.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';

const rounds = Number(process.argv[2] ?? 60);
const db = await createTestDatabase('postgres');
try {
  const user = await createUser(db.sql, 'bench');
  await createProject(db.sql, 'bench-insight', [[user, 'owner']]);
  const scope = userScope(user.claims, db.sql);
  const { runId, iterations, samples } = await seedBigMiproTrialsRun(scope, 'bench-insight');
  const run = { id: runId };
  await db.sql`analyze`;
  console.log(`run: ${iterations} iterations, ${samples} samples`);

  const views: Array<[string, () => Promise<unknown>]> = [
    ['view 1 trials (getTrialSeries)', () => getTrialSeries(scope, run.id)],
    ['view 5 flips (getExampleFlips)', () => getExampleFlips(scope, run.id)],
    ['view 6 noise (getNoiseSummary)', () => getNoiseSummary(scope, run.id)],
    ['view 7 cost (getCostSummary)', () => getCostSummary(scope, run.id)],
    ['view 9 settings (getSettingsOutcomes)', () => getSettingsOutcomes(scope, 'bench-insight')],
  ];
  await printViewTimings(views, rounds);
} finally {
  await db.close();
}
