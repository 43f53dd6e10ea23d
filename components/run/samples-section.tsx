import Link from 'next/link';
import type { OptimizationSample, Page, SampleIterationCount } from '@/lib/supabase-optimization';
import { SamplesFilters, type SampleFilterValues } from './samples-filters';
import { SamplesTable } from './samples-table';
import { Section } from './section';

export const FIRST_PAGE = '_';

// The samples of a run: filters and keyset paging in the URL (sCursor is the page's
// cursor, sHist the cursors of the pages before it, so "Previous" needs no offset).
export function SamplesSection({
  basePath,
  exportBase,
  query,
  filters,
  cursor,
  history,
  result,
  counts,
  reported,
}: {
  basePath: string;
  exportBase: string;
  query: URLSearchParams;
  filters: SampleFilterValues;
  cursor: string | null;
  history: string[];
  result: { page: Page<OptimizationSample> } | { error: string };
  counts: SampleIterationCount[];
  // what the client reported per iteration (samplesEvaluated), which may exceed what it stored
  reported: Array<{ iteration: number; samplesEvaluated: number }>;
}) {
  const total = counts.reduce((sum, c) => sum + c.samples, 0);
  const failed = counts.reduce((sum, c) => sum + c.errors, 0);
  const stored = new Set(counts.filter((c) => c.samples > 0).map((c) => c.iteration));
  const noneStored = reported.filter((r) => r.samplesEvaluated > 0 && !stored.has(r.iteration));
  const pickedEvaluated = reported.find((r) => r.iteration === filters.iteration)?.samplesEvaluated ?? 0;
  const href = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) next.delete(key);
      else next.set(key, value);
    }
    const qs = next.toString();
    return `${basePath}${qs ? `?${qs}` : ''}#samples`;
  };
  const exportQuery = new URLSearchParams({ format: 'csv', what: 'samples' });
  if (filters.iteration !== null) exportQuery.set('iteration', String(filters.iteration));
  if (filters.errorsOnly) exportQuery.set('errorsOnly', 'true');
  if (filters.minScore !== null) exportQuery.set('minScore', String(filters.minScore));
  if (filters.maxScore !== null) exportQuery.set('maxScore', String(filters.maxScore));

  const pageNumber = history.length + 1;
  const previous = history.at(-1);
  const prevHref =
    previous === undefined
      ? null
      : href({
          sCursor: previous === FIRST_PAGE ? null : previous,
          sHist: history.length > 1 ? history.slice(0, -1).join(',') : null,
        });
  const nextHref =
    'page' in result && result.page.nextCursor
      ? href({ sCursor: result.page.nextCursor, sHist: [...history, cursor ?? FIRST_PAGE].slice(-50).join(',') })
      : null;

  return (
    <Section
      id="samples"
      title="Samples"
      description={
        <span data-testid="samples-stored-summary">
          {total === 0
            ? 'The evaluated samples the client stored, with inputs and outputs.'
            : `${total.toLocaleString('en-US')} stored sample${total === 1 ? '' : 's'} across ${counts.length} iteration${counts.length === 1 ? '' : 's'}${failed ? `, ${failed.toLocaleString('en-US')} of them failed` : ''}. ` +
              'Counts above under “Samples evaluated” are what the client reported, stored or not.'}
          {noneStored.length > 0 && (
            <span className="block" data-testid="samples-none-stored">
              {noneStored.length === 1 ? 'Iteration' : 'Iterations'}{' '}
              {noneStored
                .slice(0, 8)
                .map((r) => `#${r.iteration} (${r.samplesEvaluated.toLocaleString('en-US')} evaluated)`)
                .join(', ')}
              {noneStored.length > 8 ? ` and ${noneStored.length - 8} more` : ''} reported evaluated samples but stored none.
            </span>
          )}
        </span>
      }
      actions={
        total > 0 && (
          <a className="btn text-xs" href={`${exportBase}?${exportQuery}`} download data-testid="export-samples-csv">
            Export {filters.iteration !== null || filters.errorsOnly || filters.minScore !== null || filters.maxScore !== null ? 'filtered ' : ''}
            samples (CSV)
          </a>
        )
      }
      flush
    >
      {total > 0 && (
        <div className="border-b border-zinc-100 px-4 py-3 sm:px-5 dark:border-zinc-800">
          <SamplesFilters
            values={filters}
            // an iteration picked elsewhere (a chart point) that stored no samples stays selectable
            iterations={
              filters.iteration !== null && !counts.some((c) => c.iteration === filters.iteration)
                ? [...counts, { iteration: filters.iteration, samples: 0, errors: 0 }].sort((a, b) => a.iteration - b.iteration)
                : counts
            }
          />
        </div>
      )}
      {'error' in result ? (
        <div role="alert" className="px-4 py-8 text-center text-sm sm:px-5">
          <p className="text-rose-700 dark:text-rose-400">{result.error}</p>
          <Link className="btn mt-3" href={href({ sCursor: null, sHist: null })} scroll={false}>
            Back to the first page
          </Link>
        </div>
      ) : result.page.data.length === 0 ? (
        <p className="muted px-4 py-10 text-center text-sm sm:px-5" data-testid="samples-empty">
          {filters.iteration !== null && !stored.has(filters.iteration)
            ? `Iteration #${filters.iteration} stored no samples${pickedEvaluated > 0 ? ` (the client reported ${pickedEvaluated.toLocaleString('en-US')} evaluated)` : ''}.`
            : total === 0
              ? 'This run has no stored samples yet.'
              : 'No samples match these filters.'}
        </p>
      ) : (
        <>
          <SamplesTable rows={result.page.data} />
          <nav
            aria-label="Samples pages"
            className="flex items-center justify-between gap-3 border-t border-zinc-100 px-4 py-2.5 text-sm sm:px-5 dark:border-zinc-800"
          >
            <span className="muted">
              Page {pageNumber} · {result.page.data.length} sample{result.page.data.length === 1 ? '' : 's'}
            </span>
            <div className="flex gap-2">
              {pageNumber > 2 && (
                <Link className="btn" href={href({ sCursor: null, sHist: null })} scroll={false}>
                  First
                </Link>
              )}
              {prevHref ? (
                <Link className="btn" href={prevHref} scroll={false} rel="prev" data-testid="samples-prev">
                  ← Previous
                </Link>
              ) : (
                <span className="btn pointer-events-none opacity-50" aria-disabled="true">
                  ← Previous
                </span>
              )}
              {nextHref ? (
                <Link className="btn" href={nextHref} scroll={false} rel="next" data-testid="samples-next">
                  Next →
                </Link>
              ) : (
                <span className="btn pointer-events-none opacity-50" aria-disabled="true">
                  Next →
                </span>
              )}
            </div>
          </nav>
        </>
      )}
    </Section>
  );
}
