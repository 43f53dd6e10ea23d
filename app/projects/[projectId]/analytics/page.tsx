import type { Metadata } from 'next';
import Link from 'next/link';
import { AnalyticsCharts } from '@/components/analytics/analytics-charts';
import { AnalyticsRefresh } from '@/components/analytics/analytics-refresh';
import { AnalyticsTable } from '@/components/analytics/analytics-table';
import { sortRows, summarizeByOptimizer } from '@/components/analytics/summarize';
import { requireProject } from '@/lib/dashboard/context';
import { getOptimizationAnalytics } from '@/lib/supabase-optimization';
import { refreshAnalyticsAction } from './actions';

export const metadata: Metadata = { title: 'Analytics' };

export default async function AnalyticsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { scope, project, canAdmin } = await requireProject(projectId);
  const analytics = await getOptimizationAnalytics(scope, { projectId: project.id });
  const optimizers = summarizeByOptimizer(analytics.rows);
  const rows = sortRows(analytics.rows, optimizers.map((o) => o.optimizerType));
  const now = new Date();

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="max-w-xl">
          <h1 className="text-2xl font-semibold tracking-tight">Analytics</h1>
          <p className="muted mt-1 text-sm">
            Runs, final scores and spend of {project.name} per optimizer and status. The numbers are precomputed: runs
            since the last refresh are not counted yet.
            {!canAdmin && ' An owner or admin can refresh them.'}
          </p>
        </div>
        <AnalyticsRefresh
          refresh={refreshAnalyticsAction.bind(null, project.id)}
          lastRefreshedAt={analytics.lastRefreshedAt}
          renderedAt={now.toISOString()}
          canRefresh={canAdmin}
        />
      </div>

      {rows.length === 0 ? (
        <div className="rounded-xl border border-dashed border-zinc-300 p-10 text-center dark:border-zinc-700" data-testid="analytics-empty">
          <h2 className="font-semibold">No analytics for this project yet</h2>
          <p className="muted mx-auto mt-1 max-w-md text-sm">
            {analytics.lastRefreshedAt === null
              ? 'Analytics have never been refreshed.'
              : 'The last refresh found no runs in this project.'}{' '}
            {canAdmin
              ? 'Once the project has runs, refresh analytics to count them.'
              : 'Once the project has runs, ask an owner or admin to refresh analytics.'}{' '}
            <Link href={`/projects/${project.id}/runs`} className="font-medium text-indigo-600 underline dark:text-indigo-400">
              See the runs
            </Link>
            .
          </p>
        </div>
      ) : (
        <>
          <AnalyticsCharts optimizers={optimizers} />
          <section aria-labelledby="analytics-table-heading" className="space-y-3">
            <h2 id="analytics-table-heading" className="text-lg font-semibold">
              By optimizer and status
            </h2>
            <AnalyticsTable rows={rows} now={now} />
          </section>
        </>
      )}
    </div>
  );
}
