import Link from 'next/link';
import { RUN_COLORS } from '@/components/charts/chart-utils';
import { StatusBadge } from '@/components/status-badge';
import { bestShown } from '@/lib/dashboard/compare';
import type { OptimizationRun } from '@/lib/supabase-optimization';
import { formatCost, formatDuration, formatLatency, formatScore, formatSignedPct, formatSignedScore, formatTimestamp, formatTokens } from '@/lib/format';
import { deltaTone } from '@/components/delta-tone';

interface Metric {
  label: string;
  value: (run: OptimizationRun) => number | null;
  format: (value: number | null) => string;
  better?: 'higher' | 'lower';
  tone?: boolean;
}

const METRICS: Metric[] = [
  { label: 'Initial score', value: (r) => r.initialScore, format: formatScore, better: 'higher' },
  { label: 'Final score', value: (r) => r.finalScore, format: formatScore, better: 'higher' },
  { label: 'Best score', value: (r) => r.bestScore, format: formatScore, better: 'higher' },
  { label: 'Improvement', value: (r) => r.improvement, format: formatSignedScore, better: 'higher', tone: true },
  { label: 'Improvement %', value: (r) => r.improvementPct, format: formatSignedPct, better: 'higher', tone: true },
  { label: 'Iterations', value: (r) => r.iterations, format: (v) => (v === null ? '—' : v.toLocaleString('en-US')) },
  { label: 'Samples evaluated', value: (r) => r.samplesEvaluated, format: (v) => (v === null ? '—' : v.toLocaleString('en-US')) },
  { label: 'Cost', value: (r) => r.totalCostUsd, format: formatCost, better: 'lower' },
  { label: 'Tokens', value: (r) => r.totalTokens, format: formatTokens, better: 'lower' },
  { label: 'Avg latency', value: (r) => r.avgLatencyMs, format: formatLatency, better: 'lower' },
  { label: 'Duration', value: (r) => r.durationMs, format: formatDuration, better: 'lower' },
];

// Final metrics of the compared runs, one column per run; the best value of each row stands out.
export function CompareTable({ runs, projectId }: { runs: OptimizationRun[]; projectId: string }) {
  const removeHref = (id: string) =>
    `/projects/${projectId}/compare?runs=${runs
      .filter((r) => r.id !== id)
      .map((r) => r.id)
      .join(',')}`;
  return (
    <div className="overflow-x-auto">
      <table data-testid="compare-table" className="w-full text-sm" style={{ minWidth: 150 + runs.length * 190 }}>
        <caption className="sr-only">Metrics of the compared runs; the best value of each row is marked “best”</caption>
        <colgroup>
          <col className="w-40" />
        </colgroup>
        <thead>
          <tr className="border-b border-zinc-200 align-top dark:border-zinc-800">
            <th scope="col" className="sticky left-0 z-10 bg-white px-4 py-3 text-left text-xs font-medium tracking-wide text-zinc-500 uppercase dark:bg-zinc-900 dark:text-zinc-400">
              Run
            </th>
            {runs.map((run, i) => (
              <th key={run.id} scope="col" className="px-3 py-3 text-left font-normal" data-run={run.id}>
                <div className="flex items-start gap-2">
                  <span aria-hidden className="mt-1.5 size-2.5 shrink-0 rounded-full" style={{ background: RUN_COLORS[i] }} />
                  <div className="min-w-0 space-y-1">
                    <Link
                      href={`/projects/${projectId}/runs/${run.id}`}
                      className="block font-semibold break-words text-zinc-900 hover:text-indigo-600 hover:underline dark:text-zinc-100 dark:hover:text-indigo-400"
                    >
                      {run.runName}
                    </Link>
                    <div className="flex flex-wrap items-center gap-1.5">
                      <StatusBadge status={run.status} />
                      <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{run.optimizerType}</span>
                    </div>
                    <div className="muted text-xs">{formatTimestamp(run.createdAt)}</div>
                    {runs.length > 2 && (
                      <Link href={removeHref(run.id)} className="text-xs text-zinc-500 hover:text-rose-600 hover:underline dark:text-zinc-400">
                        Remove<span className="sr-only"> {run.runName} from the comparison</span>
                      </Link>
                    )}
                  </div>
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {METRICS.map((metric) => {
            const values = runs.map(metric.value);
            const bests = bestShown(values, metric.format, metric.better);
            return (
              <tr key={metric.label}>
                <th scope="row" className="sticky left-0 z-10 bg-white px-4 py-2 text-left text-xs font-medium whitespace-nowrap text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
                  {metric.label}
                  {metric.better && (
                    <span className="ml-1 font-normal text-zinc-500 dark:text-zinc-400" title={`${metric.better} is better`}>
                      {metric.better === 'higher' ? '↑' : '↓'}
                    </span>
                  )}
                </th>
                {values.map((value, i) => {
                  const best = bests[i]!;
                  return (
                    <td
                      key={runs[i]!.id}
                      data-best={best || undefined}
                      className={`px-3 py-2 font-mono whitespace-nowrap tabular-nums ${metric.tone ? deltaTone(value) : ''} ${
                        best ? 'font-semibold' : ''
                      }`}
                    >
                      <span
                        className={
                          best
                            ? 'rounded bg-emerald-50 px-1.5 py-0.5 ring-1 ring-emerald-600/20 ring-inset dark:bg-emerald-400/10 dark:ring-emerald-400/30'
                            : ''
                        }
                      >
                        {metric.format(value)}
                      </span>
                      {best && <span className="sr-only"> (best)</span>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
