'use client';

import { useMemo } from 'react';
import type { ParallelRun } from '@/lib/supabase-optimization';

type Value = string | number | boolean | null;

interface Axis {
  key: string;
  label: string;
  // where a value sits on the axis, 0 (bottom) to 1 (top)
  position: (v: Value) => number;
  ticks: Array<{ label: string; at: number }>;
}

function axisFor(key: string, label: string, values: Value[]): Axis {
  const numbers = values.filter((v): v is number => typeof v === 'number');
  if (numbers.length === values.filter((v) => v !== null).length && numbers.length > 0) {
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    const span = hi - lo || 1;
    return {
      key,
      label,
      position: (v) => (typeof v === 'number' ? (v - lo) / span : -0.06),
      ticks: (lo === hi ? [lo] : [lo, lo + span / 2, hi]).map((t) => ({ label: Number(t.toPrecision(3)).toString(), at: (t - lo) / span })),
    };
  }
  const categories = [...new Set(values.map((v) => (v === null ? '(missing)' : String(v))))].sort();
  const step = categories.length > 1 ? 1 / (categories.length - 1) : 0;
  const index = new Map(categories.map((c, i) => [c, categories.length > 1 ? i * step : 0.5]));
  return {
    key,
    label,
    position: (v) => index.get(v === null ? '(missing)' : String(v)) ?? 0,
    ticks: categories.length <= 8 ? categories.map((c) => ({ label: c, at: index.get(c)! })) : [],
  };
}

// Low to high final score: amber to indigo.
function scoreColor(t: number): string {
  const a = [217, 119, 6];
  const b = [79, 70, 229];
  return `rgb(${a.map((x, i) => Math.round(x + (b[i]! - x) * t)).join(',')})`;
}

// One polyline per run across the config keys that explain the most, ending at its final
// score. Plain SVG paths: recharts has no parallel-coordinates chart, and a path per run
// keeps 1,000 runs fast.
export function ParallelCoordinates({ keys, runs, width = 760, height = 300 }: { keys: string[]; runs: ParallelRun[]; width?: number; height?: number }) {
  const axes = useMemo(() => {
    const list = keys.map((k) => axisFor(k, k, runs.map((r) => r.values[k] ?? null)));
    list.push(axisFor('__score', 'final score', runs.map((r) => r.finalScore)));
    return list;
  }, [keys, runs]);
  // two rows of axis titles, alternating, so neighbours do not overlap
  const top = 44;
  const bottom = 36;
  const left = 40;
  const right = 56;
  const innerH = height - top - bottom;
  const x = (i: number) => left + (axes.length > 1 ? (i * (width - left - right)) / (axes.length - 1) : 0);
  const y = (p: number) => top + (1 - p) * innerH;
  const scores = runs.map((r) => r.finalScore);
  const lo = Math.min(...scores);
  const span = Math.max(...scores) - lo || 1;
  const paths = useMemo(
    () =>
      runs.map((r) => ({
        id: r.runId,
        d: axes.map((a, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(a.position(a.key === '__score' ? r.finalScore : (r.values[a.key] ?? null))).toFixed(1)}`).join(''),
        color: scoreColor((r.finalScore - lo) / span),
        name: r.runName,
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [runs, axes],
  );
  return (
    <figure className="m-0 overflow-x-auto text-zinc-600 dark:text-zinc-400" aria-label={`Parallel coordinates of ${runs.length} runs over ${keys.join(', ')} and final score`}>
      <svg width={width} height={height} role="img" aria-label="Config values and final score of each run" data-testid="parallel-coordinates">
        <g fill="none" strokeOpacity={runs.length > 200 ? 0.25 : 0.6} strokeWidth={1.2}>
          {paths.map((p) => (
            <path key={p.id} d={p.d} stroke={p.color}>
              <title>{p.name}</title>
            </path>
          ))}
        </g>
        {axes.map((a, i) => (
          <g key={a.key} transform={`translate(${x(i)},0)`}>
            <line y1={top} y2={top + innerH} stroke="currentColor" strokeOpacity={0.5} />
            <text y={top - (i % 2 ? 10 : 26)} textAnchor="middle" fontSize={11} fill="currentColor" className="font-medium">
              <title>{a.label}</title>
              {a.label.length > 18 ? `${a.label.slice(0, 17)}…` : a.label}
            </text>
            {a.ticks.map((t) => (
              <text key={t.label} x={5} y={y(t.at) + 4} fontSize={10} fill="currentColor">
                {t.label.length > 14 ? `${t.label.slice(0, 13)}…` : t.label}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </figure>
  );
}
