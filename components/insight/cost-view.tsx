'use client';

import { useId, useRef, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { FOCUS_RING, ITERATION_AXIS } from '@/components/charts/chart-utils';
import { useChartFocus } from '@/components/charts/use-chart-focus';
import type { CostSummary, LmCallEstimate } from '@/lib/supabase-optimization';
import { formatCost, formatCount, formatTokens } from '@/lib/format';
import { INSIGHT_COLORS, ROLE_COLORS } from './links';
import { Stat } from './note';

type Measure = 'tokens' | 'costUsd' | 'calls';
const MEASURE_LABEL: Record<Measure, string> = { tokens: 'Tokens', costUsd: 'Cost (USD)', calls: 'LM calls' };

// Cumulative tokens / cost / calls by LM role (left axis) against the best full evaluation
// so far (right axis), then the totals and what a point of improvement cost.
export function CostView({ cost }: { cost: CostSummary }) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useChartFocus(box);
  const hasCost = cost.roles.some((r) => r.costUsd > 0);
  const hasCalls = cost.roles.some((r) => r.calls > 0);
  const [measure, setMeasure] = useState<Measure>(hasCost ? 'costUsd' : 'tokens');
  const roles = cost.roles.map((r) => r.role);
  // one row per iteration; a role keeps its running total where it used nothing
  const last: Record<string, number> = {};
  const byIteration = new Map<number, Record<string, number>>();
  for (const p of cost.series) {
    const row = byIteration.get(p.iteration) ?? {};
    row[p.role] = p[measure];
    byIteration.set(p.iteration, row);
  }
  const rows = cost.bestSoFar.map((b) => {
    Object.assign(last, byIteration.get(b.iteration) ?? {});
    return { iteration: b.iteration, bestSoFar: b.bestSoFar, ...Object.fromEntries(roles.map((r) => [r, last[r] ?? 0])) };
  });
  const fmt = (v: number) => (measure === 'costUsd' ? formatCost(v) : measure === 'tokens' ? formatTokens(v) : String(v));
  const measures: Measure[] = ['tokens', ...(hasCost ? (['costUsd'] as const) : []), ...(hasCalls ? (['calls'] as const) : [])];

  return (
    <div data-testid="insight-cost" className="space-y-4">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <Stat testId="cost-total" label="Total cost" value={formatCost(cost.totalCostUsd)} hint={`${formatTokens(cost.totalTokens)} tokens`} />
        <Stat
          testId="cost-improvement"
          label="Improvement (full evaluations)"
          value={cost.improvementPoints === null ? '—' : `${cost.improvementPoints >= 0 ? '+' : '−'}${Math.abs(cost.improvementPoints).toFixed(1)} pts`}
          hint={cost.baselineScore !== null ? `${cost.baselineScore.toFixed(3)} → ${cost.bestScore!.toFixed(3)}` : undefined}
        />
        <Stat
          testId="cost-per-point"
          label="Cost per point"
          value={cost.costPerPoint !== null ? formatCost(cost.costPerPoint) : cost.tokensPerPoint !== null ? `${formatTokens(Math.round(cost.tokensPerPoint))} tok` : '—'}
          hint={cost.improvementPoints !== null && cost.improvementPoints <= 0 ? 'no improvement over the baseline' : 'per percentage point of the metric'}
        />
        <Stat
          testId="cost-budget"
          label="Metric calls: used / budget"
          value={`${cost.metricCallsUsed ?? '—'} / ${cost.estimatedMetricCalls ?? '—'}`}
          hint={cost.estimatedMetricCalls === null ? 'the optimizer gave no budget (max_metric_calls)' : undefined}
        />
      </dl>
      {cost.lmCalls && <LmCallsAgainstEstimate calls={cost.lmCalls} />}
      {roles.length === 0 ? (
        <p className="muted text-sm">No LM usage was recorded for this run.</p>
      ) : (
        <figure className="m-0" aria-labelledby={titleId}>
          <figcaption id={titleId} className="sr-only">
            Cumulative {MEASURE_LABEL[measure].toLowerCase()} by LM role against the best score so far
          </figcaption>
          <div role="group" aria-label="Measure" className="mb-2 flex flex-wrap gap-1.5">
            {measures.map((m) => (
              <button key={m} type="button" className={`btn px-2 py-1 text-xs ${m === measure ? 'btn-primary' : ''}`} aria-pressed={m === measure} onClick={() => setMeasure(m)} data-testid={`cost-measure-${m}`}>
                {MEASURE_LABEL[m]}
              </button>
            ))}
          </div>
          <div ref={box} className={`hidden h-64 text-zinc-500 sm:block dark:text-zinc-400 ${FOCUS_RING}`}>
            <ComposedChart responsive style={{ width: '100%', height: '100%' }} data={rows} margin={{ top: 12, right: 8, bottom: 4, left: 8 }}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
              <XAxis {...ITERATION_AXIS} />
              <YAxis yAxisId="use" tick={{ fill: 'currentColor', fontSize: 12 }} stroke="currentColor" strokeOpacity={0.3} tickFormatter={fmt} width={64} />
              <YAxis yAxisId="score" orientation="right" domain={[0, 1]} tick={{ fill: 'currentColor', fontSize: 12 }} stroke="currentColor" strokeOpacity={0.3} width={40} />
              <Tooltip
                content={({ active, payload, label }) =>
                  active && payload?.length ? (
                    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-sm dark:border-zinc-700 dark:bg-zinc-900">
                      <div className="font-medium">Iteration #{label}</div>
                      {payload.map((p) => (
                        <div key={String(p.dataKey)}>
                          {p.name}: {p.dataKey === 'bestSoFar' ? (p.value == null ? '—' : Number(p.value).toFixed(3)) : fmt(Number(p.value))}
                        </div>
                      ))}
                    </div>
                  ) : null
                }
              />
              {roles.map((role, i) => (
                <Line key={role} yAxisId="use" type="monotone" dataKey={role} name={role} stroke={ROLE_COLORS[i % ROLE_COLORS.length]} strokeWidth={2} dot={false} isAnimationActive={false} />
              ))}
              <Line yAxisId="score" type="stepAfter" dataKey="bestSoFar" name="Best so far" stroke={INSIGHT_COLORS.bestSoFar} strokeDasharray="5 4" dot={false} connectNulls isAnimationActive={false} />
            </ComposedChart>
          </div>
        </figure>
      )}
      {roles.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs tabular-nums" data-testid="cost-roles">
            <caption className="sr-only">Usage by LM role</caption>
            <thead>
              <tr className="muted">
                <th scope="col" className="py-1 pr-2">Role</th>
                <th scope="col" className="py-1 pr-2">Model</th>
                <th scope="col" className="py-1 pr-2">Calls</th>
                <th scope="col" className="py-1 pr-2">Input tokens</th>
                <th scope="col" className="py-1 pr-2">Output tokens</th>
                <th scope="col" className="py-1 pr-2">Cost</th>
              </tr>
            </thead>
            <tbody>
              {cost.roles.map((r, i) => (
                <tr key={r.role} className="border-t border-zinc-100 dark:border-zinc-800" data-testid="cost-role" data-role={r.role}>
                  <td className="py-1 pr-2">
                    <span aria-hidden style={{ color: ROLE_COLORS[i % ROLE_COLORS.length] }}>●</span> {r.role}
                  </td>
                  <td className="py-1 pr-2">{r.models.join(', ') || '—'}</td>
                  <td className="py-1 pr-2">{r.calls}</td>
                  <td className="py-1 pr-2">{formatTokens(r.inputTokens)}</td>
                  <td className="py-1 pr-2">{formatTokens(r.outputTokens)}</td>
                  <td className="py-1 pr-2">{formatCost(r.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

// MIPROv2 estimates its LM calls before it searches; what the run really made, by role.
function LmCallsAgainstEstimate({ calls }: { calls: LmCallEstimate }) {
  const rows: Array<[string, string, number, number | null]> = [
    ['program', 'Program (task model) calls', calls.programCalls, calls.estimatedProgramCalls],
    ['prompt-model', 'Prompt-model (proposer) calls', calls.promptModelCalls, calls.estimatedPromptModelCalls],
  ];
  return (
    <table className="w-full text-left text-xs tabular-nums" data-testid="lm-call-estimate">
      <caption className="muted pb-1 text-left text-xs">LM calls: what the run made against the optimizer&apos;s own estimate</caption>
      <thead>
        <tr className="muted">
          <th scope="col" className="py-1 pr-2">Calls</th>
          <th scope="col" className="py-1 pr-2">Made</th>
          <th scope="col" className="py-1 pr-2">Estimated</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, label, made, estimated]) => (
          <tr key={key} className="border-t border-zinc-100 dark:border-zinc-800" data-testid={`lm-calls-${key}`} data-made={made} data-estimated={estimated ?? ''}>
            <th scope="row" className="py-1 pr-2 font-normal">{label}</th>
            <td className="py-1 pr-2">{formatCount(made, 'call')}</td>
            <td className="py-1 pr-2">{estimated === null ? '—' : formatCount(estimated, 'call')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
