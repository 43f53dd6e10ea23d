'use client';

import { Fragment, useId, useState } from 'react';
import { RUN_COLORS } from '@/components/charts/chart-utils';

export interface ConfigDiffRow {
  path: string;
  // one display value per run; null where the run lacks the key
  values: Array<string | null>;
  differs: boolean;
}

// Configs side by side as dotted paths; rows whose values differ are highlighted, and a
// toggle hides the rest.
export function ConfigDiff({ runs, rows }: { runs: Array<{ id: string; name: string }>; rows: ConfigDiffRow[] }) {
  const differing = rows.filter((r) => r.differs).length;
  const [onlyDiff, setOnlyDiff] = useState(differing > 0);
  const toggleId = useId();
  const shown = onlyDiff ? rows.filter((r) => r.differs) : rows;

  return (
    <div data-testid="config-diff" data-differences={differing}>
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5">
        <p className="text-sm">
          <span className="font-medium">{differing}</span>
          <span className="muted">
            {' '}
            of {rows.length} config value{rows.length === 1 ? '' : 's'} differ
          </span>
        </p>
        <label htmlFor={toggleId} className="flex cursor-pointer items-center gap-2 text-sm select-none">
          <input
            id={toggleId}
            type="checkbox"
            data-testid="config-only-differences"
            checked={onlyDiff}
            onChange={(e) => setOnlyDiff(e.target.checked)}
            className="size-4 accent-indigo-600 focus-visible:outline-2 focus-visible:outline-indigo-500"
          />
          Only differences
        </label>
      </div>
      <div className="overflow-x-auto border-t border-zinc-100 dark:border-zinc-800">
        <table className="w-full text-sm" style={{ minWidth: 220 + runs.length * 160 }}>
          <caption className="sr-only">
            Configuration of each run by key; rows where the runs differ are marked “differs”
          </caption>
          <thead className="table-head">
            <tr>
              <th scope="col" className="sticky left-0 z-10 bg-zinc-50 px-4 py-2 dark:bg-zinc-900">
                Key
              </th>
              {runs.map((run, i) => (
                <th key={run.id} scope="col" className="px-3 py-2">
                  <span className="inline-flex items-center gap-1.5 normal-case">
                    <span aria-hidden className="size-2 rounded-full" style={{ background: RUN_COLORS[i] }} />
                    <span className="max-w-48 truncate" title={run.name}>
                      {run.name}
                    </span>
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {shown.length === 0 ? (
              <tr>
                <td colSpan={runs.length + 1} className="muted px-4 py-6 text-center">
                  {rows.length === 0 ? 'None of these runs logged a config.' : 'The configs are identical.'}
                </td>
              </tr>
            ) : (
              shown.map((row) => (
                <tr
                  key={row.path}
                  data-differs={row.differs || undefined}
                  className={row.differs ? 'bg-amber-50 dark:bg-amber-400/10' : undefined}
                >
                  <th
                    scope="row"
                    className={`sticky left-0 z-10 max-w-44 min-w-36 px-4 py-1.5 text-left font-mono text-xs font-normal [overflow-wrap:anywhere] sm:max-w-none sm:whitespace-nowrap ${
                      row.differs ? 'bg-amber-50 dark:bg-[#2f291c]' : 'bg-white dark:bg-zinc-900'
                    }`}
                  >
                    <span className="flex items-start gap-1.5">
                      {row.differs && <span className="mt-[5px] size-1.5 shrink-0 rounded-full bg-amber-500" aria-hidden />}
                      {/* on a phone a long path wraps after its dots, not mid-word */}
                      <span>
                        {row.path.split('.').map((part, i) => (
                          <Fragment key={i}>
                            {i > 0 && (
                              <>
                                .<wbr />
                              </>
                            )}
                            {part}
                          </Fragment>
                        ))}
                      </span>
                    </span>
                    {row.differs && <span className="sr-only"> (differs)</span>}
                  </th>
                  {row.values.map((value, i) => (
                    <td key={i} className="px-3 py-1.5 font-mono text-xs break-all">
                      {value === null ? <span className="muted italic">not set</span> : value}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
