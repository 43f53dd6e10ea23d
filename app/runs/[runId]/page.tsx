import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { requireViewer } from '@/lib/dashboard/context';
import { getOptimizationRun, isDataError } from '@/lib/supabase-optimization';

// /runs/{id}: the short link scripts print; it resolves to the run's project page (a run id
// is unique within a project only: one held in several of the viewer's projects asks which).
export default async function RunShortLink({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const { scope } = await requireViewer();
  let projectId: string;
  try {
    projectId = (await getOptimizationRun(scope, runId)).projectId;
  } catch (error) {
    if (isDataError(error) && error.code === 'conflict') {
      const { projects } = error.details as { projects: string[] };
      return (
        <div className="py-24 text-center" data-testid="run-in-several-projects">
          <h1 className="text-2xl font-semibold">This run id is used in several of your projects</h1>
          <p className="mt-2 text-zinc-600 dark:text-zinc-400">Open it in one of them:</p>
          <ul className="mt-4 space-y-1">
            {projects.map((p) => (
              <li key={p}>
                <Link className="text-indigo-600 hover:underline" href={`/projects/${p}/runs/${runId}`}>{p}</Link>
              </li>
            ))}
          </ul>
        </div>
      );
    }
    if (isDataError(error)) notFound();
    throw error;
  }
  redirect(`/projects/${projectId}/runs/${runId}`);
}
