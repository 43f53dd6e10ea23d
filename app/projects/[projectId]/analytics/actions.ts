'use server';

import { revalidatePath } from 'next/cache';
import { getConfig } from '@/lib/config';
import { requireProject } from '@/lib/dashboard/context';
import type { RefreshAnalyticsState } from '@/lib/dashboard/action-states';
import { ForbiddenError, refreshOptimizationAnalytics, toFormError } from '@/lib/supabase-optimization';

// Refreshes the analytics view (owners and admins; the database checks it again).
export async function refreshAnalyticsAction(projectId: string): Promise<RefreshAnalyticsState> {
  const { scope, canAdmin } = await requireProject(projectId);
  try {
    if (!canAdmin) throw new ForbiddenError('only owners and admins of this project can refresh analytics');
    const result = await refreshOptimizationAnalytics(scope, { minIntervalSeconds: getConfig().analyticsRefreshMinIntervalSeconds });
    revalidatePath(`/projects/${projectId}/analytics`);
    return result.refreshed
      ? { status: 'refreshed', refreshedAt: result.refreshedAt, durationMs: result.durationMs }
      : { status: 'throttled', refreshedAt: result.refreshedAt, retryAfterSeconds: result.retryAfterSeconds ?? 1 };
  } catch (error) {
    return { status: 'error', error: toFormError(error, 'refreshAnalytics') };
  }
}
