import type { Metadata } from 'next';
import Link from 'next/link';
import { LeaderboardFilters } from '@/components/leaderboard/leaderboard-filters';
import { LeaderboardTable, type LeaderboardRun } from '@/components/leaderboard/leaderboard-table';
import { requireProject } from '@/lib/dashboard/context';
import {
  getTopRunsByScore,
  listDerivedScores,
  listOptimizationRuns,
  listRunFacets,
  needsDerivedScores,
  shownScores,
  ValidationError,
  type Scope,
} from '@/lib/supabase-optimization';

export const metadata: Metadata = { title: 'Leaderboard' };

const LIMIT = 50;

type SearchParams = Record<string, string | string[] | undefined>;

function param(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim() ? v.trim() : null;
}

// The whole project's top runs come from get_top_runs_by_score; filtered ones from the
// runs listing, with the same order (status completed, final score first, NULLs last).
async function topRuns(
  scope: Scope,
  projectId: string,
  optimizerType: string | null,
  tag: string | null,
): Promise<{ runs: LeaderboardRun[]; invalid: string | null }> {
  try {
    if (!optimizerType && !tag) return { runs: await getTopRunsByScore(scope, projectId, LIMIT), invalid: null };
    const page = await listOptimizationRuns(scope, {
      projectId,
      status: 'completed',
      optimizerType: optimizerType ?? undefined,
      tags: tag ? [tag] : undefined,
      orderBy: 'final_score',
      orderDirection: 'desc',
      limit: LIMIT,
    });
    return { runs: page.data, invalid: null };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { runs: [], invalid: error.issues.map((i) => `${i.path.replace(/\.0$/, '')} ${i.message}`).join('; ') };
  }
}

export default async function LeaderboardPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { projectId } = await params;
  const query = await searchParams;
  const optimizerType = param(query.optimizerType);
  const tag = param(query.tag);
  const { scope, project } = await requireProject(projectId);

  const [facets, board] = await Promise.all([
    listRunFacets(scope, project.id),
    topRuns(scope, project.id, optimizerType, tag),
  ]);
  const { invalid } = board;
  // runs without a reported final score come last, unranked, with their derived scores
  const derived = await listDerivedScores(scope, board.runs.filter((r) => needsDerivedScores({ ...r, status: 'completed' })).map((r) => r.id));
  const runs: LeaderboardRun[] = board.runs.map((run) => {
    const shown = shownScores({ ...run, status: 'completed' }, derived.get(run.id));
    return shown.initialDerived || shown.finalDerived ? { ...run, ...shown, unranked: run.finalScore === null } : { ...run, unranked: run.finalScore === null };
  });
  const filtered = Boolean(optimizerType || tag);

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Leaderboard</h1>
          <p className="muted mt-1 text-sm">
            The best completed runs of {project.name} by final score
            {runs.length === LIMIT ? ` (top ${LIMIT})` : ''}. Runs whose client reported no final score are not ranked:
            they come last, with scores derived from their iterations.
          </p>
        </div>
        <LeaderboardFilters
          optimizerTypes={facets.optimizerTypes.map((f) => f.value)}
          tags={facets.tags.map((f) => f.value)}
          optimizerType={optimizerType}
          tag={tag}
        />
      </div>

      {invalid ? (
        <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-500/40 dark:bg-red-500/10 dark:text-red-300">
          <p className="font-medium">These filters are not valid</p>
          <p className="mt-1">{invalid}</p>
          <Link href={`/projects/${project.id}/leaderboard`} className="mt-2 inline-block font-medium underline">
            Show all completed runs
          </Link>
        </div>
      ) : runs.length === 0 ? (
        <div className="rounded-xl border border-dashed border-zinc-300 p-10 text-center dark:border-zinc-700" data-testid="leaderboard-empty">
          <h2 className="font-semibold">{filtered ? 'No completed runs match these filters' : 'No completed runs yet'}</h2>
          <p className="muted mx-auto mt-1 max-w-md text-sm">
            {filtered ? (
              <>
                Try another optimizer or tag, or{' '}
                <Link href={`/projects/${project.id}/leaderboard`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
                  clear the filters
                </Link>
                .
              </>
            ) : (
              <>
                Runs appear here once they finish with status <code className="font-mono">completed</code> and a final
                score. See them in progress on the{' '}
                <Link href={`/projects/${project.id}/runs`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
                  runs page
                </Link>
                .
              </>
            )}
          </p>
        </div>
      ) : (
        <LeaderboardTable runs={runs} projectId={project.id} optimizerType={optimizerType} now={new Date()} />
      )}
    </div>
  );
}
