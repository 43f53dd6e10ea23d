'use client';

import { useId, useRef, useState } from 'react';
import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { useChartFocus } from './use-chart-focus';
import { FOCUS_RING, ITERATION_AXIS, RUN_COLORS, scoreAxis, scoreDomain } from './chart-utils';
import { Swatch } from './score-chart';

export interface CompareSeries {
  id: string;
  name: string;
  points: Array<{ iteration: number; score: number | null }>;
}

type Row = { iteration: number } & Record<string, number | null>;

// Score curves of 2–4 runs on one chart, per iteration or as the best score so far.
export function CompareChart({ series, height = 320 }: { series: CompareSeries[]; height?: number }) {
  const [mode, setMode] = useState<'score' | 'best'>('score');
  const descId = useId();
  const chartBox = useRef<HTMLDivElement>(null);
  useChartFocus(chartBox);

  const byIteration = new Map<number, Row>();
  const bests: Array<number | null> = series.map(() => null);
  series.forEach((s, i) => {
    let best: number | null = null;
    for (const p of s.points) {
      if (p.score !== null && (best === null || p.score > best)) best = p.score;
      const row = byIteration.get(p.iteration) ?? ({ iteration: p.iteration } as Row);
      row[`r${i}`] = mode === 'best' ? best : p.score;
      byIteration.set(p.iteration, row);
    }
    bests[i] = best;
  });
  const rows = [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
  const all = series.flatMap((s) => s.points.map((p) => p.score)).filter((s): s is number => s !== null);
  const domain = scoreDomain(all);
  const summary = series
    .map((s, i) => `${s.name}: ${s.points.length} iterations, best ${bests[i] === null ? 'none' : bests[i]!.toFixed(3)}`)
    .join('; ');

  return (
    <figure className="relative m-0" aria-label="Score per iteration of each run" aria-describedby={descId}>
      <p id={descId} className="sr-only">
        {summary}
      </p>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-700 dark:text-zinc-300" aria-label="Legend">
          {series.map((s, i) => (
            <li key={s.id} className="inline-flex items-center gap-1.5" data-run={s.id}>
              <Swatch line dot color={RUN_COLORS[i]!} />
              <span className="max-w-56 truncate" title={s.name}>
                {s.name}
              </span>
            </li>
          ))}
        </ul>
        <div role="group" aria-label="Curve" className="inline-flex">
          <button
            type="button"
            aria-pressed={mode === 'score'}
            onClick={() => setMode('score')}
            className={`btn rounded-r-none text-xs ${mode === 'score' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
          >
            Score
          </button>
          <button
            type="button"
            aria-pressed={mode === 'best'}
            onClick={() => setMode('best')}
            className={`btn -ml-px rounded-l-none text-xs ${mode === 'best' ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
          >
            Best so far
          </button>
        </div>
      </div>
      <div ref={chartBox} className={`text-zinc-500 dark:text-zinc-400 ${FOCUS_RING}`} style={{ height }}>
        <LineChart
          responsive
          style={{ width: '100%', height: '100%' }}
          data={rows}
          margin={{ top: 8, right: 16, bottom: 4, left: -8 }}
          title="Score per iteration of each run"
          desc={summary}
        >
          <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
          <XAxis {...ITERATION_AXIS} />
          <YAxis {...scoreAxis(domain)} />
          <Tooltip
            content={(props) => <CompareTooltip {...props} series={series} />}
            cursor={{ stroke: 'currentColor', strokeOpacity: 0.25 }}
          />
          {series.map((s, i) => (
            <Line
              key={s.id}
              type={mode === 'best' ? 'stepAfter' : 'linear'}
              dataKey={`r${i}`}
              name={s.name}
              stroke={RUN_COLORS[i]}
              strokeWidth={2}
              connectNulls
              dot={mode === 'score' && rows.length <= 60 ? { r: 2.5, fill: RUN_COLORS[i], strokeWidth: 0 } : false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </div>
      <table className="sr-only">
        <caption>Best score of each run</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Iterations</th>
            <th scope="col">Best score</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s, i) => (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.points.length}</td>
              <td>{bests[i] === null ? '—' : bests[i]!.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function CompareTooltip({
  active,
  payload,
  label,
  series,
}: Pick<TooltipContentProps, 'active' | 'payload' | 'label'> & { series: CompareSeries[] }) {
  if (!active || !payload?.length) return null;
  const row = payload[0]!.payload as Row;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
      <div className="font-medium text-zinc-900 dark:text-zinc-100">Iteration {label}</div>
      <ul className="mt-1 space-y-0.5">
        {series.map((s, i) => {
          const v = row[`r${i}`];
          return (
            <li key={s.id} className="flex items-center gap-2 text-zinc-600 dark:text-zinc-300">
              <span className="size-2 rounded-full" style={{ background: RUN_COLORS[i] }} aria-hidden />
              <span className="max-w-48 truncate">{s.name}</span>
              <span className="ml-auto pl-3 font-mono tabular-nums">{typeof v === 'number' ? v.toFixed(4) : '—'}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
