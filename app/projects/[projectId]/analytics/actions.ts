'use server';

import { revalidatePath } from 'next/cache';
import { getConfig } from '@/lib/config';
import { requireProject } from '@/lib/dashboard/context';
import { ForbiddenError, refreshOptimizationAnalytics, toFormError, type FormError } from '@/lib/supabase-optimization';

export type RefreshAnalyticsState =
  | { status: 'idle' }
  | { status: 'refreshed'; refreshedAt: string | null; durationMs: number | null }
  | { status: 'throttled'; refreshedAt: string | null; retryAfterSeconds: number }
  | { status: 'error'; error: FormError };

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
