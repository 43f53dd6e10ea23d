'use client';

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type VisibilityState } from '@tanstack/react-table';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useTransition } from 'react';
import {
  firstPageState,
  lastPageState,
  nextPageState,
  PAGE_SIZES,
  pageCount,
  previousPageState,
  runsHref,
  withFilters,
  withPageSize,
  withSort,
  type RunsUrlState,
  type SortColumn,
} from '@/lib/dashboard/run-filters';
import { formatConfigValue } from '@/lib/format';
import { ColumnMenu } from './column-menu';
import { COLUMN_LABELS, DEFAULT_HIDDEN_COLUMNS, OPTIONAL_COLUMNS, runColumns } from './run-columns';
import type { RunRow } from './run-row';
import { useTableColumns } from './table-columns';
import { useStoredState } from './use-stored-state';

const MAX_COMPARE = 4;
const MIN_COMPARE = 2;

interface SelectedRun {
  id: string;
  runName: string;
}

const NO_SELECTION: SelectedRun[] = [];

function validateSelection(value: unknown): SelectedRun[] | null {
  if (!Array.isArray(value)) return null;
  return value
    .filter((v): v is SelectedRun => typeof v?.id === 'string' && typeof v?.runName === 'string')
    .slice(0, MAX_COMPARE);
}

// column values differ in type per column; TanStack's own examples type the list this way
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RunColumn = ColumnDef<RunRow, any>;

export interface RunsTableProps {
  projectId: string;
  rows: RunRow[];
  state: RunsUrlState;
  total: number;
  totalIsExact: boolean;
  nextCursor: string | null;
  now: number;
  // the project's config paths, offered as columns
  configKeys: string[];
}

function SortIcon({ direction }: { direction: 'asc' | 'desc' | false }) {
  return (
    <svg aria-hidden viewBox="0 0 16 16" className={`size-3.5 ${direction ? 'text-indigo-600 dark:text-indigo-400' : 'text-zinc-500 opacity-0 group-hover:opacity-100 group-focus-visible:opacity-100'}`} fill="currentColor">
      {direction === 'asc' ? (
        <path d="M8 3.5 12.5 9h-9L8 3.5Z" />
      ) : direction === 'desc' ? (
        <path d="M8 12.5 3.5 7h9L8 12.5Z" />
      ) : (
        <path d="M8 2 11.5 6.5h-7L8 2Zm0 12-3.5-4.5h7L8 14Z" />
      )}
    </svg>
  );
}

// A config value in its type: numbers right-aligned and grouped, booleans and null marked.
function ConfigCell({ value }: { value: unknown }) {
  const { text, type } = formatConfigValue(value);
  if (type === 'missing') return <span className="text-zinc-500 dark:text-zinc-400" title="not in this run's config">—</span>;
  const tone =
    type === 'number'
      ? 'tabular-nums'
      : type === 'boolean' || type === 'null'
        ? 'font-mono text-xs text-violet-800 dark:text-violet-300'
        : type === 'json'
          ? 'font-mono text-xs text-zinc-700 dark:text-zinc-300'
          : '';
  return (
    <span className={`block max-w-[14rem] truncate whitespace-nowrap ${tone}`} title={type === 'string' ? text : `${text} (${type})`} data-config-type={type}>
      {text}
    </span>
  );
}

