import Link from 'next/link';
import { issueField, issueLine } from '@/lib/dashboard/run-filters';

export interface FilterIssue {
  path: string;
  message: string;
}

// What the data layer refused in the URL's filters, said next to a way out.
export function FilterErrors({ issues, clearHref, firstPageHref }: { issues: FilterIssue[]; clearHref: string; firstPageHref: string }) {
  const cursorOnly = issues.every((i) => issueField(i.path) === 'cursor');
  return (
    <section
      role="alert"
      className="rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900 dark:border-rose-500/30 dark:bg-rose-500/10 dark:text-rose-100"
      data-testid="filter-error"
    >
      <h2 className="font-semibold">{cursorOnly ? 'This page link is out of date' : 'These filters cannot be applied'}</h2>
      <ul className="mt-2 list-disc space-y-0.5 pl-5">
        {issues.map((issue, i) => {
          const line = issueLine(issue);
          return (
            <li key={`${issue.path}-${i}`}>
              {line.label && <span className="font-medium">{line.label}:</span>} {line.message}
            </li>
          );
        })}
      </ul>
      <div className="mt-3 flex flex-wrap gap-2">
        {cursorOnly ? (
          <Link href={firstPageHref} className="btn">
            Go to the first page
          </Link>
        ) : (
          <>
            <span className="self-center text-xs">Fix the filters marked above, or</span>
            <Link href={clearHref} className="btn" data-testid="error-clear-filters">
              Clear filters
            </Link>
          </>
        )}
      </div>
    </section>
  );
}
