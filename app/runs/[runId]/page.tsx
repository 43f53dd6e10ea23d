import { notFound, redirect } from 'next/navigation';
import { requireViewer } from '@/lib/dashboard/context';
import { getOptimizationRun, isDataError } from '@/lib/supabase-optimization';

// /runs/{id}: the short link scripts print; it resolves to the run's project page.
export default async function RunShortLink({ params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const { scope } = await requireViewer();
  let projectId: string;
  try {
    projectId = (await getOptimizationRun(scope, runId)).projectId;
  } catch (error) {
    if (isDataError(error)) notFound();
    throw error;
  }
  redirect(`/projects/${projectId}/runs/${runId}`);
}
