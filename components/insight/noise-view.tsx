'use client';

import { useRouter } from 'next/navigation';
import { useId, useRef } from 'react';
import { CartesianGrid, ErrorBar, ReferenceLine, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { FOCUS_RING } from '@/components/charts/chart-utils';
import { useChartFocus } from '@/components/charts/use-chart-focus';
import type { CandidateNoise, NoiseSummary } from '@/lib/supabase-optimization';
import { INSIGHT_COLORS, iterationHref } from './links';
import { Stat } from './note';

const f3 = (v: number | null) => (v === null ? '—' : v.toFixed(3));
const signed = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`);

interface Dot {
  x: number;
  y: number;
  spread: [number, number];
  c: CandidateNoise;
}

// Each candidate's minibatch scores against its full evaluation: below the diagonal the
// minibatch flattered it; the horizontal bar spans its minibatch scores.
export function NoiseView({ noise, basePath }: { noise: NoiseSummary; basePath: string }) {
  const router = useRouter();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  useChartFocus(box);
  const dots: Dot[] = noise.candidates
    .filter((c) => c.minibatchMean !== null && c.fullScore !== null)
    .map((c) => ({ x: c.minibatchMean!, y: c.fullScore!, spread: [c.minibatchMean! - c.minibatchMin!, c.minibatchMax! - c.minibatchMean!], c }));
  const wrongWinner = noise.wrongWinner === true;
  return (
    <div data-testid="insight-noise" className="space-y-4">
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        <Stat testId="noise-mean-gap" label="Mean gap (minibatch − full)" value={signed(noise.meanGap)} hint={`over ${noise.comparable} candidates with both`} />
        <Stat testId="noise-spread" label="Mean minibatch spread (s.d.)" value={f3(noise.meanStddev)} />
        <Stat
          testId="noise-discordant"
          label="Pairs ranked differently"
          value={noise.rankedPairs ? `${noise.discordantPairs} of ${noise.rankedPairs}` : '—'}
          hint={noise.discordantShare !== null ? `${(100 * noise.discordantShare).toFixed(0)} % of candidate pairs` : undefined}
        />
        <Stat
          testId="noise-winner"
          label="Minibatch picked the winner?"
          value={noise.wrongWinner === null ? '—' : wrongWinner ? 'No' : 'Yes'}
          hint={wrongWinner ? `${noise.minibatchWinner} over ${noise.fullWinner}: ${f3(noise.winnerLoss)} lower on full` : undefined}
        />
        {noise.trainValCandidates > 0 && (
          <Stat testId="noise-train-val" label="Train − validation gap" value={signed(noise.meanTrainValGap)} hint={`${noise.trainValCandidates} candidates evaluated on both`} />
        )}
      </dl>
      {(noise.meanGap ?? 0) > 0.05 || (noise.discordantShare ?? 0) > 0.3 ? (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-200" data-testid="noise-warning">
          The minibatch scores disagree with the full evaluations often enough that the minibatch may be too small.
        </p>
      ) : null}
      {(noise.meanTrainValGap ?? 0) > 0.1 && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-200">
          Candidates score clearly higher on the training set than on validation: a sign of overfitting.
        </p>
      )}
      {dots.length > 0 && (
        <figure className="m-0" aria-labelledby={titleId}>
          <figcaption id={titleId} className="sr-only">
            Minibatch mean against full evaluation for {dots.length} candidates
          </figcaption>
          <p className="muted mb-1 hidden text-xs sm:block">Across: minibatch mean (bar: its range). Up: full evaluation. Above the diagonal the minibatch undersold the candidate; below, it flattered it.</p>
          <div ref={box} className={`hidden h-72 text-zinc-500 sm:block dark:text-zinc-400 ${FOCUS_RING}`}>
            <ScatterChart responsive style={{ width: '100%', height: '100%' }} margin={{ top: 12, right: 24, bottom: 8, left: -8 }}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} />
              <XAxis type="number" dataKey="x" name="Minibatch mean" domain={[0, 1]} tick={{ fill: 'currentColor', fontSize: 12 }} stroke="currentColor" strokeOpacity={0.3} label={{ value: 'Minibatch mean', position: 'insideBottomRight', offset: -4, fill: 'currentColor', fontSize: 11 }} height={36} />
              <YAxis type="number" dataKey="y" name="Full evaluation" domain={[0, 1]} tick={{ fill: 'currentColor', fontSize: 12 }} stroke="currentColor" strokeOpacity={0.3} width={52} />
              <ReferenceLine segment={[{ x: 0, y: 0 }, { x: 1, y: 1 }]} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="4 4" />
              <Tooltip
                content={({ active, payload }) => {
                  const d = active ? (payload?.[0]?.payload as Dot | undefined) : undefined;
                  return d ? (
                    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-sm dark:border-zinc-700 dark:bg-zinc-900">
                      <div className="font-medium">Candidate {d.c.candidateId}</div>
                      <div>minibatch mean {f3(d.x)} over {d.c.minibatchCount} (s.d. {f3(d.c.minibatchStddev)})</div>
                      <div>full {f3(d.y)} · gap {signed(d.c.gap)}</div>
                    </div>
                  ) : null;
                }}
              />
              <Scatter
                data={dots}
                fill={INSIGHT_COLORS.full}
                isAnimationActive={false}
                style={{ cursor: 'pointer' }}
                onClick={(d) => {
                  const it = (d as unknown as { payload?: Dot }).payload?.c.fullIteration;
                  if (it !== null && it !== undefined) router.push(iterationHref(basePath, it));
                }}
              >
                <ErrorBar dataKey="spread" direction="x" stroke={INSIGHT_COLORS.minibatch} width={4} />
              </Scatter>
            </ScatterChart>
          </div>
        </figure>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-left text-xs tabular-nums" data-testid="noise-table">
          <caption className="sr-only">Candidates: minibatch scores against full evaluation</caption>
          <thead>
            <tr className="muted">
              <th scope="col" className="py-1 pr-2">Candidate</th>
              <th scope="col" className="py-1 pr-2">Minibatches</th>
              <th scope="col" className="py-1 pr-2">Mean</th>
              <th scope="col" className="py-1 pr-2">s.d.</th>
              <th scope="col" className="py-1 pr-2">Range</th>
              <th scope="col" className="py-1 pr-2">Full</th>
              <th scope="col" className="py-1 pr-2">Gap</th>
              {noise.trainValCandidates > 0 && <th scope="col" className="py-1 pr-2">Train / val</th>}
            </tr>
          </thead>
          <tbody>
            {noise.candidates.map((c) => (
              <tr key={c.candidateId} className="border-t border-zinc-100 dark:border-zinc-800" data-testid="noise-row" data-candidate={c.candidateId}>
                <td className="max-w-40 truncate py-1 pr-2 font-mono">
                  {c.fullIteration !== null ? (
                    <a className="underline decoration-dotted underline-offset-2" href={iterationHref(basePath, c.fullIteration)}>
                      {c.candidateId}
                    </a>
                  ) : (
                    c.candidateId
                  )}
                  {c.candidateId === noise.fullWinner && <span className="ml-1 text-emerald-700 dark:text-emerald-400">full winner</span>}
                  {c.candidateId === noise.minibatchWinner && wrongWinner && <span className="ml-1 text-rose-700 dark:text-rose-400">minibatch winner</span>}
                </td>
                <td className="py-1 pr-2">{c.minibatchCount}</td>
                <td className="py-1 pr-2">{f3(c.minibatchMean)}</td>
                <td className="py-1 pr-2">{f3(c.minibatchStddev)}</td>
                <td className="py-1 pr-2">{c.minibatchMin === null ? '—' : `${f3(c.minibatchMin)}–${f3(c.minibatchMax)}`}</td>
                <td className="py-1 pr-2">{f3(c.fullScore)}</td>
                <td className="py-1 pr-2">{signed(c.gap)}</td>
                {noise.trainValCandidates > 0 && <td className="py-1 pr-2">{f3(c.trainScore)} / {f3(c.valScore)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
