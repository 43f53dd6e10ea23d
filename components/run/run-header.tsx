import { LiveRefresh } from '@/components/live-refresh';
import { BackToRuns } from '@/components/runs/runs-list-memory';
import { StatusBadge } from '@/components/status-badge';
import type { OptimizationRun } from '@/lib/supabase-optimization';
import { elapsedSince, formatDuration, formatRelativeTime, formatTimestamp } from '@/lib/format';

export function RunHeader({ run, exportBase }: { run: OptimizationRun; exportBase: string }) {
  const live = run.status === 'running' || run.status === 'pending';
  // a running run's duration so far
  const duration = run.durationMs ?? (live ? elapsedSince(run.startedAt) : null);
  return (
    <header data-testid="run-header" className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <BackToRuns
          projectId={run.projectId}
          className="rounded text-zinc-500 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:text-zinc-200"
        />
      </nav>
      <div className="flex flex-col gap-3 lg:flex-row lg:items-start lg:justify-between">
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
            <h1 className="text-2xl font-semibold tracking-tight break-words">{run.runName}</h1>
            <span data-testid="run-status" data-status={run.status}>
              <StatusBadge status={run.status} />
            </span>
            {live && <LiveRefresh projectId={run.projectId} runId={run.id} />}
          </div>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="rounded-md bg-indigo-50 px-2 py-0.5 font-mono text-xs font-medium text-indigo-700 ring-1 ring-indigo-600/20 ring-inset dark:bg-indigo-400/10 dark:text-indigo-300 dark:ring-indigo-400/30">
              {run.optimizerType}
            </span>
            {run.tags.map((tag) => (
              <span
                key={tag}
                className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
              >
                #{tag}
              </span>
            ))}
            <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400" title="Run id">
              {run.id}
            </span>
          </div>
          {run.description && <p className="max-w-3xl text-sm text-zinc-600 dark:text-zinc-400">{run.description}</p>}
        </div>
        <div className="flex shrink-0 flex-wrap gap-2">
          <a
            className="btn"
            href={`${exportBase}?format=csv&what=iterations`}
            download
            data-testid="export-csv"
            aria-label="Export iterations as CSV"
          >
            <DownloadIcon /> CSV
          </a>
          <a
            className="btn"
            href={`${exportBase}?format=json&what=run`}
            download
            data-testid="export-json"
            aria-label="Export the run with its iterations and samples as JSON"
          >
            <DownloadIcon /> JSON
          </a>
        </div>
      </div>

      <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
        <Meta label="Created" iso={run.createdAt} />
        <Meta label="Started" iso={run.startedAt} />
        <Meta label="Ended" iso={run.endedAt} fallback={run.status === 'running' ? 'still running' : run.status === 'pending' ? 'not started' : '—'} />
        <div>
          <dt className="muted text-xs">{run.status === 'running' && !run.durationMs ? 'Running for' : 'Duration'}</dt>
          <dd className="font-medium tabular-nums">{formatDuration(duration)}</dd>
        </div>
      </dl>

      {run.errorMessage && (
        <div
          role="alert"
          className="rounded-lg border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800 dark:border-rose-500/30 dark:bg-rose-500/10 dark:text-rose-200"
        >
          <p className="font-medium">The run {run.status === 'failed' ? 'failed' : 'reported an error'}</p>
          <p className="mt-1 font-mono text-xs break-words whitespace-pre-wrap">{run.errorMessage}</p>
        </div>
      )}
    </header>
  );
}

function Meta({ label, iso, fallback = '—' }: { label: string; iso: string | null; fallback?: string }) {
  return (
    <div>
      <dt className="muted text-xs">{label}</dt>
      <dd className="font-medium">
        {iso ? (
          <time dateTime={iso} title={formatTimestamp(iso)}>
            {formatRelativeTime(new Date(iso))}
            <span className="muted ml-1.5 hidden text-xs font-normal xl:inline">{formatTimestamp(iso)}</span>
          </time>
        ) : (
          <span className="muted font-normal">{fallback}</span>
        )}
      </dd>
    </div>
  );
}

function DownloadIcon() {
  return (
    <svg aria-hidden width="14" height="14" viewBox="0 0 20 20" fill="currentColor">
      <path d="M10 3a1 1 0 0 1 1 1v7.59l2.3-2.3a1 1 0 1 1 1.4 1.42l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.42L9 11.59V4a1 1 0 0 1 1-1ZM4 15a1 1 0 0 1 1 1v1h10v-1a1 1 0 1 1 2 0v2a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-2a1 1 0 0 1 1-1Z" />
    </svg>
  );
}
