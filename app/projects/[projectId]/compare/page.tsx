import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CompareChart } from '@/components/charts/compare-chart';
import { CompareTable } from '@/components/compare/compare-table';
import { ConfigDiff, type ConfigDiffRow } from '@/components/compare/config-diff';
import { CompareInsightA } from '@/components/insight/compare-insight';
import { Section } from '@/components/run/section';
import { BackToRuns } from '@/components/runs/runs-list-memory';
import { requireProject } from '@/lib/dashboard/context';
import { flattenJson, flatValueKey } from '@/lib/json-flatten';
import {
  getOptimizationRun,
  isDataError,
  listOptimizationIterationScores,
  type IterationScore,
  type OptimizationRun,
} from '@/lib/supabase-optimization';

export const metadata: Metadata = { title: 'Compare runs' };

const MIN_RUNS = 2;
const MAX_RUNS = 4;

interface Props {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function ComparePage({ params, searchParams }: Props) {
  const { projectId } = await params;
  const sp = await searchParams;
  const { scope, project } = await requireProject(projectId);
  const runsHref = `/projects/${project.id}/runs`;

  // ?runs=a,b (or runs=a&runs=b), in the order given, without repeats
  const raw = [sp.runs ?? []].flat().flatMap((v) => v.split(','));
  const ids = [...new Set(raw.map((id) => id.trim().toLowerCase()).filter(Boolean))];
  if (ids.length < MIN_RUNS || ids.length > MAX_RUNS) {
    return (
      <div className="card mx-auto max-w-xl px-6 py-12 text-center" data-testid="compare-invalid">
        <h1 className="text-xl font-semibold">Compare runs</h1>
        <p className="mt-2 text-zinc-600 dark:text-zinc-400">
          {ids.length < MIN_RUNS
            ? `Pick at least ${MIN_RUNS} runs to compare${ids.length === 1 ? ' (this link names only one)' : ''}.`
            : `At most ${MAX_RUNS} runs can be compared at once; this link names ${ids.length}.`}{' '}
          Select {MIN_RUNS}–{MAX_RUNS} runs in the runs list and choose “Compare”.
        </p>
        <Link href={runsHref} className="btn btn-primary mt-6">
          Back to the runs
        </Link>
      </div>
    );
  }

  let runs: OptimizationRun[];
  let scores: Map<string, IterationScore[]>;
  try {
    runs = await Promise.all(ids.map((id) => getOptimizationRun(scope, id)));
    scores = await listOptimizationIterationScores(scope, ids);
  } catch (error) {
    if (isDataError(error)) notFound();
    throw error;
  }
  // every run must belong to this project: a run of another one is as unknown as a stranger's
  if (runs.some((run) => run.projectId !== project.id)) notFound();

  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <nav aria-label="Breadcrumb" className="text-sm">
          <BackToRuns
            projectId={project.id}
            className="rounded text-zinc-500 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:text-zinc-200"
          />
        </nav>
        <h1 className="text-2xl font-semibold tracking-tight">Compare {runs.length} runs</h1>
      </div>

      <Section id="metrics" title="Metrics" description="The best value of each row is highlighted." flush>
        <CompareTable runs={runs} projectId={project.id} />
      </Section>

      <Section id="curves" testId="compare-chart" title="Score curves">
        {runs.every((run) => (scores.get(run.id) ?? []).length === 0) ? (
          <p className="muted py-10 text-center text-sm">None of these runs has logged iterations yet.</p>
        ) : (
          <CompareChart
            series={runs.map((run) => ({ id: run.id, name: run.runName, points: scores.get(run.id) ?? [] }))}
          />
        )}
      </Section>

      <Section id="config" title="Configuration" description="Config keys as dotted paths; differing values are highlighted." flush>
        <ConfigDiff runs={runs.map((r) => ({ id: r.id, name: r.runName }))} rows={configRows(runs)} />
      </Section>

      {/* insight15a: issue 15 view 9 and cross-run flips (components/insight/compare-insight.tsx) */}
      <CompareInsightA scope={scope} projectId={project.id} runs={runs} />
      {/* end insight15a */}
    </div>
  );
}

function configRows(runs: OptimizationRun[]): ConfigDiffRow[] {
  const flat = runs.map((run) => flattenJson(run.config));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return paths.map((path) => {
    const values = flat.map((f) => f[path]);
    return {
      path,
      values: values.map((v) => (v === undefined ? null : JSON.stringify(v))),
      differs: new Set(values.map(flatValueKey)).size > 1,
    };
  });
}
