import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { refreshOptimizationAnalytics } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// POST /api/v1/analytics/refresh — owners and admins (never an API key: 403, or 401 for a
// key that is no longer valid); a refresh already running is not queued
export const POST = apiHandler({ access: 'write' }, async ({ caller }) =>
  json(await refreshOptimizationAnalytics(caller.scope)),
);

const unsupported = methodNotAllowed(['POST']);
export const GET = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
