import type { OptimizationRun, ShownScores } from '@/lib/supabase-optimization';
import { derivedTitle } from '@/components/derived-score';
import { formatCost, formatLatency, formatScore, formatSignedPct, formatSignedScore, formatTokens } from '@/lib/format';
import { deltaTone } from '@/components/delta-tone';

export function ScoreCards({ run, bestIteration, shown }: { run: OptimizationRun; bestIteration: number | null; shown: ShownScores }) {
  const running = run.status === 'running' || run.status === 'pending';
  const derived = shown.initialDerived !== null || shown.finalDerived !== null;
  // improvement is final − initial; a running run without a final score yet shows best − initial
  const provisional = !derived && run.improvement === null && run.bestScore !== null && run.initialScore !== null;
  const improvement = provisional ? run.bestScore! - run.initialScore! : shown.improvement;
  const improvementPct = provisional
    ? run.initialScore! > 0
      ? (improvement! / run.initialScore!) * 100
      : null
    : shown.improvementPct;
  const failedShare = run.samplesEvaluated > 0 ? (run.samplesFailed / run.samplesEvaluated) * 100 : null;

  return (
    <section aria-label="Scores and usage" data-testid="score-cards" className="space-y-3">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <div className="card p-4">
          <p className="muted text-xs font-medium">
            Initial → final
            {derived && (
              <span className="ml-1.5 rounded border border-amber-300 px-1 text-[10px] tracking-wide text-amber-800 uppercase dark:border-amber-500/40 dark:text-amber-300" data-testid="derived-score">
                derived
              </span>
            )}
          </p>
          <p className="mt-1 flex items-baseline gap-2 font-mono text-2xl font-semibold tabular-nums">
            <span className="text-zinc-500 dark:text-zinc-400" data-testid="initial-score">
              {formatScore(shown.initialScore)}
            </span>
            <span aria-label="to" className="text-base text-zinc-500 dark:text-zinc-400">
              →
            </span>
            <span data-testid="final-score">{formatScore(shown.finalScore)}</span>
          </p>
          {derived ? (
            <p className="muted mt-1 text-xs" data-testid="derived-note">
              {derivedTitle(shown.initialDerived, shown.finalDerived)}. Listed unranked on the leaderboard.
            </p>
          ) : (
            shown.finalScore === null && <p className="muted mt-1 text-xs">{running ? 'Final score when the run completes' : 'No final score reported'}</p>
          )}
        </div>
        <div className="card p-4">
          <p className="muted text-xs font-medium">Best</p>
          <p className="mt-1 font-mono text-2xl font-semibold tabular-nums" data-testid="best-score">
            {formatScore(run.bestScore)}
          </p>
          {bestIteration !== null && (
            <p className="muted mt-1 text-xs">
              at iteration{' '}
              <a href="#program-state" className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                #{bestIteration}
              </a>
            </p>
          )}
        </div>
        <div className="card p-4">
          <p className="muted text-xs font-medium">
            Improvement{provisional && <span className="font-normal"> (best vs initial)</span>}
            {derived && <span className="font-normal"> (derived)</span>}
          </p>
          <p className={`mt-1 flex items-baseline gap-2 font-mono text-2xl font-semibold tabular-nums ${deltaTone(improvement)}`}>
            <span data-testid="improvement">{formatSignedScore(improvement)}</span>
            {improvementPct !== null && Number.isFinite(improvementPct) && (
              <span className="text-base" data-testid="improvement-pct">
                {formatSignedPct(improvementPct)}
              </span>
            )}
          </p>
        </div>
      </div>
      <dl className="card grid grid-cols-2 divide-zinc-200 sm:grid-cols-5 sm:divide-x dark:divide-zinc-800">
        <Stat label="Iterations" value={run.iterations.toLocaleString('en-US')} />
        <Stat
          label="Samples evaluated"
          title="As reported by the client; the Samples section below lists the ones it stored"
          value={run.samplesEvaluated.toLocaleString('en-US')}
          note={
            run.samplesFailed > 0
              ? `${run.samplesFailed.toLocaleString('en-US')} failed (${failedShare!.toFixed(1)}%)`
              : run.samplesEvaluated > 0
                ? 'none failed'
                : undefined
          }
          noteTone={run.samplesFailed > 0 ? 'text-rose-600 dark:text-rose-400' : undefined}
        />
        <Stat label="Tokens" value={formatTokens(run.totalTokens)} title={run.totalTokens.toLocaleString('en-US')} />
        <Stat label="Cost" value={formatCost(run.totalCostUsd)} title={`$${run.totalCostUsd}`} />
        <Stat label="Avg latency" value={formatLatency(run.avgLatencyMs)} note="per call" />
      </dl>
    </section>
  );
}

function Stat({
  label,
  value,
  note,
  noteTone,
  title,
}: {
  label: string;
  value: string;
  note?: string;
  noteTone?: string;
  title?: string;
}) {
  return (
    <div className="px-4 py-3">
      <dt className="muted text-xs font-medium">{label}</dt>
      <dd className="mt-0.5 text-lg font-semibold tabular-nums" title={title}>
        {value}
        {note && <span className={`ml-1.5 text-xs font-normal ${noteTone ?? 'muted'}`}>{note}</span>}
      </dd>
    </div>
  );
}
