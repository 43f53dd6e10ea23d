'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useRef, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, ReferenceDot, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartFocus } from '@/components/charts/use-chart-focus';
import { FOCUS_RING, scoreAxis, scoreDomain } from '@/components/charts/chart-utils';
import type { TrialPoint, TrialSeries } from '@/lib/supabase-optimization';
import { INSIGHT_COLORS, iterationHref } from './links';

type Axis = 'iteration' | 'trial' | 'budget' | 'elapsed' | 'cost';

const AXIS_LABEL: Record<Axis, string> = {
  iteration: 'Iteration',
  trial: 'Trial',
  budget: 'Metric calls used',
  elapsed: 'Wall time (s)',
  cost: 'Cost (USD)',
};

interface Row {
  x: number;
  iteration: number;
  point: TrialPoint;
  minibatch: number | null;
  full: number | null;
  bestSoFar: number | null;
}

// x of a point on the chosen axis; an evaluation without a trial or budget number (a full
// evaluation between trials) sits at the last one before it.
function rowsFor(points: TrialPoint[], axis: Axis): Row[] {
  let lastTrial = 0;
  let lastBudget = 0;
  return points.map((p) => {
    lastTrial = p.trial ?? lastTrial;
    lastBudget = p.budgetUsed ?? lastBudget;
    const x =
      axis === 'trial' ? lastTrial : axis === 'budget' ? lastBudget : axis === 'elapsed' ? p.elapsedMs / 1000 : axis === 'cost' ? p.cumulativeCostUsd : p.iteration;
    const full = p.evalKind !== 'minibatch' && p.dataset !== 'train' ? p.score : null;
    return { x, iteration: p.iteration, point: p, minibatch: p.evalKind === 'minibatch' ? p.score : null, full, bestSoFar: p.bestSoFar };
  });
}

