import { NotFoundError } from './errors.ts';
import { assertUuid } from './runs.ts';
import { inScope, projectOfRun, type Scope } from './scope.ts';

export interface SampleIterationCount {
  iteration: number;
  samples: number;
  errors: number;
}

// How many samples (and failed ones) each iteration of a run has stored: the options of
// the dashboard's per-iteration sample filter. Served by the (run_id, iteration, sample_index) index.
export async function countOptimizationSamplesByIteration(scope: Scope, runId: string): Promise<SampleIterationCount[]> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  return inScope(scope, async (tx) => {
    const [run, rows] = await Promise.all([
      tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
      tx<{ iteration: number; samples: number; errors: number }[]>`
        select iteration, count(*)::int as samples, count(error)::int as errors
        from optimization_samples where project_id = ${projectId} and run_id = ${runId}
        group by iteration order by iteration
      `,
    ]);
    if (run.length === 0) throw new NotFoundError('run', runId);
    return rows.map((r) => ({ iteration: r.iteration, samples: r.samples, errors: r.errors }));
  });
}
