import 'server-only';
import { withUserScope, type Claims } from '../db/index.ts';

export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface LatestRun {
  id: string;
  runName: string;
  optimizerType: string;
  status: RunStatus;
  finalScore: number | null;
  bestScore: number | null;
  createdAt: Date;
}

export interface ProjectOverview {
  id: string;
  name: string;
  description: string | null;
  role: string | null;
  runCount: number;
  statusCounts: Record<RunStatus, number>;
  bestFinalScore: number | null;
  lastRunAt: Date | null;
  latestRuns: LatestRun[];
}

const LATEST_RUNS = 5;

// The projects the caller can see (RLS decides), most recently active first, with run
// counts and their latest runs.
export async function getProjectOverviews(claims: Claims): Promise<ProjectOverview[]> {
  return withUserScope(claims, async (tx) => {
    const projects = await tx<{
      id: string;
      name: string;
      description: string | null;
      role: string | null;
      run_count: number;
      pending: number;
      running: number;
      completed: number;
      failed: number;
      cancelled: number;
      best_final_score: number | null;
      last_run_at: Date | null;
    }[]>`
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
    const runs = await tx<{
      id: string;
      project_id: string;
      run_name: string;
      optimizer_type: string;
      status: RunStatus;
      final_score: number | null;
      best_score: number | null;
      created_at: Date;
    }[]>`
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
    return projects.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      role: p.role,
      runCount: p.run_count,
      statusCounts: {
        pending: p.pending,
        running: p.running,
        completed: p.completed,
        failed: p.failed,
        cancelled: p.cancelled,
      },
      bestFinalScore: p.best_final_score,
      lastRunAt: p.last_run_at,
      latestRuns: runs
        .filter((r) => r.project_id === p.id)
        .map((r) => ({
          id: r.id,
          runName: r.run_name,
          optimizerType: r.optimizer_type,
          status: r.status,
          finalScore: r.final_score,
          bestScore: r.best_score,
          createdAt: r.created_at,
        })),
    }));
  });
}