export function TrialsChart({ series, basePath, height = 300 }: { series: TrialSeries; basePath: string; height?: number }) {
  const router = useRouter();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useChartFocus(box);
  const axes: Axis[] = [
    'iteration',
    ...(series.axes.trial ? (['trial'] as const) : []),
    ...(series.axes.budget ? (['budget'] as const) : []),
    'elapsed' as const,
    ...(series.axes.cost ? (['cost'] as const) : []),
  ];
  const [axis, setAxis] = useState<Axis>(series.axes.trial ? 'trial' : series.axes.budget ? 'budget' : 'iteration');
  const rows = rowsFor(series.points, axis);
  const scores = series.points.map((p) => p.score).filter((s): s is number => s !== null);
  const domain = scoreDomain(scores);
  const selected = rows.find((r) => r.point.isSelected) ?? rows.find((r) => r.point.isBest) ?? null;
  const minibatches = rows.filter((r) => r.minibatch !== null).length;
  const fulls = rows.filter((r) => r.full !== null).length;
  const lastBest = rows.at(-1)?.bestSoFar ?? null;
  const open = (row: Row | undefined) => row && router.push(iterationHref(basePath, row.iteration), { scroll: true });
  // a minibatch point's own click comes first; the chart's click (nearest x) then stands down
  const pointClicked = useRef(false);

  return (
    <figure aria-labelledby={titleId} className="m-0" data-testid="insight-trials" data-axis={axis}>
      <figcaption id={titleId} className="sr-only">
        Score by {AXIS_LABEL[axis].toLowerCase()}: {minibatches} minibatch and {fulls} full evaluations; best full evaluation so far{' '}
        {lastBest === null ? 'none' : lastBest.toFixed(3)}.
      </figcaption>
      <div role="group" aria-label="Horizontal axis" className="mb-3 flex flex-wrap gap-1.5">
        {axes.map((a) => (
          <button
            key={a}
            type="button"
            className={`btn px-2 py-1 text-xs ${a === axis ? 'btn-primary' : ''}`}
            aria-pressed={a === axis}
            onClick={() => setAxis(a)}
            data-testid={`trials-axis-${a}`}
          >
            {AXIS_LABEL[a]}
          </button>
        ))}
        {axis === 'elapsed' && series.axes.elapsed === 'written' && (
          <span className="muted self-center text-xs">time since the first iteration was written (the optimizer reported none)</span>
        )}
      </div>
      <div ref={box} className={`hidden text-zinc-500 sm:block dark:text-zinc-400 ${FOCUS_RING}`} style={{ height }}>
        <ComposedChart
          responsive
          style={{ width: '100%', height: '100%', cursor: 'pointer' }}
          data={rows}
          margin={{ top: 16, right: 24, bottom: 4, left: -8 }}
          onClick={(state) => {
            if (pointClicked.current) pointClicked.current = false;
            else open(rows[Number(state?.activeTooltipIndex)]);
          }}
        >
          <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
          <XAxis
            dataKey="x"
            type="number"
            domain={['dataMin', 'dataMax']}
            tick={{ fill: 'currentColor', fontSize: 12 }}
            stroke="currentColor"
            strokeOpacity={0.3}
            label={{ value: AXIS_LABEL[axis], position: 'insideBottomRight', offset: -2, fill: 'currentColor', fontSize: 11 }}
            height={36}
            tickFormatter={(v: number) => (axis === 'cost' ? `$${v.toFixed(3)}` : String(Math.round(v * 100) / 100))}
          />
          <YAxis {...scoreAxis(domain)} />
          <Tooltip content={({ active, payload }) => (active && payload?.[0] ? <TrialTip row={payload[0].payload as Row} /> : null)} />
          <Line type="stepAfter" dataKey="bestSoFar" name="Best so far (full evaluations)" stroke={INSIGHT_COLORS.bestSoFar} strokeDasharray="5 4" strokeWidth={1.5} dot={false} activeDot={false} isAnimationActive={false} />
          <Line type="linear" dataKey="full" name="Full evaluation" stroke={INSIGHT_COLORS.full} strokeWidth={2} connectNulls dot={{ r: 4, fill: '#fff', stroke: INSIGHT_COLORS.full, strokeWidth: 2 }} isAnimationActive={false} />
          <Scatter
            data={rows.filter((r) => r.minibatch !== null)}
            dataKey="minibatch"
            name="Minibatch evaluation"
            fill={INSIGHT_COLORS.minibatch}
            fillOpacity={0.8}
            isAnimationActive={false}
            onClick={(d) => {
              pointClicked.current = true;
              open((d as unknown as { payload?: Row }).payload);
            }}
          />
          {selected && selected.point.score !== null && (
            <ReferenceDot
              x={selected.x}
              y={selected.point.score}
              r={7}
              fill={INSIGHT_COLORS.selected}
              stroke="#fff"
              strokeWidth={1.5}
              ifOverflow="extendDomain"
              label={{ value: `${selected.point.isSelected ? 'selected' : 'best'} #${selected.iteration}`, position: 'top', fill: 'currentColor', fontSize: 11 }}
            />
          )}
        </ComposedChart>
      </div>
      <ul className="mt-2 hidden flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600 sm:flex dark:text-zinc-400" aria-label="Legend">
        <li><span aria-hidden style={{ color: INSIGHT_COLORS.minibatch }}>●</span> Minibatch evaluation (points)</li>
        <li><span aria-hidden style={{ color: INSIGHT_COLORS.full }}>━</span> Full evaluation (line)</li>
        <li><span aria-hidden style={{ color: INSIGHT_COLORS.bestSoFar }}>┅</span> Best so far, full evaluations only</li>
        {selected && <li data-testid="trials-selected"><span aria-hidden style={{ color: INSIGHT_COLORS.selected }}>●</span> {selected.point.isSelected ? 'Selected' : 'Best'} program, iteration #{selected.iteration}</li>}
      </ul>
      <details className="mt-3 sm:mt-2" open={undefined}>
        <summary className="cursor-pointer text-sm text-zinc-600 sm:text-xs dark:text-zinc-400">Every evaluation as a table (opens an iteration)</summary>
        <div className="mt-2 max-h-80 overflow-auto">
          <TrialsTable rows={rows} axis={axis} basePath={basePath} />
        </div>
      </details>
    </figure>
  );
}

function TrialTip({ row }: { row: Row }) {
  const p = row.point;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-sm dark:border-zinc-700 dark:bg-zinc-900">
      <div className="font-medium">
        Iteration #{p.iteration}
        {p.trial !== null ? ` · trial ${p.trial}` : ''} · {p.evalKind ?? 'evaluation'}
        {p.isSelected ? ' · selected' : ''}
      </div>
      <div>score {p.score === null ? '—' : p.score.toFixed(3)}</div>
      <div>best so far {p.bestSoFar === null ? '—' : p.bestSoFar.toFixed(3)}</div>
      {p.budgetUsed !== null && <div>{p.budgetUsed} metric calls</div>}
      <div className="muted">click to open</div>
    </div>
  );
}

function TrialsTable({ rows, axis, basePath }: { rows: Row[]; axis: Axis; basePath: string }) {
  return (
    <table className="w-full text-left text-xs tabular-nums" data-testid="trials-table">
      <caption className="sr-only">Evaluations of the run</caption>
      <thead>
        <tr className="muted">
          <th scope="col" className="py-1 pr-2">Iteration</th>
          <th scope="col" className="py-1 pr-2">{AXIS_LABEL[axis]}</th>
          <th scope="col" className="py-1 pr-2">Kind</th>
          <th scope="col" className="py-1 pr-2">Score</th>
          <th scope="col" className="py-1 pr-2">Best so far</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.iteration} className="border-t border-zinc-100 dark:border-zinc-800">
            <td className="py-1 pr-2">
              <Link className="underline decoration-dotted underline-offset-2" href={iterationHref(basePath, r.iteration)}>
                #{r.iteration}
              </Link>
              {r.point.isSelected && <span className="ml-1 text-amber-600 dark:text-amber-400">selected</span>}
            </td>
            <td className="py-1 pr-2">{axis === 'cost' ? `$${r.x.toFixed(4)}` : Math.round(r.x * 100) / 100}</td>
            <td className="py-1 pr-2">{r.point.evalKind ?? '—'}{r.point.dataset ? ` (${r.point.dataset})` : ''}</td>
            <td className="py-1 pr-2">{r.point.score === null ? '—' : r.point.score.toFixed(3)}</td>
            <td className="py-1 pr-2">{r.bestSoFar === null ? '—' : r.bestSoFar.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
