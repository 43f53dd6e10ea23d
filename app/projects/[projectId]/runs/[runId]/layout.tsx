import { requireRun } from '@/lib/dashboard/context';

// Checks the run before the page's loading boundary streams, so an invisible run is
// answered with a 404 status, not only a not-found page.
export default async function RunLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ projectId: string; runId: string }>;
}) {
  const { projectId, runId } = await params;
  await requireRun(projectId, runId);
  return children;
}
