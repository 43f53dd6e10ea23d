import { ApiError } from '@/lib/api/errors';
import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { getConfig } from '@/lib/config';
import { refreshOptimizationAnalytics } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// POST /api/v1/analytics/refresh — owners and admins (never an API key: 403, or 401 for a
// key that is no longer valid); 429 with Retry-After while a refresh runs or within
// ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS of the last one
export const POST = apiHandler({ access: 'write' }, async ({ caller }) => {
  const result = await refreshOptimizationAnalytics(caller.scope, { minIntervalSeconds: getConfig().analyticsRefreshMinIntervalSeconds });
  if (!result.refreshed) {
    const wait = result.retryAfterSeconds ?? 1;
    throw new ApiError('rate_limited', `analytics were refreshed recently or a refresh is running: retry in ${wait}s`, {
      details: { lastRefreshedAt: result.refreshedAt, retryAfterSeconds: wait },
      headers: { 'retry-after': String(wait) },
    });
  }
  return json(result);
});

const unsupported = methodNotAllowed(['POST']);
export const GET = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
