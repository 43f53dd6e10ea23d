import { Suspense } from 'react';
import { Section } from '@/components/run/section';
import {
  countOptimizationSamplesByIteration,
  getCostSummary,
  getExampleFlips,
  getNoiseSummary,
  getTrialSeries,
  isDataError,
  type ExampleFlips,
  type OptimizationRun,
  type Scope,
} from '@/lib/supabase-optimization';
import { CostView } from './cost-view';
import { FlipsView } from './flips-view';
import { iterationHref } from './links';
import { NoiseView } from './noise-view';
import { InsightNote } from './note';
import { TrialsChart } from './trials-chart';

type SearchParams = Record<string, string | string[] | undefined>;

function intParam(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

interface Props {
  scope: Scope;
  run: OptimizationRun;
  basePath: string;
  searchParams: SearchParams;
}

// Issue 15, views 1, 5, 6 and 7 on the run page: trials on the right axis, per-example flips,
// minibatch noise and overfitting, cost and budget. Each shows where the run has its data
// and says so where it does not. Streamed: the rest of the page does not wait for them.
export function RunInsightA(props: Props) {
  return (
    <Suspense
      fallback={
        <p className="card muted px-4 py-6 text-center text-sm" data-testid="run-insight-a-loading">
          Loading the optimizer insight…
        </p>
      }
    >
      <RunInsightViews {...props} />
    </Suspense>
  );
}

async function RunInsightViews({
  scope,
  run,
  basePath,
  searchParams,
}: Props) {
  const fBefore = intParam(searchParams.fBefore);
  const fAfter = intParam(searchParams.fAfter);
  const [series, noise, cost, counts] = await Promise.all([
    getTrialSeries(scope, run.id),
    getNoiseSummary(scope, run.id),
    getCostSummary(scope, run.id),
    countOptimizationSamplesByIteration(scope, run.id),
  ]);
  const withSamples = counts.filter((c) => c.samples > 0).map((c) => c.iteration);
  let flips: ExampleFlips | null = null;
  let flipsError: string | null = null;
  try {
    flips = await getExampleFlips(scope, run.id, {
      before: fBefore !== undefined && withSamples.includes(fBefore) ? fBefore : undefined,
      after: fAfter !== undefined && withSamples.includes(fAfter) ? fAfter : undefined,
    });
  } catch (error) {
    if (!isDataError(error)) throw error;
    flipsError = error.message;
  }
  const hasKinds = series.points.some((p) => p.evalKind !== null);
  const label = (n: number | undefined) => {
    const p = series.points.find((x) => x.iteration === n);
    return p ? `#${n}${p.evalKind ? ` ${p.evalKind}` : ''}${p.isSelected ? ' (selected)' : p.isBest ? ' (best)' : ''}` : `#${n}`;
  };
  const keep = Object.entries(searchParams).filter(([k]) => k !== 'fBefore' && k !== 'fAfter');

  return (
    <div className="space-y-6" data-testid="run-insight-a">
      <Section
        id="insight-trials"
        title="Trials"
        description={
          hasKinds
            ? 'Score by trial, metric calls, wall time or cost: minibatch evaluations as points, full evaluations as a line. Click a point to open that iteration.'
            : 'Score by iteration, wall time or cost. This optimizer did not label its evaluations as minibatch or full: every evaluation is drawn as a full one. Click a point to open that iteration.'
        }
      >
        {series.points.length === 0 ? <InsightNote>No evaluations yet.</InsightNote> : <TrialsChart series={series} basePath={basePath} />}
      </Section>

      <Section
        id="insight-flips"
        title="Per-example flips"
        description="Which examples the optimized program fixed and which it broke, against the baseline (the first full evaluation)."
      >
        {withSamples.length < 2 || !flips ? (
          <InsightNote testId="flips-note">
            {flipsError ?? 'Flips need samples of at least two evaluations; this run recorded samples for ' + withSamples.length + '.'}
          </InsightNote>
        ) : (
          <FlipsView
            flips={flips}
            beforeLabel={label(flips.before?.iteration)}
            afterLabel={label(flips.after?.iteration)}
            picker={
              <form method="get" action={`${basePath}#insight-flips`} aria-label="Choose the two iterations to compare" className="flex flex-wrap items-end gap-2 text-sm" data-testid="flips-picker">
                {keep.map(([k, v]) => (
                  <input key={k} type="hidden" name={k} value={Array.isArray(v) ? v[0] : (v ?? '')} />
                ))}
                {(['fBefore', 'fAfter'] as const).map((name) => (
                  <label key={name} className="flex flex-col gap-0.5">
                    <span className="muted text-xs">{name === 'fBefore' ? 'Before' : 'After'}</span>
                    <select
                      name={name}
                      defaultValue={String(name === 'fBefore' ? flips!.before?.iteration : flips!.after?.iteration)}
                      className="input py-1 text-sm"
                      data-testid={`flips-${name}`}
                    >
                      {withSamples.map((n) => (
                        <option key={n} value={n}>
                          {label(n)}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
                <button type="submit" className="btn py-1 text-sm">
                  Compare
                </button>
                {flips.after && (
                  <a className="btn py-1 text-sm" href={iterationHref(basePath, flips.after.iteration)}>
                    Open #{flips.after.iteration}
                  </a>
                )}
              </form>
            }
          />
        )}
      </Section>

      <Section
        id="insight-noise"
        title="Noise and overfitting"
        description="Each candidate's minibatch scores against its full evaluation: is the minibatch big enough to rank candidates, and do training scores run ahead of validation?"
      >
        {noise.comparable === 0 && noise.trainValCandidates === 0 ? (
          <InsightNote testId="noise-note">
            {series.points.some((p) => p.evalKind === 'minibatch')
              ? 'No candidate has both minibatch scores and a full evaluation yet.'
              : `This run has no minibatch evaluations of candidates that were also fully evaluated (${run.optimizerType} evaluates ${hasKinds ? 'on the full set' : 'without labelling minibatches'}), and no train-vs-validation pair.`}
          </InsightNote>
        ) : (
          <NoiseView noise={noise} basePath={basePath} />
        )}
      </Section>

      <Section
        id="insight-cost"
        title="Cost and budget"
        description="Tokens, cost and LM calls by role (task model, proposer, reflection) against the best full evaluation so far."
      >
        {cost.roles.length === 0 && cost.metricCallsUsed === null ? (
          <InsightNote testId="cost-note">This run recorded no LM usage and no metric-call budget.</InsightNote>
        ) : (
          <CostView cost={cost} />
        )}
      </Section>
    </div>
  );
}
