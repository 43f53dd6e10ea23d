import Link from 'next/link';
import { withContext, type DiffLine, type DiffResult } from '@/lib/diff';

// A unified line diff: removed lines red, added lines green, long unchanged stretches
// folded. data-added / data-removed carry the counts for tests and tools.
export function DiffView({
  diff,
  fromLabel,
  toLabel,
  full,
  toggleHref,
}: {
  diff: DiffResult;
  fromLabel: string;
  toLabel: string;
  full: boolean;
  // the same page with unchanged lines shown (or folded again when full)
  toggleHref?: string;
}) {
  const folded = withContext(diff.lines, 3);
  const chunks = full ? [{ kind: 'lines' as const, lines: diff.lines }] : folded;
  const foldable = folded.some((c) => c.kind === 'skipped');
  return (
    <div data-testid="diff-view" data-added={diff.added} data-removed={diff.removed}>
      <div className="mb-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs">
        <span className="font-medium text-emerald-700 dark:text-emerald-400">+{diff.added} added</span>
        <span className="font-medium text-rose-700 dark:text-rose-400">−{diff.removed} removed</span>
        <span className="muted">
          {fromLabel} → {toLabel}
        </span>
        {diff.truncated && <span className="text-amber-700 dark:text-amber-400">Too many changes for a line-by-line match: showing old and new in full.</span>}
        {foldable && toggleHref && (
          <Link
            href={toggleHref}
            scroll={false}
            replace
            className="ml-auto rounded font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
          >
            {full ? 'Fold unchanged lines' : 'Show unchanged lines'}
          </Link>
        )}
      </div>
      {diff.added === 0 && diff.removed === 0 ? (
        <p className="rounded-lg bg-zinc-50 px-4 py-6 text-center text-sm text-zinc-600 dark:bg-zinc-950 dark:text-zinc-400">
          No differences: both iterations have the same program.
        </p>
      ) : (
        <div
          role="region"
          aria-label={`Changes from ${fromLabel} to ${toLabel}`}
          tabIndex={0}
          className="max-h-[36rem] overflow-auto rounded-lg border border-zinc-200 font-mono text-xs leading-5 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-zinc-800"
        >
          <div>
            {chunks.map((chunk, i) =>
              chunk.kind === 'skipped' ? (
                <div
                  key={i}
                  className="border-y border-zinc-100 bg-zinc-50 px-3 py-1 text-zinc-500 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-400"
                >
                  ⋯ {chunk.count} unchanged line{chunk.count === 1 ? '' : 's'}
                </div>
              ) : (
                chunk.lines.map((line, j) => <Line key={`${i}-${j}`} line={line} />)
              ),
            )}
          </div>
        </div>
      )}
    </div>
  );
}

const TONE = {
  equal: 'text-zinc-700 dark:text-zinc-300',
  add: 'bg-emerald-50 text-emerald-900 dark:bg-emerald-400/10 dark:text-emerald-200',
  remove: 'bg-rose-50 text-rose-900 dark:bg-rose-400/10 dark:text-rose-200',
};

function Line({ line }: { line: DiffLine }) {
  return (
    <div className={`flex ${TONE[line.op]}`} data-op={line.op}>
      <span aria-hidden className="w-8 shrink-0 pr-2 text-right sm:w-10 text-zinc-600 select-none dark:text-zinc-400">
        {line.oldLine ?? ''}
      </span>
      <span aria-hidden className="w-8 shrink-0 pr-2 text-right sm:w-10 text-zinc-600 select-none dark:text-zinc-400">
        {line.newLine ?? ''}
      </span>
      <span aria-hidden className="w-5 shrink-0 text-center select-none">
        {line.op === 'add' ? '+' : line.op === 'remove' ? '−' : ' '}
      </span>
      <span className="min-w-0 flex-1 pr-4 break-words whitespace-pre-wrap">
        {line.op !== 'equal' && <span className="sr-only">{line.op === 'add' ? 'Added: ' : 'Removed: '}</span>}
        {line.text || ' '}
      </span>
    </div>
  );
}
