import Link from 'next/link';
import { StatusBadge } from '@/components/status-badge';
import type { ProjectOverview } from '@/lib/supabase-optimization';
import { formatCount, formatRelativeTime, formatScore } from '@/lib/format';

const date = (iso: string | null) => (iso ? new Date(iso) : null);

// A project on the home page: its numbers and latest runs; the whole header links to its runs.
export function ProjectCard({ project, now }: { project: ProjectOverview; now: Date }) {
  const { statusCounts } = project;
  const href = `/projects/${project.id}/runs`;
  return (
    <section
      aria-labelledby={`project-${project.id}`}
      data-testid="project-card"
      className="card group relative flex flex-col transition hover:border-indigo-300 dark:hover:border-indigo-500/50"
    >
      <div className="border-b border-zinc-100 p-5 dark:border-zinc-800">
        <div className="flex items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 id={`project-${project.id}`} className="truncate text-base font-semibold">
              <Link
                href={href}
                className="rounded-sm hover:text-indigo-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:hover:text-indigo-400"
              >
                {project.name}
              </Link>
            </h2>
            <p className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{project.id}</p>
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
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Runs</dt>
            <dd className="text-lg font-semibold tabular-nums">{project.runCount}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Best final score</dt>
            <dd className="text-lg font-semibold tabular-nums">{formatScore(project.bestFinalScore)}</dd>
          </div>
          <div>
            <dt className="text-xs text-zinc-500 dark:text-zinc-400">Last run</dt>
            <dd className="text-lg font-semibold sm:whitespace-nowrap">{project.lastRunAt ? formatRelativeTime(date(project.lastRunAt), now) : 'never'}</dd>
          </div>
        </dl>
        {project.runCount > 0 && (
          <p className="mt-3 text-xs text-zinc-500 dark:text-zinc-400">
            {formatCount(statusCounts.completed, 'completed', 'completed')}
            {statusCounts.running > 0 && ` · ${statusCounts.running} running`}
            {statusCounts.pending > 0 && ` · ${statusCounts.pending} pending`}
            {statusCounts.failed > 0 && ` · ${statusCounts.failed} failed`}
            {statusCounts.cancelled > 0 && ` · ${statusCounts.cancelled} cancelled`}
          </p>
        )}
      </div>
      {project.latestRuns.length === 0 ? (
        <div className="flex-1 p-5 text-sm text-zinc-500 dark:text-zinc-400">
          <p>No runs yet.</p>
          <p className="mt-1">
            Create an API key in{' '}
            <Link href={`/projects/${project.id}/settings`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
              settings
            </Link>{' '}
            and send runs from your DSPy script.
          </p>
        </div>
      ) : (
        <table className="w-full table-fixed text-sm">
          <caption className="sr-only">Latest runs of {project.name}</caption>
          <thead>
            <tr className="text-left text-xs text-zinc-500 dark:text-zinc-400">
              <th scope="col" className="py-2 pl-5 font-medium">Latest runs</th>
              <th scope="col" className="w-24 py-2 pl-3 font-medium sm:w-28">Status</th>
              <th scope="col" className="w-20 py-2 pr-5 pl-3 text-right font-medium sm:w-20 sm:pr-0">Score</th>
              <th scope="col" className="hidden w-32 py-2 pr-5 pl-3 text-right font-medium sm:table-cell">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {project.latestRuns.map((run) => (
              <tr key={run.id}>
                <td className="py-2 pl-5">
                  <Link
                    href={`/projects/${project.id}/runs/${run.id}`}
                    className="block truncate font-medium hover:text-indigo-600 hover:underline dark:hover:text-indigo-400"
                    title={run.runName}
                  >
                    {run.runName}
                  </Link>
                  <div className="text-xs text-zinc-500 dark:text-zinc-400">{run.optimizerType}</div>
                </td>
                <td className="py-2 pl-3"><StatusBadge status={run.status} /></td>
                <td className="py-2 pr-5 pl-3 text-right tabular-nums sm:pr-0" title={run.finalScore === null ? 'best so far' : 'final score'}>
                  {run.finalScore !== null ? formatScore(run.finalScore) : (
                    <span className="text-zinc-500 dark:text-zinc-400">{formatScore(run.bestScore)}</span>
                  )}
                </td>
                <td className="hidden py-2 pr-5 pl-3 text-right text-xs whitespace-nowrap text-zinc-500 dark:text-zinc-400 sm:table-cell">
                  {formatRelativeTime(new Date(run.createdAt), now)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Link
        href={href}
        className="border-t border-zinc-100 px-5 py-2.5 text-sm font-medium text-indigo-600 hover:bg-zinc-50 dark:border-zinc-800 dark:text-indigo-400 dark:hover:bg-zinc-800/50 rounded-b-xl"
      >
        {/* the accessible name starts with the visible words, then says which project */}
        Open project<span className="sr-only"> {project.name}</span>
        <span aria-hidden> →</span>
      </Link>
    </section>
  );
}
