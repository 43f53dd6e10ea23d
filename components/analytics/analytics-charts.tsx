'use client';

import { useId, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { STATUS_COLORS, STATUS_ORDER, type OptimizerSummary } from './summarize';
import { formatCost } from '@/lib/format';

const SCORE_COLORS = { avg: '#6366f1', best: '#a5b4fc' };

type Format = (v: number) => string;

// Runs, average final score and spend per optimizer: horizontal bars, so long optimizer
// names stay readable; the table below holds the same numbers for screen readers.
export function AnalyticsCharts({ optimizers }: { optimizers: OptimizerSummary[] }) {
  const statuses = STATUS_ORDER.filter((s) => optimizers.some((o) => o.runs[s] > 0));
  const rows = optimizers.map((o) => ({
    optimizerType: o.optimizerType,
    ...Object.fromEntries(statuses.map((s) => [`runs_${s}`, o.runs[s]])),
    ...Object.fromEntries(statuses.map((s) => [`spend_${s}`, o.spend[s]])),
    avgFinalScore: o.avgFinalScore,
    bestFinalScore: o.bestFinalScore,
  }));
  const height = Math.max(160, optimizers.length * 38 + 48);
  const statusLegend = statuses.map((s) => ({ key: s, label: s, color: STATUS_COLORS[s] }));
  const total = (key: 'runCount' | 'totalCostUsd') => optimizers.reduce((sum, o) => sum + o[key], 0);

  return (
    <div className="grid gap-6 lg:grid-cols-3" data-testid="analytics-chart">
      <ChartCard
        title="Runs per optimizer"
        summary={`${total('runCount')} runs: ${optimizers.map((o) => `${o.optimizerType} ${o.runCount}`).join(', ')}.`}
        legend={statusLegend}
        testId="analytics-chart-runs"
      >
        <HorizontalBars rows={rows} height={height} format={(v) => v.toLocaleString('en-US')} allowDecimals={false}>
          {statuses.map((s, i) => (
            <Bar
              key={s}
              dataKey={`runs_${s}`}
              name={s}
              stackId="runs"
              fill={STATUS_COLORS[s]}
              radius={i === statuses.length - 1 ? [0, 3, 3, 0] : undefined}
              isAnimationActive={false}
            />
          ))}
        </HorizontalBars>
      </ChartCard>
      <ChartCard
        title="Final score per optimizer"
        summary={optimizers
          .map((o) => `${o.optimizerType}: average ${o.avgFinalScore?.toFixed(3) ?? 'none'}, best ${o.bestFinalScore?.toFixed(3) ?? 'none'}`)
          .join('; ')}
        legend={[
          { key: 'avg', label: 'average (completed runs)', color: SCORE_COLORS.avg },
          { key: 'best', label: 'best', color: SCORE_COLORS.best },
        ]}
        testId="analytics-chart-score"
      >
        <HorizontalBars rows={rows} height={height} format={(v) => v.toFixed(3)} tickFormat={(v) => v.toFixed(2)} domain={[0, 1]}>
          <Bar dataKey="avgFinalScore" name="average" fill={SCORE_COLORS.avg} radius={[0, 3, 3, 0]} isAnimationActive={false} />
          <Bar dataKey="bestFinalScore" name="best" fill={SCORE_COLORS.best} radius={[0, 3, 3, 0]} isAnimationActive={false} />
        </HorizontalBars>
      </ChartCard>
      <ChartCard
        title="Spend per optimizer"
        summary={`${formatCost(total('totalCostUsd'))} in total: ${optimizers.map((o) => `${o.optimizerType} ${formatCost(o.totalCostUsd)}`).join(', ')}.`}
        legend={statusLegend}
        testId="analytics-chart-spend"
      >
        <HorizontalBars rows={rows} height={height} format={formatCost} tickFormat={(v) => (v >= 1 ? `$${Math.round(v).toLocaleString('en-US')}` : formatCost(v))}>
          {statuses.map((s, i) => (
            <Bar
              key={s}
              dataKey={`spend_${s}`}
              name={s}
              stackId="spend"
              fill={STATUS_COLORS[s]}
              radius={i === statuses.length - 1 ? [0, 3, 3, 0] : undefined}
              isAnimationActive={false}
            />
          ))}
        </HorizontalBars>
      </ChartCard>
    </div>
  );
}

function ChartCard({
  title,
  summary,
  legend,
  testId,
  children,
}: {
  title: string;
  summary: string;
  legend: Array<{ key: string; label: string; color: string }>;
  testId: string;
  children: ReactNode;
}) {
  const titleId = useId();
  const descId = useId();
  return (
    <figure className="card m-0 p-4" aria-labelledby={titleId} aria-describedby={descId} data-testid={testId}>
      <figcaption id={titleId} className="text-sm font-semibold">
        {title}
      </figcaption>
      <p id={descId} className="sr-only">
        {summary}
      </p>
      <div className="mt-3">{children}</div>
      <ul className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400" aria-label="Legend">
        {legend.map((item) => (
          <li key={item.key} className="inline-flex items-center gap-1.5">
            <span aria-hidden className="inline-block size-2.5 rounded-sm" style={{ background: item.color }} />
            {item.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function HorizontalBars({
  rows,
  height,
  format,
  tickFormat = format,
  domain,
  allowDecimals = true,
  children,
}: {
  rows: Array<Record<string, unknown>>;
  height: number;
  format: Format;
  tickFormat?: Format;
  domain?: [number, number];
  allowDecimals?: boolean;
  children: ReactNode;
}) {
  return (
    <div className="text-zinc-500 dark:text-zinc-400" style={{ height }}>
      <BarChart
        responsive
        layout="vertical"
        data={rows}
        style={{ width: '100%', height: '100%' }}
        margin={{ top: 4, right: 12, bottom: 0, left: 0 }}
        barCategoryGap="22%"
      >
        <CartesianGrid stroke="currentColor" strokeOpacity={0.15} horizontal={false} />
        <XAxis
          type="number"
          domain={domain}
          allowDecimals={allowDecimals}
          tickFormatter={tickFormat}
          tick={{ fill: 'currentColor', fontSize: 11 }}
          stroke="currentColor"
          strokeOpacity={0.3}
          tickCount={5}
        />
        <YAxis
          type="category"
          dataKey="optimizerType"
          width={124}
          tick={{ fill: 'currentColor', fontSize: 11 }}
          tickFormatter={(v: string) => (v.length > 18 ? `${v.slice(0, 17)}…` : v)}
          stroke="currentColor"
          strokeOpacity={0.3}
        />
        <Tooltip
          content={(props) => <ChartTooltip {...props} format={format} />}
          cursor={{ fill: 'currentColor', fillOpacity: 0.08 }}
        />
        {children}
      </BarChart>
    </div>
  );
}

function ChartTooltip({ active, payload, label, format }: TooltipContentProps & { format: Format }) {
  if (!active || !payload?.length) return null;
  // stacked series with nothing for this optimizer are left out
  const entries = payload.filter((p) => typeof p.value === 'number' && (p.value !== 0 || !String(p.dataKey).includes('_')));
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs text-zinc-700 shadow-md dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200">
      <p className="mb-1 font-mono font-semibold">{label}</p>
      {entries.length === 0 ? (
        <p className="muted">No data</p>
      ) : (
        <ul className="space-y-0.5">
          {entries.map((p) => (
            <li key={String(p.dataKey)} className="flex items-center gap-2">
              <span aria-hidden className="inline-block size-2 rounded-sm" style={{ background: p.color ?? String(p.fill) }} />
              <span>{String(p.name)}</span>
              <span className="ml-auto pl-3 font-medium tabular-nums">{format(p.value as number)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
