import { DiffView } from '@/components/run/diff-view';
import { programModelOf, programText, type Predictor } from '@/components/run/program-model';
import { Section } from '@/components/run/section';
import { diffText } from '@/lib/diff';
import {
  getBestOptimizationIteration,
  getRunFlips,
  getSettingsOutcomes,
  type OptimizationRun,
  type Scope,
} from '@/lib/supabase-optimization';
import { FlipsView } from './flips-view';
import { InsightNote } from './note';

const f3 = (v: number | null) => (v === null ? '—' : v.toFixed(3));

function predictorText(p: Predictor | undefined): string {
  return p ? programText({ predictors: [{ ...p, name: null }], extra: {} }) : '';
}

// Issue 15, view 9 and the cross-run part of view 5 on the compare page: the selected
// programs of the first two runs diffed per predictor, their per-example flips, and which
// optimizer settings went with which best scores over all runs of the project.
export async function CompareInsightA({ scope, projectId, runs }: { scope: Scope; projectId: string; runs: OptimizationRun[] }) {
  const [a, b] = runs as [OptimizationRun, OptimizationRun];
  const [bestA, bestB, flips, settings] = await Promise.all([
    getBestOptimizationIteration(scope, a.id),
    getBestOptimizationIteration(scope, b.id),
    getRunFlips(scope, a.id, b.id),
    getSettingsOutcomes(scope, projectId),
  ]);
  const modelA = programModelOf(bestA?.programState);
  const modelB = programModelOf(bestB?.programState);
  // predictors by name, or by position when unnamed
  const keys = (model: typeof modelA) => (model?.predictors ?? []).map((p, i) => p.name ?? `#${i}`);
  const names = [...new Set([...keys(modelA), ...keys(modelB)])];
  const find = (model: typeof modelA, name: string) =>
    model?.predictors.find((p, i) => (p.name ?? `#${i}`) === name);
  const same = flips.total > 0 && flips.counts.only_before + flips.counts.only_after < flips.total;

  return (
    <div className="space-y-6" data-testid="compare-insight-a">
      <Section
        id="insight-programs"
        title="Selected programs, per predictor"
        description={`${a.runName} (iteration #${bestA?.iteration ?? '—'}) against ${b.runName} (iteration #${bestB?.iteration ?? '—'})${runs.length > 2 ? '; the first two runs of the comparison' : ''}.`}
      >
        {!modelA || !modelB ? (
          <InsightNote testId="programs-note">
            {!bestA || !bestB ? 'Both runs need a selected or best iteration.' : 'One of the selected iterations logged no program state.'}
          </InsightNote>
        ) : (
          <div className="space-y-4" data-testid="insight-program-diffs">
            {names.map((name) => {
              const diff = diffText(predictorText(find(modelA, name)), predictorText(find(modelB, name)));
              return (
                <div key={name} data-testid="predictor-diff" data-predictor={name}>
                  <h3 className="mb-1 font-mono text-sm font-medium">{name}</h3>
                  {diff.added + diff.removed === 0 ? (
                    <p className="muted text-sm">Identical in both runs.</p>
                  ) : (
                    <DiffView diff={diff} fromLabel={a.runName} toLabel={b.runName} full={false} />
                  )}
                </div>
              );
            })}
          </div>
        )}
      </Section>

      <Section id="insight-run-flips" title="Per-example flips between the runs" description="The selected program of each run on the examples both evaluated (matched by example id).">
        {same ? (
          <FlipsView flips={flips} beforeLabel={`${a.runName} #${flips.before?.iteration}`} afterLabel={`${b.runName} #${flips.after?.iteration}`} testId="insight-run-flips" />
        ) : (
          <InsightNote testId="run-flips-note">
            These runs&apos; selected programs were not evaluated on the same examples (no shared example ids), so their outcomes cannot be matched.
          </InsightNote>
        )}
      </Section>

      <Section id="insight-settings" title="Settings and outcomes across the project" description="Every run of the project grouped by optimizer settings, with the best scores they reached." flush>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm tabular-nums" data-testid="insight-settings">
            <caption className="sr-only">Optimizer settings and best scores over all runs of the project</caption>
            <thead>
              <tr className="muted border-b border-zinc-100 text-xs dark:border-zinc-800">
                <th scope="col" className="px-4 py-2">Optimizer</th>
                <th scope="col" className="px-2 py-2">Auto</th>
                <th scope="col" className="px-2 py-2">Candidates</th>
                <th scope="col" className="px-2 py-2">Minibatch</th>
                <th scope="col" className="px-2 py-2">Task model</th>
                <th scope="col" className="px-2 py-2">Runs</th>
                <th scope="col" className="px-2 py-2">Mean best</th>
                <th scope="col" className="px-2 py-2">Range</th>
              </tr>
            </thead>
            <tbody>
              {settings.map((g, i) => (
                <tr key={i} className="border-t border-zinc-100 dark:border-zinc-800" data-testid="settings-row">
                  <td className="px-4 py-1.5">{g.optimizerType}</td>
                  <td className="px-2 py-1.5">{g.auto ?? '—'}</td>
                  <td className="px-2 py-1.5">{g.numCandidates ?? '—'}</td>
                  <td className="px-2 py-1.5">{g.minibatchSize ?? '—'}</td>
                  <td className="max-w-48 truncate px-2 py-1.5 font-mono text-xs">{g.model ?? '—'}</td>
                  <td className="px-2 py-1.5">
                    {g.runs}
                    {g.scored < g.runs ? <span className="muted text-xs"> ({g.scored} scored)</span> : null}
                  </td>
                  <td className="px-2 py-1.5 font-medium">{f3(g.meanBestScore)}</td>
                  <td className="px-2 py-1.5">{g.minBestScore === null ? '—' : `${f3(g.minBestScore)}–${f3(g.maxBestScore)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  );
}
