'use client';

import { useId, useMemo, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunGroup } from '@/lib/supabase-optimization';
import { FOCUS_RING, ITERATION_AXIS, scoreAxis, scoreDomain } from '../charts/chart-utils';

// Colours that keep 3:1 against both the light and the dark card.
export const GROUP_COLORS = ['#6366f1', '#d97706', '#059669', '#e11d48', '#0891b2', '#9333ea', '#65a30d', '#db2777', '#2563eb', '#ca8a04', '#0d9488', '#dc2626'];

type Row = { iteration: number } & Record<string, number | [number, number] | undefined>;

// Mean score per iteration of each group of runs, with a band of ± one standard deviation;
// the legend's buttons hide and show groups.
export function GroupedChart({ groups, height = 340 }: { groups: RunGroup[]; height?: number }) {
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const descId = useId();
  const rows = useMemo(() => {
    const byIteration = new Map<number, Row>();
    groups.forEach((g, i) => {
      for (const p of g.points) {
        const row = byIteration.get(p.iteration) ?? ({ iteration: p.iteration } as Row);
        row[`m${i}`] = p.mean;
        row[`b${i}`] = [Math.max(0, p.mean - p.sd), Math.min(1, p.mean + p.sd)];
        byIteration.set(p.iteration, row);
      }
    });
    return [...byIteration.values()].sort((a, b) => a.iteration - b.iteration);
  }, [groups]);
  const shown = groups.map((g, i) => ({ g, i })).filter(({ g }) => !hidden.has(g.key));
  const domain = scoreDomain(shown.flatMap(({ g }) => g.points.flatMap((p) => [Math.max(0, p.mean - p.sd), Math.min(1, p.mean + p.sd)])));
  const toggle = (key: string) =>
    setHidden((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <figure className="m-0" aria-label="Mean score per iteration of each group" aria-describedby={descId}>
      <p id={descId} className="sr-only">
        {groups.map((g) => `${g.key}: ${g.runs} runs, final mean ${g.points.at(-1)?.mean.toFixed(3) ?? 'none'}`).join('; ')}
      </p>
      <ul className="mb-3 flex flex-wrap gap-2" aria-label="Groups (click to hide or show)">
        {groups.map((g, i) => (
          <li key={g.key}>
            <button
              type="button"
              className="inline-flex items-center gap-1.5 rounded-full border border-zinc-200 px-2.5 py-1 text-xs text-zinc-800 aria-[pressed=false]:opacity-60 dark:border-zinc-700 dark:text-zinc-200"
              aria-pressed={!hidden.has(g.key)}
              onClick={() => toggle(g.key)}
              data-testid="group-toggle"
            >
              <span aria-hidden className="inline-block size-2.5 rounded-full" style={{ background: GROUP_COLORS[i % GROUP_COLORS.length] }} />
              <span className="max-w-48 truncate" title={g.key}>{g.key}</span>
              <span className="text-zinc-600 tabular-nums dark:text-zinc-400">{g.runs}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className={`overflow-x-auto text-zinc-600 dark:text-zinc-400 ${FOCUS_RING}`}>
        <ComposedChart width={760} height={height} data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }} accessibilityLayer>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.25} />
          <XAxis {...ITERATION_AXIS} />
          <YAxis {...scoreAxis(domain)} />
          <Tooltip
            formatter={(value, name) => {
              const i = Number(String(name).slice(1));
              const label = groups[i]?.key ?? String(name);
              if (Array.isArray(value)) return [`${Number(value[0]).toFixed(3)}–${Number(value[1]).toFixed(3)}`, `${label} ± sd`];
              return [Number(value).toFixed(3), `${label} mean`];
            }}
            // system colours follow the page's color-scheme (light or dark)
            contentStyle={{ backgroundColor: 'Canvas', color: 'CanvasText', fontSize: 12 }}
          />
          {shown.map(({ i }) => (
            <Area
              key={`b${i}`}
              dataKey={`b${i}`}
              stroke="none"
              fill={GROUP_COLORS[i % GROUP_COLORS.length]}
              fillOpacity={0.15}
              isAnimationActive={false}
              connectNulls
            />
          ))}
          {shown.map(({ i }) => (
            <Line
              key={`m${i}`}
              dataKey={`m${i}`}
              stroke={GROUP_COLORS[i % GROUP_COLORS.length]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </ComposedChart>
      </div>
    </figure>
  );
}
