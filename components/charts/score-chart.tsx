'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useId, useRef } from 'react';
import {
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceDot,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import { useChartFocus } from './use-chart-focus';
import { FOCUS_RING, ITERATION_AXIS, scoreAxis, scoreDomain } from './chart-utils';

export interface ScorePoint {
  iteration: number;
  score: number | null;
  kind: 'minibatch' | 'full' | null;
}

interface Row {
  iteration: number;
  score: number | null;
  kind: ScorePoint['kind'];
  minibatch: number | null;
  full: number | null;
  other: number | null;
  runningBest: number | null;
}

export const SERIES_COLORS = {
  minibatch: '#0ea5e9',
  full: '#6366f1',
  other: '#6366f1',
  runningBest: '#10b981',
  best: '#f59e0b',
};

// Score per iteration: minibatch and full evaluations as separate series when the params
// say which is which, the running best as a step line, and the best iteration marked.
export function ScoreChart({
  points,
  best,
  height = 300,
}: {
  points: ScorePoint[];
  best: { iteration: number; score: number } | null;
  height?: number;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  // a point opens that iteration's samples in the run page's samples section
  const openIteration = (iteration: number) => {
    const next = new URLSearchParams(searchParams);
    for (const key of ['sCursor', 'sHist']) next.delete(key);
    next.set('sIter', String(iteration));
    router.push(`${pathname}?${next}#samples`);
  };
  const titleId = useId();
  const descId = useId();
  const chartBox = useRef<HTMLDivElement>(null);
  useChartFocus(chartBox);
  const rows = toRows(points);
  const hasMinibatch = rows.some((r) => r.minibatch !== null);
  const hasFull = rows.some((r) => r.full !== null);
  const hasOther = rows.some((r) => r.other !== null);
  const scores = rows.map((r) => r.score).filter((s): s is number => s !== null);
  const domain = scoreDomain(scores);
  const first = scores[0];
  const last = scores.at(-1);

  const summary =
    scores.length === 0
      ? 'No scored iterations yet.'
      : `${rows.length} iterations${hasMinibatch && hasFull ? ` (${rows.filter((r) => r.minibatch !== null).length} minibatch, ${rows.filter((r) => r.full !== null).length} full evaluations)` : ''}; ` +
        `score went from ${first!.toFixed(3)} to ${last!.toFixed(3)}` +
        (best ? `; best ${best.score.toFixed(3)} at iteration ${best.iteration}.` : '.');

  const legend: Array<{ key: string; label: string; swatch: React.ReactNode }> = [];
  if (hasMinibatch) legend.push({ key: 'minibatch', label: 'Minibatch evaluation', swatch: <Swatch dot color={SERIES_COLORS.minibatch} /> });
  if (hasFull) legend.push({ key: 'full', label: 'Full evaluation', swatch: <Swatch line dot color={SERIES_COLORS.full} /> });
  if (hasOther) legend.push({ key: 'other', label: hasMinibatch || hasFull ? 'Other' : 'Score', swatch: <Swatch line dot color={SERIES_COLORS.other} /> });
  legend.push({ key: 'running', label: 'Best so far', swatch: <Swatch line dashed color={SERIES_COLORS.runningBest} /> });

  return (
    <figure aria-labelledby={titleId} aria-describedby={descId} className="m-0">
      <figcaption id={titleId} className="sr-only">
        Score per iteration
      </figcaption>
      <p id={descId} className="sr-only">
        {summary}
      </p>
      <div ref={chartBox} className={`text-zinc-500 dark:text-zinc-400 ${FOCUS_RING}`} style={{ height }}>
        <ComposedChart
          responsive
          style={{ width: '100%', height: '100%' }}
          data={rows}
          margin={{ top: 24, right: 24, bottom: 4, left: -8 }}
          title="Score per iteration"
          desc={summary}
          className="cursor-pointer"
          onClick={(state) => {
            const row = rows[Number(state.activeTooltipIndex)];
            if (state.activeTooltipIndex !== undefined && row) openIteration(row.iteration);
          }}
        >
          <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
          <XAxis {...ITERATION_AXIS} />
          <YAxis {...scoreAxis(domain)} />
          <Tooltip content={(props) => <ScoreTooltip {...props} />} cursor={{ stroke: 'currentColor', strokeOpacity: 0.25 }} />
          <Line
            type="stepAfter"
            dataKey="runningBest"
            name="Best so far"
            stroke={SERIES_COLORS.runningBest}
            strokeWidth={1.5}
            strokeDasharray="5 4"
            dot={false}
            activeDot={false}
            isAnimationActive={false}
          />
          {hasOther && (
            <Line
              type="linear"
              dataKey="other"
              name="Score"
              stroke={SERIES_COLORS.other}
              strokeWidth={2}
              connectNulls
              dot={{ r: 3, fill: SERIES_COLORS.other, strokeWidth: 0 }}
              isAnimationActive={false}
            />
          )}
          {hasFull && (
            <Line
              type="linear"
              dataKey="full"
              name="Full evaluation"
              stroke={SERIES_COLORS.full}
              strokeWidth={2}
              connectNulls
              dot={{ r: 4.5, fill: '#fff', stroke: SERIES_COLORS.full, strokeWidth: 2 }}
              isAnimationActive={false}
            />
          )}
          {hasMinibatch && (
            <Line
              type="linear"
              dataKey="minibatch"
              name="Minibatch evaluation"
              stroke="none"
              legendType="circle"
              dot={{ r: 3.5, fill: SERIES_COLORS.minibatch, fillOpacity: 0.85, strokeWidth: 0 }}
              activeDot={{ r: 5 }}
              isAnimationActive={false}
            />
          )}
          {best && (
            <ReferenceDot
              x={best.iteration}
              y={best.score}
              ifOverflow="extendDomain"
              zIndex={700}
              shape={(props) => (
                <g data-testid="best-iteration-marker" data-iteration={best.iteration}>
                  <circle cx={props.cx} cy={props.cy} r={8} fill={SERIES_COLORS.best} fillOpacity={0.25} />
                  <circle cx={props.cx} cy={props.cy} r={5} fill={SERIES_COLORS.best} stroke="#fff" strokeWidth={1.5} />
                </g>
              )}
              label={<BestLabel text={`best ${best.score.toFixed(3)} · #${best.iteration}`} anchor={labelAnchor(rows, best.iteration)} />}
            />
          )}
        </ComposedChart>
      </div>
      <ul className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend">
        {legend.map((item) => (
          <li key={item.key} className="inline-flex items-center gap-1.5">
            {item.swatch}
            {item.label}
          </li>
        ))}
        {best && (
          <li className="inline-flex items-center gap-1.5" data-best={best.iteration} data-testid="chart-legend-best">
            <Swatch dot color={SERIES_COLORS.best} />
            Best iteration #{best.iteration} ({best.score.toFixed(3)})
          </li>
        )}
      </ul>
      <table className="sr-only">
        <caption>Scores per iteration</caption>
        <thead>
          <tr>
            <th scope="col">Iteration</th>
            <th scope="col">Score</th>
            <th scope="col">Evaluation</th>
            <th scope="col">Best so far</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.iteration}>
              <td>{r.iteration}</td>
              <td>{r.score === null ? '—' : r.score.toFixed(3)}</td>
              <td>{r.kind ?? '—'}</td>
              <td>{r.runningBest === null ? '—' : r.runningBest.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

// Near the chart's edges the best label grows inward, clear of the axis and the frame.
function labelAnchor(rows: Row[], iteration: number): 'start' | 'middle' | 'end' {
  const first = rows[0]?.iteration ?? 0;
  const last = rows.at(-1)?.iteration ?? 0;
  if (last === first) return 'middle';
  const at = (iteration - first) / (last - first);
  return at < 0.2 ? 'start' : at > 0.8 ? 'end' : 'middle';
}

function BestLabel({
  viewBox,
  text,
  anchor,
}: {
  viewBox?: { x?: number; y?: number; width?: number; height?: number };
  text: string;
  anchor: 'start' | 'middle' | 'end';
}) {
  const cx = (viewBox?.x ?? 0) + (viewBox?.width ?? 0) / 2;
  const top = viewBox?.y ?? 0;
  const x = anchor === 'start' ? cx - 6 : anchor === 'end' ? cx + 6 : cx;
  return (
    <text x={x} y={top - 8} textAnchor={anchor} fill={SERIES_COLORS.best} fontSize={12} fontWeight={600}>
      {text}
    </text>
  );
}

function toRows(points: ScorePoint[]): Row[] {
  let runningBest: number | null = null;
  // a minibatch score is not a best when the run also has other evaluations (DESIGN.md errata 8)
  const onlyMinibatches = points.every((p) => p.kind === 'minibatch');
  return points.map((p) => {
    const counts = onlyMinibatches || p.kind !== 'minibatch';
    if (counts && p.score !== null && (runningBest === null || p.score > runningBest)) runningBest = p.score;
    return {
      iteration: p.iteration,
      score: p.score,
      kind: p.kind,
      minibatch: p.kind === 'minibatch' ? p.score : null,
      full: p.kind === 'full' ? p.score : null,
      other: p.kind === null ? p.score : null,
      runningBest,
    };
  });
}

function ScoreTooltip({ active, payload }: Pick<TooltipContentProps, 'active' | 'payload'>) {
  const row = payload?.[0]?.payload as Row | undefined;
  if (!active || !row) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
      <div className="font-medium text-zinc-900 dark:text-zinc-100">Iteration {row.iteration}</div>
      <div className="mt-1 grid grid-cols-[auto_auto] gap-x-3 gap-y-0.5 text-zinc-600 dark:text-zinc-300">
        <span>Score</span>
        <span className="text-right font-mono tabular-nums">{row.score === null ? '—' : row.score.toFixed(4)}</span>
        {row.kind && (
          <>
            <span>Evaluation</span>
            <span className="text-right">{row.kind}</span>
          </>
        )}
        <span>Best so far</span>
        <span className="text-right font-mono tabular-nums">{row.runningBest === null ? '—' : row.runningBest.toFixed(4)}</span>
        <span className="col-span-2 mt-1 text-zinc-500 dark:text-zinc-400">Click for its samples</span>
      </div>
    </div>
  );
}

export function Swatch({ color, dot, line, dashed }: { color: string; dot?: boolean; line?: boolean; dashed?: boolean }) {
  return (
    <svg width="22" height="10" aria-hidden className="shrink-0">
      {line && (
        <line x1="1" y1="5" x2="21" y2="5" stroke={color} strokeWidth="2" strokeDasharray={dashed ? '4 3' : undefined} />
      )}
      {dot && <circle cx="11" cy="5" r="3.5" fill={color} />}
    </svg>
  );
}
