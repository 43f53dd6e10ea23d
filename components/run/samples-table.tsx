'use client';

import { Fragment, useState } from 'react';
import type { OptimizationSample } from '@/lib/supabase-optimization/dto';
import type { JsonValue } from '@/lib/supabase-optimization/schemas';
import { JsonTree } from './json-tree';
import { formatCost, formatLatency } from '@/lib/format';

export type SampleRow = Pick<
  OptimizationSample,
  'id' | 'iteration' | 'sampleIndex' | 'input' | 'output' | 'expected' | 'score' | 'error' | 'latencyMs' | 'tokens' | 'costUsd' | 'programHash' | 'metadata'
>;

// One line of a JSON value: the first string it holds, or compact JSON.
function preview(value: JsonValue | null): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.values(value);
    if (entries.length === 1 && typeof entries[0] === 'string') return entries[0];
  }
  return JSON.stringify(value);
}

function scoreTone(score: number | null): string {
  if (score === null) return 'text-zinc-500';
  if (score >= 0.8) return 'text-emerald-700 dark:text-emerald-400';
  if (score >= 0.5) return 'text-amber-700 dark:text-amber-400';
  return 'text-rose-700 dark:text-rose-400';
}

export function SamplesTable({ rows }: { rows: SampleRow[] }) {
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="overflow-x-auto">
      <table data-testid="samples-table" className="w-full min-w-[820px] table-fixed text-sm">
        <caption className="sr-only">Samples: input, output, score and error; expand a row for the full JSON</caption>
        <colgroup>
          <col className="w-10" />
          <col className="w-20" />
          <col className="w-20" />
          <col />
          <col />
          <col className="w-36" />
          <col className="w-20" />
        </colgroup>
        <thead className="table-head">
          <tr>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Expand</span>
            </th>
            <th scope="col" className="px-3 py-2">Sample</th>
            <th scope="col" className="px-3 py-2">Score</th>
            <th scope="col" className="px-3 py-2">Input</th>
            <th scope="col" className="px-3 py-2">Output</th>
            <th scope="col" className="px-3 py-2">Error</th>
            <th scope="col" className="px-3 py-2 text-right">Latency</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {rows.map((row) => {
            const expanded = open.has(row.id);
            const detailId = `sample-${row.id}-details`;
            const label = `iteration ${row.iteration}, sample ${row.sampleIndex}`;
            return (
              <Fragment key={row.id}>
                <tr
                  data-testid="sample-row"
                  data-iteration={row.iteration}
                  data-error={row.error ? 'true' : undefined}
                  className={`cursor-pointer align-top hover:bg-zinc-50 dark:hover:bg-zinc-800/40 ${row.error ? 'bg-rose-50/40 dark:bg-rose-400/5' : ''}`}
                  onClick={(event) => {
                    // the row opens like its ▸ button, unless the click was on a control or ended a text selection
                    if ((event.target as HTMLElement).closest('button, a, input, select, textarea')) return;
                    if (window.getSelection()?.toString()) return;
                    toggle(row.id);
                  }}
                >
                  <td className="px-3 py-2">
                    <button
                      type="button"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailId : undefined}
                      aria-label={`${expanded ? 'Collapse' : 'Expand'} ${label}`}
                      onClick={() => toggle(row.id)}
                      className="inline-flex size-6 items-center justify-center rounded text-zinc-500 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-800 dark:text-zinc-400"
                    >
                      <span aria-hidden className={`transition-transform ${expanded ? 'rotate-90' : ''}`}>
                        ▸
                      </span>
                    </button>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs whitespace-nowrap tabular-nums">
                    <span className="muted">#{row.iteration}</span>
                    <span className="mx-0.5 text-zinc-300 dark:text-zinc-400">/</span>
                    {row.sampleIndex}
                  </td>
                  <td className={`px-3 py-2 font-mono font-medium tabular-nums ${scoreTone(row.score)}`}>
                    {row.score === null ? '—' : row.score.toFixed(2)}
                  </td>
                  <td className="truncate px-3 py-2" title={preview(row.input)}>
                    {preview(row.input)}
                  </td>
                  <td className="truncate px-3 py-2" title={preview(row.output)}>
                    {row.output === null ? <span className="muted italic">no output</span> : preview(row.output)}
                  </td>
                  <td className="px-3 py-2">
                    {row.error ? (
                      <span
                        className="block truncate rounded bg-rose-100 px-1.5 py-0.5 text-xs text-rose-800 dark:bg-rose-400/15 dark:text-rose-300"
                        title={row.error}
                      >
                        {row.error}
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{formatLatency(row.latencyMs)}</td>
                </tr>
                {expanded && (
                  <tr id={detailId} className="bg-zinc-50/70 dark:bg-zinc-950/40">
                    <td colSpan={7} className="px-4 py-3">
                      {row.error && (
                        <div className="mb-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 dark:border-rose-500/30 dark:bg-rose-500/10">
                          <p className="text-xs font-medium text-rose-800 dark:text-rose-300">Error</p>
                          <p className="mt-0.5 font-mono text-xs break-words whitespace-pre-wrap text-rose-900 dark:text-rose-200">
                            {row.error}
                          </p>
                        </div>
                      )}
                      <div className="grid gap-3 lg:grid-cols-3">
                        <JsonBlock title="Input" value={row.input} />
                        <JsonBlock title="Output" value={row.output} />
                        <JsonBlock title="Expected" value={row.expected} />
                      </div>
                      <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-1 text-xs">
                        <Meta label="Tokens" value={row.tokens.toLocaleString('en-US')} />
                        <Meta label="Cost" value={formatCost(row.costUsd)} />
                        <Meta label="Program" value={row.programHash ?? '—'} mono />
                        {Object.entries(row.metadata).map(([k, v]) => (
                          <Meta key={k} label={k} value={typeof v === 'string' ? v : JSON.stringify(v)} mono />
                        ))}
                      </dl>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function JsonBlock({ title, value }: { title: string; value: JsonValue | null }) {
  return (
    <div className="min-w-0 rounded-md border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <p className="label">{title}</p>
      {value === null ? <p className="muted text-xs italic">none</p> : <JsonTree value={value} openDepth={4} />}
    </div>
  );
}

function Meta({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div className="flex gap-1.5">
      <dt className="muted">{label}</dt>
      <dd className={mono ? 'font-mono' : 'tabular-nums'}>{value}</dd>
    </div>
  );
}
