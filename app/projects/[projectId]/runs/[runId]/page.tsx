import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RunNotes } from '@/components/analysis/run-notes';
import { ScoreChart } from '@/components/charts/score-chart';
import { OptimizerStructureSections } from '@/components/insight/optimizer-structure-sections';
import { RunInsightA } from '@/components/insight/run-insight-a';
import { ConfigPanel } from '@/components/run/config-panel';
import { IterationsTable } from '@/components/run/iterations-table';
import { ProgramDiff } from '@/components/run/program-diff';
import { ProgramState } from '@/components/run/program-state';
import { RunHeader } from '@/components/run/run-header';
import { FIRST_PAGE, SamplesSection } from '@/components/run/samples-section';
import { ScoreCards } from '@/components/run/score-cards';
import { Section } from '@/components/run/section';
import { getConfig } from '@/lib/config';
import { requireRun } from '@/lib/dashboard/context';
import { readSamplesUrl } from '@/lib/dashboard/sample-filters';
import {
  countOptimizationSamplesByIteration,
  deriveScores,
  getRunActivity,
  getRunNote,
  listRunChanges,
  listStarredRuns,
  isDataError,
  listOptimizationIterations,
  listOptimizationSamples,
  shownScores,
  type OptimizationSample,
  type Page,
} from '@/lib/supabase-optimization';
import { formatScore } from '@/lib/format';

type SearchParams = Record<string, string | string[] | undefined>;
interface Props {
  params: Promise<{ projectId: string; runId: string }>;
  searchParams: Promise<SearchParams>;
}

