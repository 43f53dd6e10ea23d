'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useTableColumns } from '@/components/runs/table-columns';
import type { SavedView } from '@/lib/supabase-optimization';

// The runs page's parameters a view keeps as filters (paging is not kept; columns and sort
// are kept as the view's own fields).
const NOT_KEPT = new Set(['cursor', 'prev', 'page', 'offset', 'columns', 'orderBy', 'orderDirection']);

export function viewFilters(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (NOT_KEPT.has(key)) continue;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

// A view opened: its filters, sort (views saved before sort was a field of its own kept it
// among the filters), columns and grouping.
export function viewHref(base: string, view: SavedView): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(view.definition.filters ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const { sort, columns } = view.definition;
  if (sort) {
    params.delete('orderBy');
    params.delete('orderDirection');
    if (sort.by !== 'created_at') params.set('orderBy', sort.by);
    if (sort.direction !== 'desc') params.set('orderDirection', sort.direction);
  }
  if (columns?.length) params.set('columns', columns.join(','));
  if (view.definition.groupBy) params.set('groupBy', view.definition.groupBy);
  const q = params.toString();
  return q ? `${base}?${q}` : base;
}

// Saved views of the project, one click from the runs page, and saving the current one.
export function SavedViews({
  projectId,
  base,
  views,
  currentQuery,
  columns,
  sort,
  groupBy,
  canWrite,
  starred,
}: {
  projectId: string;
  base: string;
  views: SavedView[];
  currentQuery: string;
  // the URL's column list ([] = this browser's defaults) and the list's order
  columns: string[];
  sort: { by: string; direction: 'asc' | 'desc' };
  groupBy?: string;
  canWrite: boolean;
  starred: Array<{ runId: string; runName: string }>;
}) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tableColumns = useTableColumns({ columns });

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const definition = { filters: viewFilters(currentQuery), columns: tableColumns.list, sort, ...(groupBy ? { groupBy } : {}) };
    const res = await fetch('/api/v1/views', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId, name, definition }),
    });
    setBusy(false);
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      setError(body?.error?.message ?? `could not save (${res.status})`);
      return;
    }
    setName('');
    router.refresh();
  }

  async function remove(view: SavedView) {
    const res = await fetch(`/api/v1/views/${view.id}?projectId=${encodeURIComponent(projectId)}`, { method: 'DELETE' });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      setError(body?.error?.message ?? `could not delete (${res.status})`);
      return;
    }
    router.refresh();
  }

  return (
    <div className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-2 text-sm" data-testid="saved-views">
      <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Views</span>
      <ul className="flex flex-wrap gap-2" aria-label="Saved views">
        <li>
          <Link href={base} className="rounded-full border border-zinc-200 px-2.5 py-1 text-xs hover:bg-zinc-50 dark:border-zinc-700 dark:hover:bg-zinc-800">
            All runs
          </Link>
        </li>
        {views.map((view) => (
          <li key={view.id} className="inline-flex items-center rounded-full border border-zinc-200 text-xs dark:border-zinc-700">
            <Link href={viewHref(base, view)} className="rounded-l-full px-2.5 py-1 hover:bg-zinc-50 dark:hover:bg-zinc-800" data-testid="saved-view">
              {view.name}
            </Link>
            {canWrite && (
              <button
                type="button"
                onClick={() => remove(view)}
                className="rounded-r-full px-1.5 py-1 text-zinc-600 hover:bg-zinc-50 dark:text-zinc-400 dark:hover:bg-zinc-800"
                aria-label={`Delete view ${view.name}`}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {canWrite && (
        <form onSubmit={save} className="flex items-center gap-2">
          <label className="sr-only" htmlFor="view-name">Name of this view</label>
          <input
            id="view-name"
            className="input h-8 w-44 text-xs"
            placeholder="Save filters, columns, sort as…"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            required
          />
          <button type="submit" className="btn h-8 text-xs" disabled={busy || !name.trim()}>
            Save view
          </button>
        </form>
      )}
      {error && <p className="w-full text-xs text-rose-700 dark:text-rose-300" role="alert">{error}</p>}
      {starred.length > 0 && (
        <div className="flex w-full flex-wrap items-center gap-2" data-testid="starred-runs">
          <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300">★ Starred</span>
          {starred.slice(0, 12).map((s) => (
            <Link key={s.runId} href={`/projects/${projectId}/runs/${s.runId}`} className="max-w-56 truncate text-xs text-indigo-700 hover:underline dark:text-indigo-300">
              {s.runName}
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
