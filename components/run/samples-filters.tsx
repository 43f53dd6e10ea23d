'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useRef, useTransition, type FormEvent } from 'react';
import type { SampleFilterValues } from '@/lib/dashboard/sample-filters';

export type { SampleFilterValues };


const SAMPLE_PARAMS = ['sIter', 'sErrors', 'sMin', 'sMax', 'sCursor', 'sHist'];

// Filters of the samples table, kept in the URL (sIter, sErrors, sMin, sMax). Works as a
// plain GET form without JavaScript; with it, navigates without losing the scroll position.
export function SamplesFilters({
  values,
  iterations,
}: {
  values: SampleFilterValues;
  iterations: Array<{ iteration: number; samples: number; errors: number }>;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const form = useRef<HTMLFormElement>(null);
  const [pending, startTransition] = useTransition();
  const kept = [...searchParams.entries()].filter(([key]) => !SAMPLE_PARAMS.includes(key));

  const apply = (event?: FormEvent<HTMLFormElement>) => {
    event?.preventDefault();
    const data = new FormData(form.current!);
    const next = new URLSearchParams(kept);
    for (const key of ['sIter', 'sErrors', 'sMin', 'sMax']) {
      const value = String(data.get(key) ?? '').trim();
      if (value) next.set(key, value);
    }
    const query = next.toString();
    startTransition(() => router.push(`${pathname}${query ? `?${query}` : ''}#samples`, { scroll: false }));
  };

  const reset = () => {
    const next = new URLSearchParams(kept);
    const query = next.toString();
    form.current?.reset();
    startTransition(() => router.push(`${pathname}${query ? `?${query}` : ''}#samples`, { scroll: false }));
  };

  const active = values.iteration !== null || values.errorsOnly || values.minScore !== null || values.maxScore !== null;
  // a new key per filter set resets the uncontrolled inputs after navigation
  const key = JSON.stringify(values);

  return (
    <form
      key={key}
      ref={form}
      method="get"
      action={`${pathname}#samples`}
      onSubmit={apply}
      className="flex flex-wrap items-end gap-3"
      aria-label="Filter samples"
      aria-busy={pending}
    >
      {kept.map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <div className="w-full sm:w-56">
        <label className="label" htmlFor="sample-iteration">
          Iteration
        </label>
        <select
          id="sample-iteration"
          name="sIter"
          data-testid="sample-filter-iteration"
          className="input"
          defaultValue={values.iteration ?? ''}
          onChange={() => apply()}
        >
          <option value="">All iterations</option>
          {iterations.map((it) => (
            <option key={it.iteration} value={it.iteration}>
              #{it.iteration} · {it.samples} sample{it.samples === 1 ? '' : 's'}
              {it.errors ? ` · ${it.errors} failed` : ''}
            </option>
          ))}
        </select>
      </div>
      <ScoreInput name="sMin" id="min" label="Min score" placeholder="0" value={values.minScore} />
      <ScoreInput name="sMax" id="max" label="Max score" placeholder="1" value={values.maxScore} />
      <label className="flex h-[34px] cursor-pointer items-center gap-2 text-sm select-none">
        <input
          type="checkbox"
          name="sErrors"
          value="1"
          data-testid="sample-filter-errors"
          className="size-4 rounded border-zinc-300 accent-indigo-600 focus-visible:outline-2 focus-visible:outline-indigo-500"
          defaultChecked={values.errorsOnly}
          onChange={() => apply()}
        />
        Failures only
      </label>
      <div className="flex gap-2">
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
        {active && (
          <button type="button" className="btn" onClick={reset}>
            Reset
          </button>
        )}
      </div>
      {pending && <span className="muted self-center text-xs">Loading…</span>}
    </form>
  );
}

function ScoreInput({ name, id, label, placeholder, value }: { name: string; id: 'min' | 'max'; label: string; placeholder: string; value: number | null }) {
  return (
    <div className="w-24">
      <label className="label" htmlFor={`sample-${id}`}>
        {label}
      </label>
      <input
        id={`sample-${id}`}
        name={name}
        type="number"
        inputMode="decimal"
        min={0}
        max={1}
        step={0.01}
        placeholder={placeholder}
        className="input"
        data-testid={`sample-filter-${id}`}
        defaultValue={value ?? ''}
      />
    </div>
  );
}
