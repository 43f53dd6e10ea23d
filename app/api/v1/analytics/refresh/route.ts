import { ApiError } from '@/lib/api/errors';
import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { refreshOptimizationAnalytics } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// POST /api/v1/analytics/refresh — owners and admins; a refresh already running is not queued
export const POST = apiHandler({ access: 'write' }, async ({ caller }) => {
  if (caller.kind === 'api_key') throw new ApiError('forbidden', 'API keys cannot refresh analytics: an owner or admin can');
  return json(await refreshOptimizationAnalytics(caller.scope));
});

const unsupported = methodNotAllowed(['POST']);
export const GET = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
