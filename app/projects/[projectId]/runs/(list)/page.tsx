import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { RunsAnalysis } from '@/components/analysis/runs-analysis';
import { SavedViews } from '@/components/analysis/saved-views';
import { LiveRefresh } from '@/components/live-refresh';
import { ActiveFilters } from '@/components/runs/active-filters';
import { FilterErrors } from '@/components/runs/filter-errors';
import { toRunRow } from '@/components/runs/run-row';
import { FirstRunEmpty, NoMatchingRuns } from '@/components/runs/runs-empty';
import { RunsFilters, type FieldErrors } from '@/components/runs/runs-filters';
import { RememberRunsList } from '@/components/runs/runs-list-memory';
import { RunsTable } from '@/components/runs/runs-table';
import { parseListRunsQuery } from '@/lib/api/query';
import { requireProject } from '@/lib/dashboard/context';
import {
  clearedFilters,
  configColumnPaths,
  explainIssue,
  filterQuery,
  hasActiveFilters,
  issueField,
  readRunsUrl,
  runsHref,
  toListRunsParams,
} from '@/lib/dashboard/run-filters';
import { getConfig } from '@/lib/config';
import {
  getRunActivity,
  GROUP_BY_PATTERN,
  listDerivedScores,
  listOptimizationRuns,
  listRunFacets,
  listSavedViews,
  listStarredRuns,
  needsDerivedScores,
  shownScores,
  ValidationError,
  type FieldIssue,
  type RunPage,
} from '@/lib/supabase-optimization';

type SearchParams = Record<string, string | string[] | undefined>;

export async function generateMetadata({ params }: { params: Promise<{ projectId: string }> }): Promise<Metadata> {
  const { projectId } = await params;
  const { project } = await requireProject(projectId);
  return { title: `Runs · ${project.name}` };
}

