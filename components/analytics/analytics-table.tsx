import { StatusBadge } from '@/components/status-badge';
import type { AnalyticsRow } from '@/lib/supabase-optimization';
import { formatCost, formatDuration, formatRelativeTime, formatScore, formatSignedScore, formatTimestamp, formatTokens } from '@/lib/format';

// Every (optimizer, status) row of the analytics view, grouped by optimizer, with totals.
export function AnalyticsTable({ rows, now }: { rows: AnalyticsRow[]; now: Date }) {
  const groups: Array<{ optimizerType: string; rows: AnalyticsRow[] }> = [];
  for (const row of rows) {
    const last = groups.at(-1);
    if (last?.optimizerType === row.optimizerType) last.rows.push(row);
    else groups.push({ optimizerType: row.optimizerType, rows: [row] });
  }
  const sum = (key: 'runCount' | 'totalCostUsd' | 'totalTokens' | 'totalIterations') =>
    rows.reduce((total, r) => total + r[key], 0);
  const cell = 'px-3 py-2 text-right tabular-nums whitespace-nowrap';

  return (
    <div className="card relative overflow-x-auto">
      <table className="w-full min-w-[64rem] text-sm" data-testid="analytics-table">
        <caption className="sr-only">Runs, scores and spend per optimizer and status</caption>
        <thead className="table-head">
          <tr>
            <th scope="col" className="px-4 py-2.5">Optimizer</th>
            <th scope="col" className="px-3 py-2.5">Status</th>
            <th scope="col" className="px-3 py-2.5 text-right">Runs</th>
            <th scope="col" className="px-3 py-2.5 text-right whitespace-nowrap">Avg final</th>
            <th scope="col" className="px-3 py-2.5 text-right whitespace-nowrap">Best final</th>
            <th scope="col" className="px-3 py-2.5 text-right whitespace-nowrap">Avg improvement</th>
            <th scope="col" className="px-3 py-2.5 text-right">Spend</th>
            <th scope="col" className="px-3 py-2.5 text-right">Tokens</th>
            <th scope="col" className="px-3 py-2.5 text-right">Iterations</th>
            <th scope="col" className="px-3 py-2.5 text-right whitespace-nowrap">Avg duration</th>
            <th scope="col" className="px-4 py-2.5 text-right whitespace-nowrap">Last run</th>
          </tr>
        </thead>
        {groups.map((group) => (
          <tbody key={group.optimizerType} className="border-t border-zinc-200 dark:border-zinc-800">
            {group.rows.map((row, i) => (
              <tr key={row.status} data-testid="analytics-row" data-optimizer={row.optimizerType} data-status={row.status}>
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={group.rows.length} className="px-4 pt-2.5 pb-2 text-left align-top font-mono text-xs font-medium">
                    {group.optimizerType}
                  </th>
                )}
                <td className="px-3 py-2">
                  <StatusBadge status={row.status} />
                </td>
                <td className={cell}>{row.runCount.toLocaleString('en-US')}</td>
                <td className={cell}>{formatScore(row.avgFinalScore)}</td>
                <td className={cell}>{formatScore(row.bestFinalScore)}</td>
                <td className={cell}>{formatSignedScore(row.avgImprovement)}</td>
                <td className={cell}>{formatCost(row.totalCostUsd)}</td>
                <td className={cell}>{formatTokens(row.totalTokens)}</td>
                <td className={cell}>{row.totalIterations.toLocaleString('en-US')}</td>
                <td className={cell}>{formatDuration(row.avgDurationMs)}</td>
                <td className="px-4 py-2 text-right text-xs whitespace-nowrap">
                  <time dateTime={row.lastRunAt} title={formatTimestamp(row.lastRunAt)} className="muted">
                    {formatRelativeTime(new Date(row.lastRunAt), now)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        ))}
        <tfoot className="border-t-2 border-zinc-200 bg-zinc-50 font-medium dark:border-zinc-700 dark:bg-zinc-900/60">
          <tr>
            <th scope="row" colSpan={2} className="px-4 py-2 text-left">
              All optimizers
            </th>
            <td className={cell}>{sum('runCount').toLocaleString('en-US')}</td>
            <td className={cell} colSpan={3} />
            <td className={cell}>{formatCost(sum('totalCostUsd'))}</td>
            <td className={cell}>{formatTokens(sum('totalTokens'))}</td>
            <td className={cell}>{sum('totalIterations').toLocaleString('en-US')}</td>
            <td className={cell} colSpan={2} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
