'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTransition } from 'react';

export interface DiffOption {
  iteration: number;
  label: string;
}

// Picks the two iterations (and the diff mode) and keeps them in the URL: ?from=3&to=7.
export function DiffControls({
  options,
  from,
  to,
  mode,
  textAvailable,
}: {
  options: DiffOption[];
  from: number;
  to: number;
  mode: 'text' | 'json';
  textAvailable: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();

  const go = (patch: Record<string, string>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(patch)) next.set(key, value);
    next.delete('dfull');
    startTransition(() => router.replace(`${pathname}?${next}`, { scroll: false }));
  };

  return (
    <div className="flex flex-wrap items-end gap-3" aria-busy={pending}>
      <div className="min-w-40 flex-1 sm:flex-none">
        <label className="label" htmlFor="diff-from">
          From iteration
        </label>
        <select
          id="diff-from"
          data-testid="diff-from"
          className="input"
          value={from}
          onChange={(e) => go({ from: e.target.value, to: String(to) })}
        >
          {options.map((o) => (
            <option key={o.iteration} value={o.iteration}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="btn mb-px"
        onClick={() => go({ from: String(to), to: String(from) })}
        aria-label="Swap from and to"
        title="Swap"
      >
        ⇄
      </button>
      <div className="min-w-40 flex-1 sm:flex-none">
        <label className="label" htmlFor="diff-to">
          To iteration
        </label>
        <select
          id="diff-to"
          data-testid="diff-to"
          className="input"
          value={to}
          onChange={(e) => go({ from: String(from), to: e.target.value })}
        >
          {options.map((o) => (
            <option key={o.iteration} value={o.iteration}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      {textAvailable && (
        <div role="group" aria-label="Compare as" className="inline-flex">
          <button
            type="button"
            aria-pressed={mode === 'text'}
            className={`btn rounded-r-none ${mode === 'text' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            onClick={() => go({ dmode: 'text', from: String(from), to: String(to) })}
          >
            Readable
          </button>
          <button
            type="button"
            aria-pressed={mode === 'json'}
            className={`btn -ml-px rounded-l-none ${mode === 'json' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            onClick={() => go({ dmode: 'json', from: String(from), to: String(to) })}
          >
            JSON
          </button>
        </div>
      )}
      {pending && <span className="muted mb-2 text-xs">Updating…</span>}
    </div>
  );
}