const SAMPLES_PER_PAGE = 25;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { projectId, runId } = await params;
  const { run } = await requireRun(projectId, runId);
  return { title: run.runName };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function intParam(value: string | undefined): number | null {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

export default async function RunPage({ params, searchParams }: Props) {
  const { projectId, runId } = await params;
  const sp = await searchParams;
  // a run of another tenant or another project is "not found", never "forbidden"
  const { scope, project, run, canWrite } = await requireRun(projectId, runId);

  // samples: filters and keyset cursor from the URL, judged as the API judges them
  const samplesUrl = readSamplesUrl(sp, run.id, SAMPLES_PER_PAGE);
  const filters = samplesUrl.values;
  const cursor = samplesUrl.input?.cursor ?? null;
  const history = (first(sp.sHist) ?? '').split(',').filter((h) => h === FIRST_PAGE || /^\d+\.\d+$/.test(h));
  const samplesPage: Promise<{ page: Page<OptimizationSample> } | { error: string }> =
    samplesUrl.error !== null
      ? Promise.resolve({ error: samplesUrl.error })
      : listOptimizationSamples(scope, samplesUrl.input).then(
          (page) => ({ page }),
          (error: unknown) => {
            // a hand-edited or stale cursor is the link's fault, not the page's
            if (isDataError(error) && error.code === 'validation') {
              return { error: 'This page of samples could not be loaded: the link holds an invalid page cursor.' };
            }
            throw error;
          },
        );

  const stalledAfterMinutes = getConfig().stalledRunMinutes;
  let iterations, counts, samples, note, changes, starred, activity;
  try {
    [iterations, counts, samples, note, changes, starred, activity] = await Promise.all([
      listOptimizationIterations(scope, run.id),
      countOptimizationSamplesByIteration(scope, run.id),
      samplesPage,
      getRunNote(scope, run.id),
      listRunChanges(scope, run.id, 50),
      listStarredRuns(scope, project.id),
      getRunActivity(scope, [run.id], stalledAfterMinutes),
    ]);
  } catch (error) {
    // deleted while we looked
    if (isDataError(error) && error.code === 'not_found') notFound();
    throw error;
  }

  const best = iterations.find((i) => i.isBest) ?? null;
  const firstIteration = iterations[0] ?? null;
  const lastIteration = iterations.at(-1) ?? null;
  const shownProgram = best ?? lastIteration;

  // the program diff: ?from=&to= (default: the first iteration against the best)
  const has = (n: number | null) => n !== null && iterations.some((i) => i.iteration === n);
  const fromParam = intParam(first(sp.from));
  const toParam = intParam(first(sp.to));
  const diffFrom = has(fromParam) ? fromParam! : (firstIteration?.iteration ?? 0);
  const diffTo = has(toParam)
    ? toParam!
    : (best && best.iteration !== diffFrom ? best.iteration : lastIteration?.iteration) ?? 0;
  const diffMode = first(sp.dmode) === 'json' ? 'json' : 'text';

  const basePath = `/projects/${project.id}/runs/${run.id}`;
  const exportBase = `${basePath}/export`;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(sp)) {
    const v = first(value);
    if (v !== undefined) query.set(key, v);
  }
  const fullDiff = first(sp.dfull) === '1';
  const foldQuery = new URLSearchParams(query);
  if (fullDiff) foldQuery.delete('dfull');
  else foldQuery.set('dfull', '1');

  return (
    <div className="space-y-6">
      <RunHeader run={run} exportBase={exportBase} />
      <ScoreCards
        run={run}
        bestIteration={best?.iteration ?? null}
        shown={shownScores(run, deriveScores(iterations.map((i) => ({ iteration: i.iteration, score: i.score, kind: i.evalKind, isSelected: i.isSelected }))))}
      />

      <Section id="notes" testId="notes-section" title="Notes and labels" description="Star, rename, tag and annotate this run; every change is recorded.">
        <RunNotes
          runId={run.id}
          runName={run.runName}
          tags={run.tags}
          note={note?.body ?? ''}
          starred={starred.some((s) => s.runId === run.id)}
          canWrite={canWrite}
          stalledSince={activity.get(run.id)?.stalled ? activity.get(run.id)!.lastWriteAt : null}
          stalledAfterMinutes={stalledAfterMinutes}
          changes={changes}
        />
      </Section>

      <Section
        id="score-chart"
        testId="score-chart"
        title="Score per iteration"
        description={
          iterations.length > 0
            ? `${iterations.length} iteration${iterations.length === 1 ? '' : 's'}${best ? ` · best ${formatScore(best.score)} at #${best.iteration}` : ''}`
            : undefined
        }
      >
        {iterations.length === 0 ? (
          <p className="muted py-10 text-center text-sm">
            {run.status === 'pending' || run.status === 'running'
              ? 'No iterations yet: scores appear here as soon as the optimizer logs them.'
              : 'This run logged no iterations.'}
          </p>
        ) : (
          <ScoreChart
            points={iterations.map((i) => ({ iteration: i.iteration, score: i.score, kind: i.evalKind }))}
            best={best && best.score !== null ? { iteration: best.iteration, score: best.score } : null}
          />
        )}
      </Section>

      {/* insight15a: issue 15 views 1, 5, 6, 7 (components/insight/run-insight-a.tsx) */}
      <RunInsightA scope={scope} run={run} basePath={basePath} searchParams={sp} />
      {/* end insight15a */}

      <ConfigPanel config={run.config} metadata={run.metadata} />

      <Section
        id="iterations"
        title="Iterations"
        description="Expand a row for its full params and to diff its program."
        flush
      >
        <IterationsTable
          bestIteration={best?.iteration ?? null}
          rows={iterations.map((i) => ({
            iteration: i.iteration,
            score: i.score,
            isBest: i.isBest,
            isSelected: i.isSelected,
            kind: i.evalKind,
            params: i.params,
            latencyMs: i.latencyMs,
            tokens: i.tokens,
            costUsd: i.costUsd,
            samplesEvaluated: i.samplesEvaluated,
            durationMs: i.durationMs,
            programHash: i.programHash,
            createdAt: i.createdAt,
          }))}
        />
      </Section>

      {shownProgram && (
        <Section
          id="program-state"
          testId="program-state"
          title={`${shownProgram === best ? 'Best' : 'Latest'} program · iteration #${shownProgram.iteration}`}
          description={`Score ${formatScore(shownProgram.score)}${shownProgram.programHash ? ` · program ${shownProgram.programHash}` : ''}`}
        >
          <ProgramState state={shownProgram.programState} />
        </Section>
      )}

      {iterations.length > 1 && (
        <Section id="program-diff" title="Program diff" description="What changed in the program between two iterations.">
          <ProgramDiff
            iterations={iterations}
            from={diffFrom}
            to={diffTo}
            mode={diffMode}
            full={fullDiff}
            toggleHref={`${basePath}${foldQuery.size ? `?${foldQuery}` : ''}#program-diff`}
          />
        </Section>
      )}

      {/* insight15b: optimizer structure views (candidate pools, lineage, Pareto front, proposal audit) */}
      <OptimizerStructureSections scope={scope} runId={run.id} optimizerType={run.optimizerType} basePath={basePath} query={query} />
      {/* end insight15b */}

      <SamplesSection
        basePath={basePath}
        exportBase={exportBase}
        query={query}
        filters={filters}
        cursor={cursor}
        history={history}
        result={samples}
        counts={counts}
        reported={iterations.map((i) => ({ iteration: i.iteration, samplesEvaluated: i.samplesEvaluated }))}
      />
    </div>
  );
}
