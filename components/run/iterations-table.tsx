'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { Fragment, useState } from 'react';
import type { EvalKind, JsonObject, JsonValue } from '@/lib/supabase-optimization/schemas';
import { JsonTree } from './json-tree';
import { formatCost, formatDuration, formatLatency, formatScore, formatTokens } from '@/lib/format';

export interface IterationRow {
  iteration: number;
  score: number | null;
  isBest: boolean;
  // the program the optimizer returned
  isSelected: boolean;
  kind: EvalKind | null;
  params: JsonObject;
  latencyMs: number | null;
  tokens: number;
  costUsd: number;
  samplesEvaluated: number;
  durationMs: number | null;
  programHash: string | null;
  createdAt: string;
}

const PAGE = 100;
// params that only repeat the iteration number, the evaluation kind or its size
const NOISE = new Set(['eval_type', 'evalType', 'minibatch', 'full_eval', 'fullEval', 'minibatch_size', 'full_eval_size']);
const COUNTERS = new Set(['trial', 'step', 'candidate_program', 'iteration']);

// Chips show the params that vary between iterations (the ones worth scanning); constant
// ones are in the row's details.
function varyingKeys(rows: IterationRow[]): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const [key, value] of Object.entries(row.params)) {
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key)!.add(JSON.stringify(value));
    }
  }
  const keys = [...seen.keys()].filter((key) => rows.length === 1 || seen.get(key)!.size > 1 || rows.some((r) => !(key in r.params)));
  return new Set(keys);
}

function keyParams(row: IterationRow, varying: Set<string>): Array<[string, JsonValue]> {
  return Object.entries(row.params).filter(([key, value]) => {
    if (NOISE.has(key) || !varying.has(key)) return false;
    if (COUNTERS.has(key) && (value === row.iteration || value === row.iteration + 1)) return false;
    return value === null || typeof value !== 'object';
  });
}

