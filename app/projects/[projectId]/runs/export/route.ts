import { exportRoute, runsExport } from '@/lib/exports';

export const dynamic = 'force-dynamic';

// GET /projects/{projectId}/runs/export?<the Runs page's filters> — the filtered runs as
// CSV, streamed page by page up to 100,000 rows.
export const GET = exportRoute<{ projectId: string }>(({ scope, params, searchParams, requestId }) =>
  runsExport(scope, params.projectId, searchParams, requestId),
);
