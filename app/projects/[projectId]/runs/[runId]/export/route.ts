import { exportRoute, runExport } from '@/lib/exports';

export const dynamic = 'force-dynamic';

// GET /projects/{p}/runs/{id}/export?format=csv|json&what=run|iterations|samples
// — downloads a run; samples may be narrowed with the samples list's filters.
export const GET = exportRoute<{ projectId: string; runId: string }>(({ scope, params, searchParams }) =>
  runExport(scope, params.projectId, params.runId, searchParams),
);
