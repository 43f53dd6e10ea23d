import { StatusBadge } from '@/components/status-badge';
import { formatCount, formatRelativeTime, formatScore } from '@/lib/format';
import type { ProjectOverview } from '@/lib/home/overview';

export function ProjectCard({ project, now }: { project: ProjectOverview; now: Date }) {
  const { statusCounts } = project;
  return (
    <section className="flex flex-col rounded-xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
      <div className="border-b border-zinc-100 p-5 dark:border-zinc-800">
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 className="truncate text-base font-semibold">{project.name}</h2>
            <p className="font-mono text-xs text-zinc-500">{project.id}</p>
          </div>
          {project.role && (
            <span className="shrink-0 rounded-md bg-zinc-100 px-2 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
              {project.role}
            </span>
          )}
        </div>
        {project.description && (
          <p className="mt-2 line-clamp-2 text-sm text-zinc-600 dark:text-zinc-400">{project.description}</p>
        )}
        <dl className="mt-4 grid grid-cols-3 gap-3 text-sm">
          <div>
            <dt className="text-xs text-zinc-500">Runs</dt>
            <dd className="text-lg font-semibold tabular-nums">{project.runCount}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Best final score</dt>
            <dd className="text-lg font-semibold tabular-nums">{formatScore(project.bestFinalScore)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500">Last run</dt>
            <dd className="text-lg font-semibold whitespace-nowrap">{formatRelativeTime(project.lastRunAt, now)}</dd>
          </div>
        </dl>
        <p className="mt-3 text-xs text-zinc-500">
          {formatCount(statusCounts.completed, 'completed', 'completed')}
          {statusCounts.running > 0 && ` · ${statusCounts.running} running`}
          {statusCounts.pending > 0 && ` · ${statusCounts.pending} pending`}
          {statusCounts.failed > 0 && ` · ${statusCounts.failed} failed`}
          {statusCounts.cancelled > 0 && ` · ${statusCounts.cancelled} cancelled`}
        </p>
      </div>
      {project.latestRuns.length === 0 ? (
        <p className="p-5 text-sm text-zinc-500">No runs yet.</p>
      ) : (
        <table className="w-full table-fixed text-sm">
          <caption className="sr-only">Latest runs of {project.name}</caption>
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="py-2 pl-5 font-medium">Latest runs</th>
              <th scope="col" className="w-28 py-2 pl-3 font-medium">Status</th>
              <th scope="col" className="w-20 py-2 pl-3 text-right font-medium">Score</th>
              <th scope="col" className="w-32 py-2 pr-5 pl-3 text-right font-medium">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {project.latestRuns.map((run) => (
              <tr key={run.id}>
                <td className="py-2 pl-5">
                  <div className="truncate font-medium" title={run.runName}>{run.runName}</div>
                  <div className="text-xs text-zinc-500">{run.optimizerType}</div>
                </td>
                <td className="py-2 pl-3"><StatusBadge status={run.status} /></td>
                <td className="py-2 pl-3 text-right tabular-nums" title={run.finalScore === null ? 'best so far' : 'final score'}>
                  {run.finalScore !== null ? formatScore(run.finalScore) : (
                    <span className="text-zinc-400">{formatScore(run.bestScore)}</span>
                  )}
                </td>
                <td className="py-2 pr-5 pl-3 text-right text-xs whitespace-nowrap text-zinc-500">{formatRelativeTime(run.createdAt, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