export default async function RunsPage({
  params,
  searchParams,
}: {
  params: Promise<{ projectId: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { projectId } = await params;
  const query = await searchParams;
  const { scope, project, canAdmin, canWrite } = await requireProject(projectId);
  const state = readRunsUrl(query);
  const base = `/projects/${project.id}/runs`;

  // Invalid filters in the URL are the visitor's to fix: show what is wrong, not an error page.
  const listing = async (): Promise<{ page: RunPage } | { issues: FieldIssue[] }> => {
    try {
      const input = parseListRunsQuery(toListRunsParams(query), project.id);
      return { page: await listOptimizationRuns(scope, { ...input, projectId: project.id }) };
    } catch (error) {
      if (error instanceof ValidationError) return { issues: error.issues };
      throw error;
    }
  };
  const [result, facets, views, starred] = await Promise.all([
    listing(),
    listRunFacets(scope, project.id),
    listSavedViews(scope, project.id),
    listStarredRuns(scope, project.id),
  ]);
  // running runs with no recent write show as stalled, with their last write
  const running = 'page' in result ? result.page.data.filter((r) => r.status === 'running').map((r) => r.id) : [];
  const activity = await getRunActivity(scope, running, getConfig().stalledRunMinutes);
  const groupByParam = typeof query.groupBy === 'string' && GROUP_BY_PATTERN.test(query.groupBy) ? query.groupBy : undefined;
  const now = new Date().getTime();

  const fieldErrors: FieldErrors = {};
  const issues = 'issues' in result ? result.issues.map((i) => ({ path: i.path, message: explainIssue(i) })) : [];
  for (const issue of issues) (fieldErrors[issueField(issue.path)] ??= []).push(issue.message);
  const filtered = hasActiveFilters(state);
  const page = 'page' in result ? result.page : null;
  const derived = page ? await listDerivedScores(scope, page.data.filter(needsDerivedScores).map((r) => r.id)) : new Map();
  const projectIsEmpty = facets.sampledRuns === 0 && !filtered && !state.cursor;

  let content: React.ReactNode;
  if (!page) {
    content = (
      <FilterErrors
        issues={issues}
        clearHref={base}
        firstPageHref={runsHref(base, { ...state, cursor: '', prev: [], page: 1 })}
      />
    );
  } else if (projectIsEmpty && page.data.length === 0) {
    content = <FirstRunEmpty projectId={project.id} projectName={project.name} baseUrl={await baseUrl()} canAdmin={canAdmin} />;
  } else if (page.data.length === 0 && !state.cursor) {
    content = <NoMatchingRuns clearHref={runsHref(base, clearedFilters(state))} />;
  } else {
    content = (
      <RunsTable
        projectId={project.id}
        rows={page.data.map((run) => {
          const row = toRunRow(run, shownScores(run, derived.get(run.id)), configColumnPaths(state.columns));
          const a = activity.get(run.id);
          return a?.stalled ? { ...row, stalledSince: a.lastWriteAt } : row;
        })}
        state={state}
        total={page.total}
        totalIsExact={page.totalIsExact}
        nextCursor={page.nextCursor}
        now={now}
        configKeys={facets.configKeys.map((k) => k.value)}
      />
    );
  }

  const exportQuery = filterQuery(state);
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center gap-x-4 gap-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Runs</h1>
        <LiveRefresh projectId={project.id} />
        <RememberRunsList projectId={project.id} />
        <div className="ml-auto flex items-center gap-2">
          {page && page.total > 0 && (
            <a
              href={`${base}/export${exportQuery ? `?${exportQuery}` : ''}`}
              className="btn"
              download
              data-testid="export-csv"
              title={filtered ? 'Download the runs that match these filters as CSV' : 'Download every run as CSV'}
            >
              <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-4 text-zinc-500 dark:text-zinc-400">
                <path d="M10.75 2.75a.75.75 0 0 0-1.5 0v8.614L6.295 8.235a.75.75 0 1 0-1.09 1.03l4.25 4.5a.75.75 0 0 0 1.09 0l4.25-4.5a.75.75 0 0 0-1.09-1.03l-2.955 3.129V2.75Z" />
                <path d="M3.5 12.75a.75.75 0 0 0-1.5 0v2.5A2.75 2.75 0 0 0 4.75 18h10.5A2.75 2.75 0 0 0 18 15.25v-2.5a.75.75 0 0 0-1.5 0v2.5c0 .69-.56 1.25-1.25 1.25H4.75c-.69 0-1.25-.56-1.25-1.25v-2.5Z" />
              </svg>
              Export CSV<span className="sr-only">{filtered ? ' of the filtered runs' : ' of every run'}</span>
            </a>
          )}
        </div>
      </div>
      {!projectIsEmpty && (
        <SavedViews
          projectId={project.id}
          base={base}
          views={views}
          currentQuery={filterQuery(state)}
          columns={state.columns}
          sort={{ by: state.orderBy, direction: state.orderDirection }}
          groupBy={groupByParam}
          canWrite={canWrite}
          starred={starred}
        />
      )}
      {!projectIsEmpty && (
        <>
          <RunsFilters
            projectId={project.id}
            state={state}
            optimizerTypes={facets.optimizerTypes}
            tags={facets.tags}
            configKeys={facets.configKeys}
            sampledRuns={facets.sampledRuns}
            fieldErrors={fieldErrors}
          />
          <ActiveFilters base={base} state={state} />
        </>
      )}
      {content}
      {page && page.data.length > 0 && (
        <RunsAnalysis projectId={project.id} filterQuery={filterQuery(state)} initialGroupBy={groupByParam} />
      )}
    </>
  );
}

// Where this server answers, for the copy-paste snippets.
async function baseUrl(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? '127.0.0.1:3000';
  const proto = h.get('x-forwarded-proto') ?? (host.startsWith('127.0.0.1') || host.startsWith('localhost') ? 'http' : 'https');
  return `${proto.split(',')[0]}://${host}`;
}
