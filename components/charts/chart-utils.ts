// A y-axis range that fits the scores with a little room, on a 0.05 grid inside [0, 1].
export function scoreDomain(scores: number[]): [number, number] {
  if (scores.length === 0) return [0, 1];
  const min = Math.min(...scores);
  const max = Math.max(...scores);
  let lo = Math.max(0, Math.floor((min - 0.02) * 20) / 20);
  let hi = Math.min(1, Math.ceil((max + 0.02) * 20) / 20);
  if (hi - lo < 0.1) {
    lo = Math.max(0, lo - 0.05);
    hi = Math.min(1, hi + 0.05);
  }
  return [Number(lo.toFixed(2)), Number(hi.toFixed(2))];
}

// Evenly spaced y ticks at round values inside the domain (recharts' own ticks skip some).
export function scoreTicks([lo, hi]: [number, number]): number[] {
  const range = hi - lo;
  const step = range > 0.8 ? 0.2 : range > 0.3 ? 0.1 : 0.05;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9; t += step) ticks.push(Number(t.toFixed(2)));
  return ticks;
}

export const RUN_COLORS = ['#6366f1', '#f59e0b', '#10b981', '#f43f5e'] as const;

// The chart's SVG takes keyboard focus (arrow keys move the tooltip): show where it is.
export const FOCUS_RING =
  '[&_.recharts-surface]:rounded-sm [&_.recharts-surface:focus-visible]:outline-2 [&_.recharts-surface:focus-visible]:outline-offset-2 [&_.recharts-surface:focus-visible]:outline-indigo-500';

// Axis settings both score charts share: iterations along x, scores (0–1) up y.
export const ITERATION_AXIS = {
  dataKey: 'iteration',
  type: 'number',
  domain: ['dataMin', 'dataMax'],
  allowDecimals: false,
  tick: { fill: 'currentColor', fontSize: 12 },
  stroke: 'currentColor',
  strokeOpacity: 0.3,
  label: { value: 'Iteration', position: 'insideBottomRight', offset: -2, fill: 'currentColor', fontSize: 11 },
  height: 36,
} as const;

export function scoreAxis(domain: [number, number]) {
  return {
    domain,
    ticks: scoreTicks(domain),
    tickFormatter: (v: number) => v.toFixed(2),
    tick: { fill: 'currentColor', fontSize: 12 },
    stroke: 'currentColor',
    strokeOpacity: 0.3,
    width: 52,
  };
}
