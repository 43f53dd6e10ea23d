'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState, useTransition } from 'react';

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

  // The picks as last chosen: a second change before the URL caught up with the first
  // builds on it, not on the props (which still hold the old pair).
  const urlPick = `${from}:${to}:${mode}`;
  const [pick, setPick] = useState({ from, to, mode });
  const [seen, setSeen] = useState(urlPick);
  if (seen !== urlPick) {
    setSeen(urlPick);
    setPick({ from, to, mode });
  }

  const go = (patch: Partial<typeof pick>) => {
    const chosen = { ...pick, ...patch };
    setPick(chosen);
    const next = new URLSearchParams(searchParams);
    next.set('from', String(chosen.from));
    next.set('to', String(chosen.to));
    if (patch.mode || chosen.mode !== mode) next.set('dmode', chosen.mode);
    next.delete('dfull');
    startTransition(() => router.replace(`${pathname}?${next}`, { scroll: false }));
  };

  return (
    <div className="flex flex-wrap items-end gap-3" aria-busy={pending}>
      <IterationSelect name="from" label="From iteration" options={options} value={pick.from} onPick={(iteration) => go({ from: iteration })} />
      <button
        type="button"
        className="btn mb-px"
        onClick={() => go({ from: pick.to, to: pick.from })}
        aria-label="Swap from and to"
        title="Swap"
      >
        ⇄
      </button>
      <IterationSelect name="to" label="To iteration" options={options} value={pick.to} onPick={(iteration) => go({ to: iteration })} />
      {textAvailable && (
        <div role="group" aria-label="Compare as" className="inline-flex">
          <button
            type="button"
            aria-pressed={pick.mode === 'text'}
            className={`btn rounded-r-none ${pick.mode === 'text' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            onClick={() => go({ mode: 'text' })}
          >
            Readable
          </button>
          <button
            type="button"
            aria-pressed={pick.mode === 'json'}
            className={`btn -ml-px rounded-l-none ${pick.mode === 'json' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            onClick={() => go({ mode: 'json' })}
          >
            JSON
          </button>
        </div>
      )}
      {pending && <span className="muted mb-2 text-xs">Updating…</span>}
    </div>
  );
}

function IterationSelect({
  name,
  label,
  options,
  value,
  onPick,
}: {
  name: 'from' | 'to';
  label: string;
  options: DiffOption[];
  value: number;
  onPick: (iteration: number) => void;
}) {
  return (
    <div className="min-w-40 flex-1 sm:flex-none">
      <label className="label" htmlFor={`diff-${name}`}>
        {label}
      </label>
      <select id={`diff-${name}`} data-testid={`diff-${name}`} className="input" value={value} onChange={(e) => onPick(Number(e.target.value))}>
        {options.map((o) => (
          <option key={o.iteration} value={o.iteration}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
