import { toDto, type ProjectRole, type RunStatus } from './dto.ts';
import { inScope, type Scope } from './scope.ts';

export interface ProjectOverviewRun {
  id: string;
  runName: string;
  optimizerType: string;
  status: RunStatus;
  finalScore: number | null;
  bestScore: number | null;
  createdAt: string;
}

export interface ProjectOverview {
  id: string;
  name: string;
  description: string | null;
  role: ProjectRole | null;
  runCount: number;
  statusCounts: Record<RunStatus, number>;
  bestFinalScore: number | null;
  lastRunAt: string | null;
  latestRuns: ProjectOverviewRun[];
}

const LATEST_RUNS = 5;

// The projects the caller can see (RLS decides), most recently active first, with run
// counts per status and their latest runs: the projects home page in two queries.
export async function listProjectOverviews(scope: Scope): Promise<ProjectOverview[]> {
  return inScope(scope, async (tx) => {
    const projects = await tx<Record<string, unknown>[]>`
      select p.id, p.name, p.description, m.role,
             count(r.id)::int as run_count,
             count(r.id) filter (where r.status = 'pending')::int as pending,
             count(r.id) filter (where r.status = 'running')::int as running,
             count(r.id) filter (where r.status = 'completed')::int as completed,
             count(r.id) filter (where r.status = 'failed')::int as failed,
             count(r.id) filter (where r.status = 'cancelled')::int as cancelled,
             max(r.final_score) filter (where r.status = 'completed') as best_final_score,
             max(r.created_at) as last_run_at
      from project_config p
      left join project_members m on m.project_id = p.id and m.user_id = (select auth.uid())
      left join optimization_runs r on r.project_id = p.id
      group by p.id, m.role
      order by max(r.created_at) desc nulls last, p.name, p.id
    `;
    const runs = await tx<Record<string, unknown>[]>`
      select r.id, r.project_id, r.run_name, r.optimizer_type, r.status, r.final_score,
             r.best_score, r.created_at
      from project_config p
      cross join lateral (
        select * from optimization_runs r
        where r.project_id = p.id
        order by r.created_at desc, r.id desc
        limit ${LATEST_RUNS}
      ) r
      order by r.created_at desc, r.id desc
    `;
    const latest = new Map<string, ProjectOverviewRun[]>();
    for (const row of runs) {
      const { projectId, ...run } = toDto<ProjectOverviewRun & { projectId: string }>(row);
      latest.set(projectId, [...(latest.get(projectId) ?? []), run]);
    }
    return projects.map((row) => {
      const p = toDto<{
        id: string;
        name: string;
        description: string | null;
        role: ProjectRole | null;
        runCount: number;
        bestFinalScore: number | null;
        lastRunAt: string | null;
      } & Record<RunStatus, number>>(row);
      return {
        id: p.id,
        name: p.name,
        description: p.description,
        role: p.role,
        runCount: p.runCount,
        statusCounts: {
          pending: p.pending,
          running: p.running,
          completed: p.completed,
          failed: p.failed,
          cancelled: p.cancelled,
        },
        bestFinalScore: p.bestFinalScore,
        lastRunAt: p.lastRunAt,
        latestRuns: latest.get(p.id) ?? [],
      };
    });
  });
}
