import type { ExampleFlips, FlipOutcome } from '@/lib/supabase-optimization';
import type { JsonValue } from '@/lib/supabase-optimization/schemas';
import { formatScore } from '@/lib/format';

const OUTCOMES: Array<{ key: FlipOutcome; label: string; tone: string }> = [
  { key: 'fixed', label: 'Fixed', tone: 'text-emerald-700 dark:text-emerald-400' },
  { key: 'broken', label: 'Broken', tone: 'text-rose-700 dark:text-rose-400' },
  { key: 'still_right', label: 'Still right', tone: '' },
  { key: 'still_wrong', label: 'Still wrong', tone: '' },
  { key: 'only_before', label: 'Only before', tone: 'muted' },
  { key: 'only_after', label: 'Only after', tone: 'muted' },
];

function text(value: JsonValue | null): string {
  if (value === null) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

// Per-example flips between two evaluations (two iterations of a run, or the selected programs
// of two runs): counts, then the examples with both outputs side by side.
export function FlipsView({
  flips,
  beforeLabel,
  afterLabel,
  picker,
  testId = 'insight-flips',
}: {
  flips: ExampleFlips;
  beforeLabel: string;
  afterLabel: string;
  picker?: React.ReactNode;
  testId?: string;
}) {
  const shown = OUTCOMES.filter((o) => o.key !== 'only_before' && o.key !== 'only_after' ? true : flips.counts[o.key] > 0);
  return (
    <div data-testid={testId} className="space-y-3">
      {picker}
      <p className="muted text-xs">
        {beforeLabel} → {afterLabel}; an example is right when it has no error and scores at least {flips.threshold}; examples
        matched by {flips.matchedBy === 'exampleId' ? 'example id' : 'example id (or sample index when it has none)'}.
      </p>
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label="Flip counts">
        {shown.map((o) => (
          <div key={o.key} className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800" data-testid={`flips-${o.key}`} data-count={flips.counts[o.key]}>
            <dt className="muted text-xs">{o.label}</dt>
            <dd className={`text-lg font-semibold tabular-nums ${o.tone}`}>{flips.counts[o.key]}</dd>
          </div>
        ))}
      </dl>
      {flips.examples.length === 0 ? (
        <p className="muted text-sm">No examples were evaluated on both sides.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 rounded-md border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800" aria-label="Examples">
          {flips.examples.map((e) => {
            const o = OUTCOMES.find((x) => x.key === e.outcome)!;
            return (
              <li key={e.key} data-testid="flip-example" data-outcome={e.outcome}>
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
                    <span className={`w-20 font-medium ${o.tone}`}>{o.label}</span>
                    <span className="font-mono text-xs">{e.exampleId ?? e.key}</span>
                    <span className="muted tabular-nums text-xs">
                      {formatScore(e.before?.score ?? null)} → {formatScore(e.after?.score ?? null)}
                    </span>
                  </summary>
                  <div className="space-y-2 px-3 pb-3 text-xs">
                    <div>
                      <div className="muted">Input</div>
                      <pre className="mt-0.5 max-h-40 overflow-auto rounded bg-zinc-50 p-2 whitespace-pre-wrap break-all dark:bg-zinc-900">{text(e.input)}</pre>
                    </div>
                    {e.expected !== null && (
                      <div>
                        <div className="muted">Expected</div>
                        <pre className="mt-0.5 max-h-40 overflow-auto rounded bg-zinc-50 p-2 whitespace-pre-wrap break-all dark:bg-zinc-900">{text(e.expected)}</pre>
                      </div>
                    )}
                    <div className="grid gap-2 sm:grid-cols-2">
                      {([['before', beforeLabel, e.before], ['after', afterLabel, e.after]] as const).map(([key, label, side]) => (
                        <div key={key} data-testid={`flip-${key}`}>
                          <div className="muted">
                            {label} · score {formatScore(side?.score ?? null)}
                            {side?.error ? ` · error: ${side.error}` : ''}
                          </div>
                          <pre className="mt-0.5 max-h-60 overflow-auto rounded bg-zinc-50 p-2 whitespace-pre-wrap break-all dark:bg-zinc-900">{side ? text(side.output) : 'not evaluated'}</pre>
                        </div>
                      ))}
                    </div>
                  </div>
                </details>
              </li>
            );
          })}
        </ul>
      )}
      {flips.total > flips.examples.length && (
        <p className="muted text-xs">Showing {flips.examples.length} of {flips.total} examples (changed ones first).</p>
      )}
    </div>
  );
}
