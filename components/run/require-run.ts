import 'server-only';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { requireProject } from '@/lib/dashboard/context';
import { getOptimizationRun, isDataError, type OptimizationRun } from '@/lib/supabase-optimization';

// The run a page is about, once per request. Another tenant's run, a run of another
// project under this project's URL, and a malformed id are all "not found".
export const requireRun = cache(async (projectId: string, runId: string) => {
  const context = await requireProject(projectId);
  let run: OptimizationRun;
  try {
    run = await getOptimizationRun(context.scope, runId);
  } catch (error) {
    if (isDataError(error)) notFound();
    throw error;
  }
  if (run.projectId !== context.project.id) notFound();
  return { ...context, run };
});
