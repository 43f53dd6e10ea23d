import type { CandidatePoolInsight, PoolCandidateStats, PoolPredictor } from '@/lib/supabase-optimization';
import { formatScore, formatSignedScore } from '@/lib/format';
import { scoreFill, scoreInk } from './score-color';

// View 2: MIPROv2's proposed instructions and demo sets per predictor against the trials
// that used them. Tables throughout (they scroll sideways on a phone); the heat map is a
// table too, so every cell is read out with its row and column.

function interval(c: PoolCandidateStats): string {
  if (c.meanScore === null) return '—';
  const ci = c.ciLow !== null && c.ciHigh !== null ? ` [${formatScore(Math.max(0, c.ciLow))}, ${formatScore(Math.min(1, c.ciHigh))}]` : '';
  return `${formatScore(c.meanScore)}${ci}`;
}

function demoCount(content: PoolCandidateStats['content']): number | null {
  return Array.isArray(content) ? content.length : null;
}

function CandidateRows({ kind, rows }: { kind: 'instruction' | 'demos'; rows: PoolCandidateStats[] }) {
  const label = kind === 'instruction' ? 'Instruction' : 'Demo set';
  return (
    <div className="overflow-x-auto" role="region" aria-label={`${label}s, scrolls sideways`} tabIndex={0}>
      <table className="w-full min-w-[40rem] text-left text-sm" data-testid={`pool-${kind}-table`}>
        <caption className="sr-only">{label}s with the trials that used them</caption>
        <thead className="muted text-xs">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">#</th>
            <th scope="col" className="py-1 pr-3 font-medium">{kind === 'instruction' ? 'Text' : 'Demos'}</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Trials</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Mean minibatch [95 % CI]</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Full evals</th>
            <th scope="col" className="py-1 text-right font-medium">Best full</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const never = c.trials === 0 && c.fullEvaluations === 0;
            const n = demoCount(c.content);
            return (
              <tr
                key={c.candidateIndex}
                data-testid="pool-row"
                data-kind={kind}
                data-index={c.candidateIndex}
                data-trials={c.trials}
                className={`border-t border-zinc-100 align-top dark:border-zinc-800 ${c.won ? 'bg-emerald-50 dark:bg-emerald-950/40' : ''}`}
              >
                <td className="py-1.5 pr-3 tabular-nums">
                  {c.candidateIndex}
                  {c.won && <span className="ml-1 rounded bg-emerald-600 px-1 text-xs text-white">won</span>}
                  {never && <span className="ml-1 rounded bg-zinc-200 px-1 text-xs text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200">never tried</span>}
                </td>
                <td className="max-w-[28rem] py-1.5 pr-3">
                  {kind === 'instruction' ? (
                    <details>
                      <summary className="cursor-pointer truncate">{c.text ? c.text.slice(0, 120) : <span className="muted">(no text logged)</span>}</summary>
                      <p className="mt-1 whitespace-pre-wrap break-words">{c.text}</p>
                    </details>
                  ) : (
                    <details>
                      <summary className="cursor-pointer">{n === null ? 'demos' : `${n} demo${n === 1 ? '' : 's'}`}</summary>
                      <pre className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-words text-xs">{c.text ?? JSON.stringify(c.content, null, 2)}</pre>
                    </details>
                  )}
                </td>
                <td className="py-1.5 pr-3 text-right tabular-nums">{c.trials}</td>
                <td className="py-1.5 pr-3 text-right tabular-nums">{interval(c)}</td>
                <td className="py-1.5 pr-3 text-right tabular-nums">{c.fullEvaluations}</td>
                <td className="py-1.5 text-right tabular-nums">{formatScore(c.bestFullScore)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function HeatMap({ predictor }: { predictor: PoolPredictor }) {
  const instructions = predictor.instructions.map((i) => i.candidateIndex);
  const demos = predictor.demoSets.map((d) => d.candidateIndex);
  const cell = new Map(predictor.heatMap.map((c) => [`${c.instruction}:${c.demos}`, c]));
  const means = predictor.heatMap.map((c) => c.meanScore).filter((m): m is number => m !== null);
  const [lo, hi] = means.length ? [Math.min(...means), Math.max(...means)] : [0, 1];
  if (instructions.length === 0 || demos.length === 0) return null;
  return (
    <div className="overflow-x-auto" role="region" aria-label={`Heat map of ${predictor.predictorName}, scrolls sideways`} tabIndex={0}>
      <table className="text-center text-xs" data-testid="pool-heatmap">
        <caption className="muted mb-1 text-left text-xs">
          Mean minibatch score per instruction (rows) × demo set (columns); the trial count in brackets. Darker is better
          ({formatScore(lo)}–{formatScore(hi)}).
        </caption>
        <thead>
          <tr>
            <th scope="col" className="px-2 py-1 font-medium">instr. \ demos</th>
            {demos.map((d) => (
              <th key={d} scope="col" className="px-2 py-1 font-medium">
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {instructions.map((i) => (
            <tr key={i}>
              <th scope="row" className="px-2 py-1 font-medium">
                {i}
              </th>
              {demos.map((d) => {
                const c = cell.get(`${i}:${d}`);
                return (
                  <td
                    key={d}
                    data-testid="heat-cell"
                    data-instruction={i}
                    data-demos={d}
                    data-trials={c?.trials ?? 0}
                    className={`h-9 min-w-14 border border-zinc-200 px-2 tabular-nums dark:border-zinc-700 ${scoreInk(c?.meanScore, lo, hi)}`}
                    style={{ background: scoreFill(c?.meanScore, lo, hi) }}
                  >
                    {c ? (
                      <>
                        {formatScore(c.meanScore)} <span className="opacity-75">({c.trials})</span>
                      </>
                    ) : (
                      <span className="muted" aria-label="not tried">
                        ·
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CandidatePoolExplorer({ insight }: { insight: CandidatePoolInsight }) {
  const { winner, runnerUp, margin } = insight;
  return (
    <div className="space-y-6" data-testid="pool-explorer">
      <p className="text-sm" data-testid="pool-winner">
        {winner ? (
          <>
            The winning combination is iteration #{winner.iteration}&apos;s ({formatScore(winner.score)})
            {runnerUp ? (
              <>
                , {margin === null ? 'against' : margin > 0 ? 'ahead of' : margin < 0 ? 'behind' : 'level with'} the best other combination (#
                {runnerUp.iteration}, full evaluation {formatScore(runnerUp.score)}): a lead of{' '}
                <strong data-testid="pool-margin">{formatSignedScore(margin)}</strong>.
              </>
            ) : (
              '; no other combination had a full evaluation.'
            )}
          </>
        ) : (
          'No iteration recorded which candidates it chose.'
        )}
      </p>
      {insight.predictors.map((p) => {
        const never = [
          ...p.instructions.filter((c) => c.trials === 0 && c.fullEvaluations === 0).map((c) => `instruction ${c.candidateIndex}`),
          ...p.demoSets.filter((c) => c.trials === 0 && c.fullEvaluations === 0).map((c) => `demo set ${c.candidateIndex}`),
        ];
        return (
          <div key={p.predictorIndex} className="space-y-3" data-testid="pool-predictor">
            <h3 className="text-sm font-semibold">
              Predictor {p.predictorIndex}: <code>{p.predictorName}</code>
            </h3>
            {p.runnerUpInstruction !== null && p.instructionMargin !== null && (
              <p className="muted text-sm">
                Its winning instruction leads instruction {p.runnerUpInstruction} by {formatSignedScore(p.instructionMargin)} (best full evaluations).
              </p>
            )}
            <CandidateRows kind="instruction" rows={p.instructions} />
            <CandidateRows kind="demos" rows={p.demoSets} />
            <HeatMap predictor={p} />
            <p className="muted text-sm" data-testid="pool-never-tried">
              {never.length ? `Never tried: ${never.join(', ')}.` : 'Every proposed candidate was tried.'}
            </p>
          </div>
        );
      })}
    </div>
  );
}
