'use client';

import { useEffect, useState } from 'react';
import type { ConfigImportance, GroupedCurves } from '@/lib/supabase-optimization';
import { GroupedChart } from './grouped-chart';
import { ParallelCoordinates } from './parallel-coordinates';

const SMOOTHING = [
  { value: 0, label: 'None' },
  { value: 0.6, label: 'Light (0.6)' },
  { value: 0.9, label: 'Strong (0.9)' },
];

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: T };

// Answers by URL for this page's lifetime: a remounted panel (a refresh of the page, a
// hydration retry) shows what was already fetched instead of waiting on a lost request.
const answers = new Map<string, Promise<unknown>>();
function cachedJson<T>(url: string): Promise<T> {
  let answer = answers.get(url) as Promise<T> | undefined;
  if (!answer) {
    answer = getJson<T>(url);
    answers.set(url, answer);
    answer.catch(() => answers.delete(url));
    if (answers.size > 50) answers.delete(answers.keys().next().value!);
  }
  return answer;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
  return body as T;
}

// Analysis of every run the filters select (not only a page): score curves grouped with
// mean ± sd, and which config keys go with the final score. Read from the API, computed in
// PostgreSQL under the viewer's access.
export function RunsAnalysis({ projectId, filterQuery, initialGroupBy }: { projectId: string; filterQuery: string; initialGroupBy?: string }) {
  const [groupBy, setGroupBy] = useState(initialGroupBy ?? 'optimizer');
  const [smoothing, setSmoothing] = useState(0);
  // results are kept with the URL they answer, so a late answer to an older request is never shown
  const [curvesResult, setCurvesResult] = useState<{ url: string; load: Load<GroupedCurves> } | null>(null);
  const [importanceResult, setImportanceResult] = useState<{ url: string; load: Load<ConfigImportance> } | null>(null);
  const base = `projectId=${encodeURIComponent(projectId)}${filterQuery ? `&${filterQuery}` : ''}`;
  const importanceUrl = `/api/v1/analysis/config-importance?${base}`;
  const curvesUrl = `/api/v1/analysis/curves?${base}&groupBy=${encodeURIComponent(groupBy)}&smoothing=${smoothing}`;

  useEffect(() => {
    cachedJson<ConfigImportance>(importanceUrl).then(
      (data) => setImportanceResult({ url: importanceUrl, load: { state: 'ready', data } }),
      (e: Error) => setImportanceResult({ url: importanceUrl, load: { state: 'error', message: e.message } }),
    );
  }, [importanceUrl]);

  useEffect(() => {
    cachedJson<GroupedCurves>(curvesUrl).then(
      (data) => setCurvesResult({ url: curvesUrl, load: { state: 'ready', data } }),
      (e: Error) => setCurvesResult({ url: curvesUrl, load: { state: 'error', message: e.message } }),
    );
  }, [curvesUrl]);

  const curves: Load<GroupedCurves> = curvesResult?.url === curvesUrl ? curvesResult.load : { state: 'loading' };
  const importance: Load<ConfigImportance> = importanceResult?.url === importanceUrl ? importanceResult.load : { state: 'loading' };

  const configKeys = importance.state === 'ready' ? importance.data.keys.map((k) => k.key) : [];
  const options = ['optimizer', 'model', 'tag', ...configKeys.filter((k) => k !== 'model').map((k) => `config.${k}`)];
  if (!options.includes(groupBy)) options.push(groupBy);

  return (
    <section className="card mt-6 overflow-hidden" aria-labelledby="analysis-heading" data-testid="runs-analysis">
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-100 px-4 py-3 sm:px-5 dark:border-zinc-800">
        <div>
          <h2 id="analysis-heading" className="text-base font-semibold">Analysis of the filtered runs</h2>
          <p className="muted mt-0.5 text-sm">
            {curves.state === 'ready'
              ? `${curves.data.runs.toLocaleString('en-US')} run${curves.data.runs === 1 ? '' : 's'}${curves.data.truncated ? ' (the first 1,000 in list order)' : ''} · mean score per iteration, band ± 1 sd`
              : 'Every run the filters select, not only this page.'}
          </p>
        </div>
        <div className="flex flex-wrap items-end gap-3 text-sm">
          <label className="flex flex-col gap-1">
            <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Group by</span>
            <select className="input" value={groupBy} onChange={(e) => setGroupBy(e.target.value)} data-testid="group-by">
              {options.map((o) => (
                <option key={o} value={o}>
                  {o === 'optimizer' ? 'Optimizer' : o === 'model' ? 'Model' : o === 'tag' ? 'Tag' : o}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Smoothing</span>
            <select className="input" value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} data-testid="smoothing">
              {SMOOTHING.map((s) => (
                <option key={s.value} value={s.value}>{s.label}</option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <div className="space-y-6 px-4 py-4 sm:px-5">
        {curves.state === 'loading' && <p className="muted py-10 text-center text-sm" role="status">Computing the grouped curves…</p>}
        {curves.state === 'error' && <p className="py-4 text-sm text-rose-700 dark:text-rose-300" role="alert">Could not load the curves: {curves.message}</p>}
        {curves.state === 'ready' &&
          (curves.data.groups.length === 0 ? (
            <p className="muted py-6 text-center text-sm">No run matches these filters.</p>
          ) : (
            <>
              <GroupedChart groups={curves.data.groups} />
              {curves.data.omittedGroups > 0 && (
                <p className="muted text-xs">{curves.data.omittedGroups} smaller groups are not drawn (at most 12).</p>
              )}
            </>
          ))}
        <div>
          <h3 className="text-sm font-semibold">Config → final score</h3>
          <p className="muted mt-0.5 max-w-3xl text-xs" data-testid="importance-explained">
            Each config key splits the runs that have a final score into groups by its value (a run without the key forms its own
            group). <strong>η²</strong> is the share of the final score&apos;s variance that lies between those groups
            (between-group sum of squares ÷ total); <strong>ε²</strong> corrects it for the number of groups, so a key with a
            different value in every run does not look decisive. Computed in the database over the filtered runs. It says the key
            goes with the score, not that it causes it.
          </p>
          {importance.state === 'loading' && <p className="muted py-4 text-sm" role="status">Computing…</p>}
          {importance.state === 'error' && <p className="py-4 text-sm text-rose-700 dark:text-rose-300" role="alert">{importance.message}</p>}
          {importance.state === 'ready' &&
            (importance.data.keys.length === 0 ? (
              <p className="muted py-4 text-sm">No config key takes two values among runs with a final score.</p>
            ) : (
              <div className="mt-3 grid gap-4 lg:grid-cols-[minmax(0,22rem)_1fr]">
                <table className="w-full text-sm" data-testid="importance-table">
                  <thead>
                    <tr className="text-left text-xs text-zinc-700 dark:text-zinc-300">
                      <th className="py-1 pr-2 font-medium">Config key</th>
                      <th className="py-1 pr-2 text-right font-medium">Values</th>
                      <th className="py-1 pr-2 text-right font-medium">η²</th>
                      <th className="py-1 text-right font-medium">ε²</th>
                    </tr>
                  </thead>
                  <tbody>
                    {importance.data.keys.slice(0, 12).map((k) => (
                      <tr key={k.key} className="border-t border-zinc-100 dark:border-zinc-800">
                        <td className="max-w-48 truncate py-1 pr-2 font-mono text-xs" title={`${k.key} (${k.type})`}>{k.key}</td>
                        <td className="py-1 pr-2 text-right tabular-nums">{k.groups}</td>
                        <td className="py-1 pr-2 text-right tabular-nums">{k.etaSquared === null ? '—' : k.etaSquared.toFixed(2)}</td>
                        <td className="py-1 text-right tabular-nums">{k.epsilonSquared === null ? '—' : Math.max(0, k.epsilonSquared).toFixed(2)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <ParallelCoordinates keys={importance.data.parallel.keys} runs={importance.data.parallel.runs} />
              </div>
            ))}
        </div>
      </div>
    </section>
  );
}
