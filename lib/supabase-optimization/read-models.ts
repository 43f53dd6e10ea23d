import type { ProjectAnalytics, RefreshResult } from './dto-schemas.ts';
import { toDto, type AnalyticsRow, type OptimizationRunSummary, type TopRun } from './dto.ts';
import { ForbiddenError, NotFoundError, parseInput } from './errors.ts';
import { assertUuid } from './runs.ts';
import { DEFAULT_LEADERBOARD_LIMIT, MAX_LEADERBOARD_LIMIT, projectIdSchema } from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectOfRun, readInScope, type Scope } from './scope.ts';
import { z } from 'zod';

// get_optimization_run_summary's row, read here with the project named on both tables (the
// function takes the run id only, so a distributed database could not route it).
export async function getOptimizationRunSummary(scope: Scope, runId: string): Promise<OptimizationRunSummary> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [[row]] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`
      select r.id as run_id, r.project_id, r.run_name, r.optimizer_type, r.status, r.tags,
             r.initial_score, r.final_score, r.best_score, r.improvement, r.improvement_pct,
             r.iterations, b.iteration as best_iteration, b.score as best_iteration_score,
             r.samples_evaluated, r.samples_successful, r.samples_failed,
             case when r.samples_evaluated > 0
               then round(r.samples_successful::numeric / r.samples_evaluated, 4) end as success_rate,
             r.total_tokens, r.total_cost_usd, r.avg_latency_ms,
             r.started_at, r.ended_at, r.duration_ms, r.created_at, r.updated_at
      from optimization_runs r
      left join optimization_iterations b on b.project_id = ${projectId} and b.run_id = r.id and b.is_best
      where r.project_id = ${projectId} and r.id = ${runId}
    `,
  ]);
  if (!row) throw new NotFoundError('run', runId);
  return toDto<OptimizationRunSummary>(row);
}

// Top completed runs of a project by final score (empty for a project the caller cannot see).
export async function getTopRunsByScore(scope: Scope, projectId: string, limit = DEFAULT_LEADERBOARD_LIMIT): Promise<TopRun[]> {
  const args = parseInput(
    z.object({ projectId: projectIdSchema, limit: z.number().int().min(1).max(MAX_LEADERBOARD_LIMIT) }),
    { projectId, limit },
  );
  const [rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`select * from get_top_runs_by_score(${args.projectId}, ${args.limit})`,
  ]);
  return rows.map((r) => toDto<TopRun>(r));
}

// Pre-aggregated analytics of the caller's projects only (the materialized view itself
// is never readable by callers; see project_optimization_analytics).
export async function getOptimizationAnalytics(
  scope: Scope,
  options: { projectId?: string } = {},
): Promise<ProjectAnalytics> {
  const projectId = options.projectId === undefined ? undefined : parseInput(projectIdSchema, options.projectId, 'projectId');
  const [rows, [refresh]] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`
      select * from project_optimization_analytics
      ${projectId ? tx`where project_id = ${projectId}` : tx``}
      order by project_id, optimizer_type, status
    `,
    tx<{ at: string | null }[]>`select get_optimization_analytics_last_refresh() as at`,
  ]);
  return {
    rows: rows.map((r) => toDto<AnalyticsRow>(r)),
    lastRefreshedAt: refresh?.at ?? null,
  };
}

// Owners and admins only, throttled in the database across server processes
// (private.refresh_optimization_analytics_throttled): at most one refresh in flight and
// minIntervalSeconds between two. A throttled call returns at once with refreshed = false
// and retryAfterSeconds instead of queueing.
export async function refreshOptimizationAnalytics(scope: Scope, options: { minIntervalSeconds: number }): Promise<RefreshResult> {
  try {
    return await inScope(scope, async (tx) => {
      const [row] = await tx<{ refreshed: boolean; refreshed_at: string | null; duration_ms: number | null; retry_after_seconds: number | null }[]>`
        select * from private.refresh_optimization_analytics_throttled(${options.minIntervalSeconds}::integer)
      `;
      return {
        refreshed: row?.refreshed ?? false,
        refreshedAt: row?.refreshed_at ?? null,
        durationMs: row?.duration_ms ?? null,
        retryAfterSeconds: row?.retry_after_seconds ?? null,
      };
    });
  } catch (error) {
    if (isInsufficientPrivilege(error)) {
      throw new ForbiddenError('only project owners and admins can refresh analytics');
    }
    throw error;
  }
}
