import { describe, expect, it } from 'vitest';
import {
  createOptimizationIteration,
  createOptimizationRun,
  createProject,
  getBestOptimizationIteration,
  getTopRunsByScore,
  listOptimizationRuns,
  updateOptimizationRun,
  userScope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createUser } from '../helpers/fixtures.ts';
import { useDatabase } from './helpers.ts';

// The schema document's "TypeScript Integration" usage example, changed only by passing
// the caller's scope first.
describe.each(ENGINES)('the schema document usage example on %s', (engine) => {
  const db = useDatabase(engine);

  it('runs as documented and gives the documented results', async () => {
    const user = await createUser(db().sql, 'example');
    const scope = userScope(user.claims, db().sql);
    await createProject(scope, { id: 'proj_123', name: 'Project 123' });

    // Create a new run
    const run = await createOptimizationRun(scope, {
      projectId: 'proj_123',
      runName: 'Experiment 1',
      optimizerType: 'miprov2',
      config: {
        optimizer: 'miprov2',
        metric: 'accuracy',
        miprov2: {
          metric: 'accuracy',
          num_candidates: 10,
          init_temperature: 1.0,
        },
      },
      tags: ['production', 'v2'],
    });

    // Update run with results
    await updateOptimizationRun(scope, run.id, {
      status: 'completed',
      finalScore: 0.9234,
      iterations: 10,
      samplesEvaluated: 100,
    });

    // List runs with filters
    const { data, total } = await listOptimizationRuns(scope, {
      projectId: 'proj_123',
      status: 'completed',
      minScore: 0.8,
      orderBy: 'final_score',
      orderDirection: 'desc',
      limit: 20,
    });

    // Add iteration
    await createOptimizationIteration(scope, {
      runId: run.id,
      iteration: 1,
      score: 0.85,
      params: { temperature: 0.7, num_demos: 5 },
    });

    // Get leaderboard
    const topRuns = await getTopRunsByScore(scope, 'proj_123', 10);

    expect(run).toMatchObject({
      projectId: 'proj_123',
      runName: 'Experiment 1',
      optimizerType: 'miprov2',
      status: 'pending',
      tags: ['production', 'v2'],
      config: { optimizer: 'miprov2', metric: 'accuracy', miprov2: { metric: 'accuracy', num_candidates: 10, init_temperature: 1 } },
      createdBy: user.id,
    });
    expect(total).toBe(1);
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      id: run.id,
      status: 'completed',
      finalScore: 0.9234,
      iterations: 10,
      samplesEvaluated: 100,
    });
    expect(data[0]!.endedAt).not.toBeNull();
    const best = await getBestOptimizationIteration(scope, run.id);
    expect(best).toMatchObject({ runId: run.id, iteration: 1, score: 0.85, isBest: true, params: { temperature: 0.7, num_demos: 5 } });
    expect(topRuns.map((r) => [r.id, r.runName, r.finalScore])).toEqual([[run.id, 'Experiment 1', 0.9234]]);
    // the iteration trigger now owns the run's iteration statistics
    expect(topRuns[0]).toMatchObject({ status: 'completed', iterations: 1, bestScore: 0.85 });
  });
});
