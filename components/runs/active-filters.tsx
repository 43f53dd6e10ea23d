import Link from 'next/link';
import {
  clearedFilters,
  configValueType,
  createdAfterToDate,
  createdBeforeToDate,
  FILTER_LABELS,
  FILTER_NAMES,
  runsHref,
  withFilters,
  type RunsUrlState,
} from '@/lib/dashboard/run-filters';

interface Applied {
  key: string;
  label: string;
  value: string;
  without: Partial<RunsUrlState>;
}

function applied(state: RunsUrlState): Applied[] {
  const out: Applied[] = [];
  if (state.search.trim()) out.push({ key: 'search', label: 'Name contains', value: `“${state.search.trim()}”`, without: { search: '' } });
  if (state.status.length) out.push({ key: 'status', label: FILTER_LABELS.status!, value: state.status.join(' or '), without: { status: [] } });
  if (state.optimizerType.length) {
    out.push({ key: 'optimizer', label: FILTER_LABELS.optimizerType!, value: state.optimizerType.join(' or '), without: { optimizerType: [] } });
  }
  for (const tag of state.tags) {
    out.push({ key: `tag:${tag}`, label: 'Tag', value: tag, without: { tags: state.tags.filter((t) => t !== tag) } });
  }
  for (const c of state.config) {
    out.push({
      key: `config:${c.key}`,
      label: c.key,
      value: `= ${c.raw} (${configValueType(c.raw)})`,
      without: { config: state.config.filter((x) => x.key !== c.key) },
    });
  }
  if (state.minScore || state.maxScore) {
    out.push({
      key: 'score',
      label: 'Final score',
      value: state.minScore && state.maxScore ? `${state.minScore}–${state.maxScore}` : state.minScore ? `≥ ${state.minScore}` : `≤ ${state.maxScore}`,
      without: { minScore: '', maxScore: '' },
    });
  }
  if (state.createdAfter || state.createdBefore) {
    const from = createdAfterToDate(state.createdAfter) || state.createdAfter;
    const until = createdBeforeToDate(state.createdBefore) || state.createdBefore;
    out.push({
      key: 'created',
      label: 'Created',
      value: from && until ? `${from} – ${until}` : from ? `from ${from}` : `until ${until}`,
      without: { createdAfter: '', createdBefore: '' },
    });
  }
  // a filter with no chip of its own above (one added to the schema): its label and value
  const shown = new Set(['search', 'status', 'optimizerType', 'tags', 'config', 'minScore', 'maxScore', 'createdAfter', 'createdBefore']);
  for (const name of FILTER_NAMES.filter((n) => !shown.has(n))) {
    const value: unknown = (state as Record<string, unknown>)[name];
    const text = Array.isArray(value) ? value.join(' or ') : String(value ?? '');
    if (text) out.push({ key: name, label: FILTER_LABELS[name] ?? name, value: text, without: { [name]: Array.isArray(value) ? [] : '' } });
  }
  return out;
}

// The filters in effect, each removable by a link (so Back restores it).
export function ActiveFilters({ base, state }: { base: string; state: RunsUrlState }) {
  const items = applied(state);
  if (items.length === 0) return null;
  return (
    <div className="mb-3 flex flex-wrap items-center gap-1.5 text-xs" data-testid="active-filters">
      <span className="muted mr-1">Filtered by</span>
      <ul className="contents">
        {items.map((item) => (
          <li
            key={item.key}
            className="inline-flex max-w-full items-center gap-1 rounded-full border border-indigo-200 bg-indigo-50 py-0.5 pr-0.5 pl-2 text-indigo-900 dark:border-indigo-500/30 dark:bg-indigo-500/10 dark:text-indigo-100"
          >
            <span className="truncate">
              <span className="font-medium">{item.label}</span> {item.value}
            </span>
            <Link
              href={runsHref(base, withFilters(state, item.without))}
              scroll={false}
              className="inline-flex size-5 shrink-0 items-center justify-center rounded-full hover:bg-indigo-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-indigo-500/20"
              aria-label={`Remove filter: ${item.label} ${item.value}`}
            >
              <svg aria-hidden viewBox="0 0 16 16" fill="currentColor" className="size-3">
                <path d="M4.28 3.22a.75.75 0 0 0-1.06 1.06L6.94 8l-3.72 3.72a.75.75 0 1 0 1.06 1.06L8 9.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L9.06 8l3.72-3.72a.75.75 0 0 0-1.06-1.06L8 6.94 4.28 3.22Z" />
              </svg>
            </Link>
          </li>
        ))}
      </ul>
      <Link
        href={runsHref(base, clearedFilters(state))}
        scroll={false}
        className="ml-1 font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
      >
        Clear all
      </Link>
    </div>
  );
}
