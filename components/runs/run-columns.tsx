import { createColumnHelper, type RowData } from '@tanstack/react-table';
import Link from 'next/link';
import { DerivedMark } from '@/components/derived-score';
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
    // a config value's column: its header is the key as written
    config?: boolean;
  }
}

export interface CellContext {
  now: number;
  // the tags the list is filtered by, and the list's URL with a tag added or removed
  filteredTags: string[];
  tagHref: (tag: string) => string;
}

// Tags the list is filtered by come first and are always shown; the rest as fit in about
// 14 characters, so the column stays narrow.
export function visibleTags(tags: string[], filtered: string[]): string[] {
  const pinned = tags.filter((t) => filtered.includes(t));
  let budget = 14 - pinned.reduce((n, t) => n + t.length, 0);
  const rest = tags.filter((t) => !filtered.includes(t)).filter((tag, i) => (budget -= tag.length) >= 0 || (i === 0 && pinned.length === 0));
  return [...pinned, ...rest.slice(0, Math.max(0, 3 - pinned.length))];
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
  return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
}

export function runColumns({ now, filteredTags, tagHref }: CellContext) {
  return [
    column.accessor('status', {
      id: 'status',
      header: COLUMN_LABELS.status,
      meta: { label: COLUMN_LABELS.status, sortKey: 'status' },
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
      meta: { label: COLUMN_LABELS.optimizer, sortKey: 'optimizer_type' },
      cell: (info) => <span className="text-xs text-zinc-700 dark:text-zinc-300">{info.getValue()}</span>,
    }),
    column.accessor('tags', {
      id: 'tags',
      header: COLUMN_LABELS.tags,
      meta: { label: COLUMN_LABELS.tags },
      cell: (info) => {
        const tags = info.getValue();
        if (tags.length === 0) return <Empty />;
        const shown = visibleTags(tags, filteredTags);
        const hidden = tags.filter((t) => !shown.includes(t));
        return (
          <ul className="flex gap-1 whitespace-nowrap" title={tags.join(', ')}>
            {shown.map((tag) => {
              const on = filteredTags.includes(tag);
              return (
                <li key={tag} className="max-w-[9rem]">
                  <Link
                    href={tagHref(tag)}
                    scroll={false}
                    data-testid="run-tag"
                    data-filtered={on || undefined}
                    title={on ? `Stop filtering by tag ${tag}` : `Show only runs tagged ${tag}`}
                    className={`block truncate rounded px-1.5 py-0.5 text-xs hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 ${
                      on
                        ? 'bg-indigo-100 font-medium text-indigo-900 dark:bg-indigo-500/25 dark:text-indigo-100'
                        : 'bg-zinc-100 text-zinc-700 hover:bg-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-zinc-700'
                    }`}
                  >
                    {tag}
                    <span className="sr-only">{on ? ' (filtered by; remove the filter)' : ' (filter by this tag)'}</span>
                  </Link>
                </li>
              );
            })}
            {hidden.length > 0 && (
              <li className="muted px-1 py-0.5 text-xs">
                +{hidden.length}
                <span className="sr-only"> more: {hidden.join(', ')}</span>
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
        const { initialScore, finalScore, bestScore, status, initialDerived, finalDerived } = row.original;
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
            <span aria-hidden className="mx-1 text-zinc-500 dark:text-zinc-400">→</span>
            <span className="sr-only"> to </span>
            <span className="font-medium">{formatScore(finalScore)}</span>
            {(initialDerived || finalDerived) && <DerivedMark initial={initialDerived ?? null} final={finalDerived ?? null} />}
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
        const { improvement, improvementPct, initialDerived, finalDerived } = row.original;
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
            {improvementPct !== null && <span className="ml-1 text-xs">({formatSignedPct(improvementPct)})</span>}
            {(initialDerived || finalDerived) && <span className="sr-only"> (derived)</span>}
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