export function IterationsTable({ rows, bestIteration }: { rows: IterationRow[]; bestIteration: number | null }) {
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const [showAll, setShowAll] = useState(false);
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const shown = showAll ? rows : rows.slice(0, PAGE);
  const varying = varyingKeys(rows);

  const diffHref = (from: number, to: number) => {
    const next = new URLSearchParams(searchParams);
    next.set('from', String(from));
    next.set('to', String(to));
    // scrolling is left on: the router brings #program-diff into view, where the diff changed
    return `${pathname}?${next}#program-diff`;
  };
  const toggle = (iteration: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(iteration)) next.delete(iteration);
      else next.add(iteration);
      return next;
    });

  if (rows.length === 0) {
    return <p className="muted px-4 py-8 text-center text-sm">No iterations yet. They appear here as the optimizer logs them.</p>;
  }

  return (
    <div>
      <div className="overflow-x-auto">
        <table data-testid="iterations-table" className="w-full min-w-[760px] text-sm">
          <caption className="sr-only">Iterations with score, parameters, latency, tokens and cost</caption>
          <thead className="table-head">
            <tr>
              <th scope="col" className="w-16 px-4 py-2">#</th>
              <th scope="col" className="px-3 py-2">Score</th>
              <th scope="col" className="px-3 py-2">Eval</th>
              <th scope="col" className="px-3 py-2">Key params</th>
              <th scope="col" className="px-3 py-2 text-right">Latency</th>
              <th scope="col" className="px-3 py-2 text-right">Tokens</th>
              <th scope="col" className="px-3 py-2 text-right">Cost</th>
              <th scope="col" className="px-3 py-2 text-right">
                <span className="sr-only">Details</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {shown.map((row) => {
              const expanded = open.has(row.iteration);
              const chips = keyParams(row, varying);
              const detailId = `iteration-${row.iteration}-details`;
              return (
                <Fragment key={row.iteration}>
                  <tr
                    data-testid="iteration-row"
                    data-iteration={row.iteration}
                    data-best={row.isBest || undefined}
                    className={row.isBest ? 'bg-amber-50/70 dark:bg-amber-400/5' : undefined}
                  >
                    <td className="px-4 py-2 font-mono tabular-nums">{row.iteration}</td>
                    <td className="px-3 py-2 whitespace-nowrap">
                      <span className="font-mono font-medium tabular-nums">{formatScore(row.score)}</span>
                      {row.isBest && (
                        <span
                          data-testid="best-badge"
                          className="ml-2 inline-flex items-center gap-0.5 rounded-full bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold text-amber-800 dark:bg-amber-400/15 dark:text-amber-300"
                        >
                          <span aria-hidden>★</span> best
                        </span>
                      )}
                      {row.isSelected && (
                        <span
                          data-testid="selected-badge"
                          title="The program the optimizer returned"
                          className="ml-1 inline-flex items-center rounded-full bg-emerald-100 px-1.5 py-0.5 text-[11px] font-semibold text-emerald-800 dark:bg-emerald-400/15 dark:text-emerald-300"
                        >
                          selected
                        </span>
                      )}
                    </td>
                    <td className="px-3 py-2">
                      {row.kind ? <EvalBadge kind={row.kind} /> : <span className="muted">—</span>}
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex max-w-md flex-wrap gap-1">
                        {chips.slice(0, 4).map(([key, value]) => (
                          <span
                            key={key}
                            className="inline-flex max-w-[14rem] items-center truncate rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
                            title={`${key} = ${JSON.stringify(value)}`}
                          >
                            <span className="text-zinc-600 dark:text-zinc-400">{key}</span>=
                            {typeof value === 'string' ? value : JSON.stringify(value)}
                          </span>
                        ))}
                        {chips.length > 4 && <span className="muted text-[11px]">+{chips.length - 4} more</span>}
                      </div>
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{formatLatency(row.latencyMs)}</td>
                    <td className="px-3 py-2 text-right tabular-nums" title={row.tokens.toLocaleString('en-US')}>
                      {formatTokens(row.tokens)}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{formatCost(row.costUsd)}</td>
                    <td className="px-3 py-2 text-right">
                      <button
                        type="button"
                        className="rounded px-1.5 py-0.5 text-xs font-medium text-indigo-600 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400 dark:hover:bg-indigo-400/10"
                        aria-expanded={expanded}
                        aria-controls={expanded ? detailId : undefined}
                        onClick={() => toggle(row.iteration)}
                      >
                        {expanded ? 'Hide' : 'Params'}
                        <span className="sr-only"> of iteration {row.iteration}</span>
                      </button>
                    </td>
                  </tr>
                  {expanded && (
                    <tr id={detailId} className="bg-zinc-50/70 dark:bg-zinc-950/40">
                      <td colSpan={8} className="px-4 py-3">
                        <div className="grid gap-4 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
                          <div>
                            <p className="label">Params</p>
                            <JsonTree value={row.params} openDepth={3} label={`Params of iteration ${row.iteration}`} />
                          </div>
                          <div className="space-y-3 text-xs">
                            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
                              <dt className="muted">Samples evaluated</dt>
                              <dd className="tabular-nums">{row.samplesEvaluated.toLocaleString('en-US')}</dd>
                              <dt className="muted">Duration</dt>
                              <dd className="tabular-nums">{formatDuration(row.durationMs)}</dd>
                              <dt className="muted">Program hash</dt>
                              <dd className="font-mono break-all">{row.programHash ?? '—'}</dd>
                              <dt className="muted">Logged</dt>
                              <dd>{row.createdAt.slice(0, 19).replace('T', ' ')} UTC</dd>
                            </dl>
                            <div className="flex flex-wrap gap-2">
                              {bestIteration !== null && bestIteration !== row.iteration && (
                                <Link className="btn px-2 py-1 text-xs" href={diffHref(row.iteration, bestIteration)}>
                                  Diff vs best
                                </Link>
                              )}
                              {row.iteration !== rows[0]!.iteration && (
                                <Link className="btn px-2 py-1 text-xs" href={diffHref(rows[0]!.iteration, row.iteration)}>
                                  Diff vs first
                                </Link>
                              )}
                              {rows.some((r) => r.iteration < row.iteration) && (
                                <Link
                                  className="btn px-2 py-1 text-xs"
                                  href={diffHref(rows.filter((r) => r.iteration < row.iteration).at(-1)!.iteration, row.iteration)}
                                >
                                  Diff vs previous
                                </Link>
                              )}
                            </div>
                          </div>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {rows.length > PAGE && (
        <div className="border-t border-zinc-100 px-4 py-2 text-center dark:border-zinc-800">
          <button type="button" className="btn text-xs" onClick={() => setShowAll((v) => !v)}>
            {showAll ? `Show the first ${PAGE}` : `Show all ${rows.length.toLocaleString('en-US')} iterations`}
          </button>
        </div>
      )}
    </div>
  );
}

export function EvalBadge({ kind }: { kind: EvalKind }) {
  return kind === 'full' ? (
    <span className="rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 dark:bg-indigo-400/10 dark:text-indigo-300">
      full
    </span>
  ) : (
    <span className="rounded bg-sky-50 px-1.5 py-0.5 text-[11px] font-medium text-sky-700 dark:bg-sky-400/10 dark:text-sky-300">
      minibatch
    </span>
  );
}
