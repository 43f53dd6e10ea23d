import { createColumnHelper, type RowData } from '@tanstack/react-table';
import { StalledNote } from '@/components/analysis/stalled-note';
import { StatusBadge } from '@/components/status-badge';
import type { SortColumn } from '@/lib/dashboard/run-filters';
import type { RunRow } from './run-row';
import { formatCost, formatDuration, formatRelativeTime, formatScore, formatSignedPct, formatSignedScore, formatTimestamp, formatTokens } from '@/lib/format';

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the declaration must repeat the library's type parameters
  interface ColumnMeta<TData extends RowData, TValue> {
    label: string;
    sortKey?: SortColumn;
    numeric?: boolean;
  }
}

export interface CellContext {
  now: number;
}

const column = createColumnHelper<RunRow>();

// The optional columns in display order; the run name (the row's link) is always shown.
export const COLUMN_LABELS = {
  status: 'Status',
  optimizer: 'Optimizer',
  tags: 'Tags',
  scores: 'Initial → final',
  best: 'Best',
  improvement: 'Improvement',
  iterations: 'Iterations',
  duration: 'Duration',
  cost: 'Cost',
  tokens: 'Tokens',
  created: 'Created',
} as const;
export type OptionalColumn = keyof typeof COLUMN_LABELS;
export const OPTIONAL_COLUMNS = Object.keys(COLUMN_LABELS) as OptionalColumn[];
export const DEFAULT_HIDDEN_COLUMNS: OptionalColumn[] = ['best', 'iterations', 'tokens'];

function Empty() {
  return <span className="text-zinc-400 dark:text-zinc-600">—</span>;
}

export function runColumns({ now }: CellContext) {
  return [
    column.accessor('status', {
      id: 'status',
      header: COLUMN_LABELS.status,
      meta: { label: COLUMN_LABELS.status },
      cell: (info) => (
        <>
          <StatusBadge status={info.getValue()} />
          <StalledNote since={info.row.original.stalledSince} />
        </>
      ),
    }),
    column.accessor('optimizerType', {
      id: 'optimizer',
      header: COLUMN_LABELS.optimizer,
      meta: { label: COLUMN_LABELS.optimizer },
      cell: (info) => <span className="text-xs text-zinc-700 dark:text-zinc-300">{info.getValue()}</span>,
    }),
    column.accessor('tags', {
      id: 'tags',
      header: COLUMN_LABELS.tags,
      meta: { label: COLUMN_LABELS.tags },
      cell: (info) => {
        const tags = info.getValue();
        if (tags.length === 0) return <Empty />;
        // as many tags as fit in about 14 characters, so the column stays narrow
        let budget = 14;
        const shown = tags.filter((tag, i) => (budget -= tag.length) >= 0 || i === 0).slice(0, 3);
        return (
          <ul className="flex gap-1 whitespace-nowrap" title={tags.join(', ')}>
            {shown.map((tag) => (
              <li key={tag} className="max-w-[9rem] truncate rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
                {tag}
              </li>
            ))}
            {tags.length > shown.length && (
              <li className="muted px-1 py-0.5 text-xs">
                +{tags.length - shown.length}
                <span className="sr-only"> more: {tags.slice(shown.length).join(', ')}</span>
              </li>
            )}
          </ul>
        );
      },
    }),
    column.accessor('finalScore', {
      id: 'scores',
      header: COLUMN_LABELS.scores,
      meta: { label: COLUMN_LABELS.scores, sortKey: 'final_score', numeric: true },
      cell: ({ row }) => {
        const { initialScore, finalScore, bestScore, status } = row.original;
        if (initialScore === null && finalScore === null) {
          return status === 'running' && bestScore !== null ? (
            <span className="muted" title="best score so far">{formatScore(bestScore)} so far</span>
          ) : (
            <Empty />
          );
        }
        return (
          <span className="whitespace-nowrap">
            <span className="muted">{formatScore(initialScore)}</span>
            <span aria-hidden className="mx-1 text-zinc-400">→</span>
            <span className="sr-only"> to </span>
            <span className="font-medium">{formatScore(finalScore)}</span>
          </span>
        );
      },
    }),
    column.accessor('bestScore', {
      id: 'best',
      header: COLUMN_LABELS.best,
      meta: { label: COLUMN_LABELS.best, numeric: true },
      cell: (info) => (info.getValue() === null ? <Empty /> : formatScore(info.getValue())),
    }),
    column.accessor('improvement', {
      id: 'improvement',
      header: COLUMN_LABELS.improvement,
      meta: { label: COLUMN_LABELS.improvement, sortKey: 'improvement', numeric: true },
      cell: ({ row }) => {
        const { improvement, improvementPct } = row.original;
        if (improvement === null) return <Empty />;
        const tone =
          improvement > 0
            ? 'text-emerald-700 dark:text-emerald-400'
            : improvement < 0
              ? 'text-rose-700 dark:text-rose-400'
              : 'text-zinc-600 dark:text-zinc-400';
        return (
          <span className={`whitespace-nowrap ${tone}`}>
            {formatSignedScore(improvement)}
            {improvementPct !== null && <span className="ml-1 text-xs opacity-80">({formatSignedPct(improvementPct)})</span>}
          </span>
        );
      },
    }),
    column.accessor('iterations', {
      id: 'iterations',
      header: COLUMN_LABELS.iterations,
      meta: { label: COLUMN_LABELS.iterations, numeric: true },
      cell: (info) => info.getValue().toLocaleString('en-US'),
    }),
    column.accessor('durationMs', {
      id: 'duration',
      header: COLUMN_LABELS.duration,
      meta: { label: COLUMN_LABELS.duration, sortKey: 'duration_ms', numeric: true },
      cell: ({ row }) => {
        const { durationMs, status, startedAt } = row.original;
        if (durationMs !== null) return <span className="whitespace-nowrap">{formatDuration(durationMs)}</span>;
        if (status === 'running' && startedAt) {
          return (
            <span className="muted whitespace-nowrap" title="still running">
              {formatDuration(Math.max(0, now - Date.parse(startedAt)))}…
            </span>
          );
        }
        return <Empty />;
      },
    }),
    column.accessor('totalCostUsd', {
      id: 'cost',
      header: COLUMN_LABELS.cost,
      meta: { label: COLUMN_LABELS.cost, sortKey: 'total_cost_usd', numeric: true },
      cell: (info) => formatCost(info.getValue()),
    }),
    column.accessor('totalTokens', {
      id: 'tokens',
      header: COLUMN_LABELS.tokens,
      meta: { label: COLUMN_LABELS.tokens, numeric: true },
      cell: (info) => <span title={info.getValue().toLocaleString('en-US')}>{formatTokens(info.getValue())}</span>,
    }),
    column.accessor('createdAt', {
      id: 'created',
      header: COLUMN_LABELS.created,
      meta: { label: COLUMN_LABELS.created, sortKey: 'created_at' },
      cell: (info) => (
        <time dateTime={info.getValue()} title={formatTimestamp(info.getValue())} className="muted whitespace-nowrap">
          {formatRelativeTime(new Date(info.getValue()), new Date(now))}
        </time>
      ),
    }),
  ];
}
