import { NotFoundError } from './errors.ts';
import { assertUuid } from './runs.ts';
import { inScope, projectOfRuns, type Scope } from './scope.ts';

export interface IterationScore {
  iteration: number;
  score: number | null;
}

// Scores per iteration of several runs without their params and program states: what a
// comparison chart needs. Every run must be visible to the caller (or it is "not found").
export async function listOptimizationIterationScores(
  scope: Scope,
  runIds: string[],
): Promise<Map<string, IterationScore[]>> {
  runIds.forEach((id) => assertUuid(id, 'runIds'));
  const projectId = await projectOfRuns(scope, runIds);
  if (projectId === null) {
    if (runIds.length > 0) throw new NotFoundError('run', runIds[0]);
    return new Map();
  }
  return inScope(scope, async (tx) => {
    const [runs, rows] = await Promise.all([
      tx<{ id: string }[]>`select id from optimization_runs where project_id = ${projectId} and id = any(${runIds}::uuid[])`,
      tx<{ run_id: string; iteration: number; score: number | null }[]>`
        select run_id, iteration, score from optimization_iterations
        where project_id = ${projectId} and run_id = any(${runIds}::uuid[])
        order by run_id, iteration
      `,
    ]);
    const missing = runIds.find((id) => !runs.some((r) => r.id === id));
    if (missing) throw new NotFoundError('run', missing);
    const out = new Map<string, IterationScore[]>(runIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.run_id)?.push({ iteration: row.iteration, score: row.score });
    return out;
  });
}
