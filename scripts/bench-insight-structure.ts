// Server time of the optimizer structure views (issue 15, views 2, 3, 4, 8) on a big GEPA
// run (200 candidates × 500 validation instances, 60 Pareto snapshots, 400 proposals) and a
// MIPROv2 run (100 trials × 5 predictors), through the data layer as a member under RLS on
// a fresh PostgreSQL database. Prints p50 / p95 of each call.
//   node --conditions=react-server scripts/bench-insight-structure.ts
import { getCandidatePoolInsight, getLineageTree, getParetoFrontView, getProposalAudit, userScope } from '../lib/supabase-optimization/index.ts';
import { printViewTimings, seedBigGepaRun, seedBigMiproPoolRun } from './bench/insight-runs.ts';
import { createTestDatabase } from '../tests/helpers/databases.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';

const ROUNDS = 40;

const db = await createTestDatabase('postgres');
try {
  const user = await createUser(db.sql, 'bench');
  await createProject(db.sql, 'bench-insight-structure', [[user, 'owner']]);
  const scope = userScope(user.claims, db.sql);

  const gepa = await seedBigGepaRun(scope, 'bench-insight-structure');
  const mipro = await seedBigMiproPoolRun(scope, 'bench-insight-structure');
  await db.sql`analyze`;

  const cases: Array<[string, () => Promise<unknown>]> = [
    ['view 2 candidate pools (MIPROv2 100 trials × 5 predictors)', () => getCandidatePoolInsight(scope, mipro)],
    ['view 3 lineage tree (200 candidates × 500 instances)', () => getLineageTree(scope, gepa)],
    ['view 3 lineage tree with a focused candidate', () => getLineageTree(scope, gepa, { focus: '120' })],
    ['view 4 Pareto front, last step (500 instances)', () => getParetoFrontView(scope, gepa)],
    ['view 4 Pareto front, step 30', () => getParetoFrontView(scope, gepa, { step: 30 })],
    ['view 8 proposal audit, first page of 20', () => getProposalAudit(scope, gepa, { limit: 20 })],
  ];
  await printViewTimings(cases, ROUNDS);
} finally {
  await db.close();
}