export function RunsTable({ projectId, rows, state, total, totalIsExact, nextCursor, now, configKeys }: RunsTableProps) {
  const base = `/projects/${projectId}/runs`;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const go = (next: RunsUrlState) => startTransition(() => router.push(runsHref(base, next), { scroll: false }));

  const tableColumns = useTableColumns(state);
  const { configPaths } = tableColumns;
  const setColumns = (columns: string[]) => {
    tableColumns.rememberDefault(columns);
    go({ ...state, columns });
  };
  const [selected, setSelected] = useStoredState('session', `optiscope:compare:${projectId}`, NO_SELECTION, validateSelection);
  const selectedIds = useMemo(() => new Set(selected.map((s) => s.id)), [selected]);
  const selectionFull = selected.length >= MAX_COMPARE;

  const toggleRun = (run: RunRow, on: boolean) =>
    setSelected((current) =>
      on
        ? current.some((s) => s.id === run.id) || current.length >= MAX_COMPARE
          ? current
          : [...current, { id: run.id, runName: run.runName }]
        : current.filter((s) => s.id !== run.id),
    );

  const columns = useMemo<RunColumn[]>(
    () => [
      {
        id: 'select',
        header: () => <span className="sr-only">Select for comparison</span>,
        meta: { label: 'Select' },
        enableHiding: false,
      },
      {
        id: 'name',
        accessorKey: 'runName',
        header: 'Name',
        meta: { label: 'Name', sortKey: 'run_name' },
        enableHiding: false,
        cell: ({ row }) => (
          <Link
            href={`/projects/${projectId}/runs/${row.original.id}`}
            className="block w-36 font-medium [overflow-wrap:anywhere] sm:flex sm:w-auto sm:max-w-[15rem] text-zinc-900 hover:text-indigo-600 hover:underline focus-visible:rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-100 dark:hover:text-indigo-400"
            title={row.original.runName}
          >
            <RunName name={row.original.runName} />
          </Link>
        ),
      },
      ...(runColumns({
        now,
        filteredTags: state.tags,
        tagHref: (tag) => runsHref(base, withFilters(state, { tags: state.tags.includes(tag) ? state.tags.filter((t) => t !== tag) : [...state.tags, tag] })),
      }) as RunColumn[]),
      ...configPaths.map(
        (path): RunColumn => ({
          id: `config.${path}`,
          accessorFn: (row) => row.config?.[path],
          header: path,
          meta: { label: `config ${path}`, sortKey: `config.${path}`, config: true },
          cell: (info) => <ConfigCell value={info.getValue()} />,
        }),
      ),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the tag links change with the URL's state only
    [projectId, now, runsHref(base, state), configPaths.join(',')],
  );

  const columnVisibility: VisibilityState = Object.fromEntries(OPTIONAL_COLUMNS.map((id) => [id, tableColumns.runColumns.includes(id)]));
  const sortColumnId = columns.find((c) => c.meta?.sortKey === state.orderBy)?.id;

  // Sorting and paging happen in the database: the table only renders what the server sent.
  // eslint-disable-next-line react-hooks/incompatible-library -- the table instance is recreated from props on every render
  const table = useReactTable({
    data: rows,
    columns,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    state: {
      columnVisibility,
      sorting: sortColumnId ? [{ id: sortColumnId, desc: state.orderDirection === 'desc' }] : [],
    },
    onSortingChange: () => {},
  });

  const from = rows.length ? (state.page - 1) * state.limit + 1 : 0;
  const to = from ? from + rows.length - 1 : 0;
  const totalText = `${total.toLocaleString('en-US')}${totalIsExact ? '' : '+'}`;
  const pages = pageCount(total, state.limit);
  const last = lastPageState(state, total, totalIsExact);
  const onLastPage = !nextCursor;
  const sortLabel = columns.find((c) => c.meta?.sortKey === state.orderBy)?.meta?.label ?? state.orderBy.replace(/_/g, ' ');
  const compareHref = `/projects/${projectId}/compare?runs=${selected.map((s) => s.id).join(',')}`;
  const canCompare = selected.length >= MIN_COMPARE && selected.length <= MAX_COMPARE;

  return (
    <section aria-labelledby="runs-table-heading" className="card">
      <h2 id="runs-table-heading" className="sr-only">Runs</h2>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="run-count" aria-live="polite">
          {rows.length ? (
            <>
              Showing <span className="font-medium tabular-nums">{from.toLocaleString('en-US')}–{to.toLocaleString('en-US')}</span> of{' '}
              <span className="font-medium tabular-nums">{totalText}</span> {total === 1 && totalIsExact ? 'run' : 'runs'}
            </>
          ) : (
            <>No runs on this page</>
          )}
        </p>
        {pending && (
          <span className="muted inline-flex items-center gap-1.5 text-xs" role="status">
            <span aria-hidden className="size-3 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-500" />
            Loading…
          </span>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          {selected.length > 0 && (
            <button type="button" className="btn" onClick={() => setSelected(NO_SELECTION)} data-testid="compare-clear">
              Clear selection
            </button>
          )}
          {canCompare ? (
            <Link href={compareHref} className="btn btn-primary" data-testid="compare-button">
              Compare {selected.length} runs
            </Link>
          ) : (
            <button
              type="button"
              className="btn"
              disabled
              data-testid="compare-button"
              aria-describedby="compare-hint"
            >
              Compare{selected.length ? ` (${selected.length})` : ''}
            </button>
          )}
          <ColumnMenu
            columns={OPTIONAL_COLUMNS.map((id) => ({ id, label: COLUMN_LABELS[id], visible: tableColumns.runColumns.includes(id) }))}
            configColumns={configPaths}
            configKeys={configKeys}
            onToggle={(id, visible) => setColumns(tableColumns.toggled(id, visible))}
            onReset={() => {
              tableColumns.rememberDefault(OPTIONAL_COLUMNS.filter((id) => !DEFAULT_HIDDEN_COLUMNS.includes(id)));
              go({ ...state, columns: [] });
            }}
          />
        </div>
        <p id="compare-hint" className={selected.length > 0 ? 'w-full text-xs text-zinc-600 dark:text-zinc-400' : 'sr-only'}>
          {selected.length === 0
            ? `Tick ${MIN_COMPARE} to ${MAX_COMPARE} runs to compare them.`
            : selected.length < MIN_COMPARE
              ? `Selected ${selected[0]!.runName}: tick at least one more run to compare.`
              : `Selected for comparison: ${selected.map((s) => s.runName).join(', ')}${selectionFull ? ` (at most ${MAX_COMPARE})` : ''}.`}
        </p>
      </div>

      <div
        className={`overflow-x-auto transition-opacity focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 ${pending ? 'opacity-60' : ''}`}
        role="region"
        aria-label="Runs table, scrolls sideways"
        aria-busy={pending}
        tabIndex={0}
      >
        <table className="w-full text-sm" data-testid="runs-table">
          <caption className="sr-only">
            Runs, sorted by {sortLabel.toLowerCase()} {state.orderDirection === 'asc' ? 'ascending' : 'descending'}
          </caption>
          <thead className="table-head">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta;
                  const sortKey: SortColumn | undefined = meta?.sortKey;
                  const sorted = header.column.getIsSorted();
                  const id = header.column.id;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sortKey ? (sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none') : undefined}
                      data-column={id}
                      className={`border-b border-zinc-200 px-2.5 py-2 align-middle font-medium whitespace-nowrap dark:border-zinc-800 ${
                        meta?.numeric ? 'text-right' : ''
                      } ${id === 'select' ? 'sticky left-0 z-10 w-10 bg-zinc-50 pl-4 dark:bg-zinc-900' : ''} ${
                        id === 'name' ? 'sticky left-10 z-10 bg-zinc-50 dark:bg-zinc-900' : ''
                      }`}
                    >
                      {sortKey ? (
                        <button
                          type="button"
                          className={`group flex w-full items-center gap-1 rounded ${meta?.config ? 'font-mono normal-case' : 'uppercase'} hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:hover:text-zinc-200 ${
                            meta?.numeric ? 'flex-row-reverse justify-start' : ''
                          } ${sorted ? 'text-zinc-800 dark:text-zinc-100' : ''}`}
                          data-testid={`sort-${sortKey}`}
                          onClick={() => go(withSort(state, sortKey))}
                          title={`Sort by ${meta?.label.toLowerCase()}`}
                        >
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <SortIcon direction={sorted} />
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {table.getRowModel().rows.map((row) => {
              const run = row.original;
              const isSelected = selectedIds.has(run.id);
              return (
                <tr
                  key={row.id}
                  data-testid="run-row"
                  data-run-id={run.id}
                  data-status={run.status}
                  className={`group/row ${isSelected ? 'bg-indigo-50 dark:bg-indigo-950' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800'}`}
                >
                  {row.getVisibleCells().map((cell) => {
                    const id = cell.column.id;
                    const meta = cell.column.columnDef.meta;
                    const stickyBg = isSelected
                      ? 'bg-indigo-50 dark:bg-indigo-950'
                      : 'bg-white group-hover/row:bg-zinc-50 dark:bg-zinc-900 dark:group-hover/row:bg-zinc-800';
                    if (id === 'select') {
                      return (
                        <td key={cell.id} className={`sticky left-0 z-10 w-10 py-2 pr-2 pl-4 align-middle ${stickyBg}`}>
                          <input
                            type="checkbox"
                            className="block size-4 cursor-pointer accent-indigo-600 disabled:cursor-not-allowed"
                            checked={isSelected}
                            disabled={!isSelected && selectionFull}
                            aria-label={`Select ${run.runName} for comparison`}
                            title={!isSelected && selectionFull ? `Compare at most ${MAX_COMPARE} runs` : undefined}
                            data-testid="compare-checkbox"
                            onChange={(e) => toggleRun(run, e.target.checked)}
                          />
                        </td>
                      );
                    }
                    return (
                      <td
                        key={cell.id}
                        className={`px-2.5 py-2 align-middle ${meta?.numeric ? 'text-right tabular-nums' : ''} ${
                          id === 'name' ? `sticky left-10 z-10 ${stickyBg}` : ''
                        }`}
                      >
                        {flexRender(cell.column.columnDef.cell, cell.getContext())}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 && (
          <div className="px-4 py-10 text-center text-sm">
            <p className="font-medium">This page has no runs.</p>
            <p className="muted mt-1">Runs may have been deleted since the page was opened.</p>
            <Link href={runsHref(base, previousPageState({ ...state, page: 1 }))} className="btn mt-4">
              Go to the first page
            </Link>
          </div>
        )}
      </div>

      <nav
        aria-label="Pagination"
        className="flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800"
      >
        <label className="flex items-center gap-2">
          <span className="muted text-xs">Rows per page</span>
          <select
            className="input w-auto py-1"
            value={state.limit}
            data-testid="page-size"
            onChange={(e) => go(withPageSize(state, Number(e.target.value)))}
          >
            {[...new Set<number>([...PAGE_SIZES, state.limit])].sort((a, b) => a - b).map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
        <span className="muted text-xs tabular-nums" data-testid="page-of">
          Page {state.page.toLocaleString('en-US')} of {pages.toLocaleString('en-US')}
          {totalIsExact ? '' : '+'}
        </span>
        <div className="ml-auto flex gap-2">
          {state.page > 1 ? (
            <Link href={runsHref(base, firstPageState(state))} className="btn" data-testid="first-page" aria-label="First page">
              <span aria-hidden>«</span> First
            </Link>
          ) : (
            <button type="button" className="btn" disabled data-testid="first-page" aria-label="First page">
              <span aria-hidden>«</span> First
            </button>
          )}
          {state.page > 1 ? (
            <Link href={runsHref(base, previousPageState(state))} className="btn" data-testid="prev-page" rel="prev">
              <span aria-hidden>←</span> Previous
            </Link>
          ) : (
            <button type="button" className="btn" disabled data-testid="prev-page">
              <span aria-hidden>←</span> Previous
            </button>
          )}
          {nextCursor ? (
            <Link href={runsHref(base, nextPageState(state, nextCursor))} className="btn" data-testid="next-page" rel="next">
              Next <span aria-hidden>→</span>
            </Link>
          ) : (
            <button type="button" className="btn" disabled data-testid="next-page">
              Next <span aria-hidden>→</span>
            </button>
          )}
          {last && !onLastPage && last.page !== state.page ? (
            <Link href={runsHref(base, last)} className="btn" data-testid="last-page" aria-label={`Last page (${pages.toLocaleString('en-US')})`}>
              Last <span aria-hidden>»</span>
            </Link>
          ) : (
            <button type="button" className="btn" disabled data-testid="last-page" aria-label="Last page" title={last ? undefined : 'The total is an estimate: page forward with Next'}>
              Last <span aria-hidden>»</span>
            </button>
          )}
        </div>
      </nav>
    </section>
  );
}

// On a phone a long name wraps, whole. From sm up it is cut in the middle: its last word
// stays in view, since names that differ only at the end ("… #07", "… v3") are common.
function RunName({ name }: { name: string }) {
  const space = name.lastIndexOf(' ');
  const tail = space > 0 ? name.slice(space) : '';
  if (!tail || tail.length > 9) return <span className="sm:truncate">{name}</span>;
  return (
    <>
      <span className="sm:truncate">{name.slice(0, space)}</span>
      <span className="sm:shrink-0 sm:whitespace-pre">{tail}</span>
    </>
  );
}
