'use client';

import { useState, useTransition } from 'react';
import type { RefreshAnalyticsState } from '@/lib/dashboard/action-states';
import { FormAlert } from '@/components/settings/form-feedback';
import { useTimeLabels } from './time';

function latest(a: string | null, b: string | null): string | null {
  if (!a || !b) return a ?? b;
  return new Date(a) > new Date(b) ? a : b;
}

// "Last refreshed …" for everyone; the refresh button only for owners and admins.
export function AnalyticsRefresh({
  refresh: refreshAction,
  lastRefreshedAt,
  renderedAt,
  canRefresh,
}: {
  // the server action, bound to the project
  refresh: () => Promise<RefreshAnalyticsState>;
  lastRefreshedAt: string | null;
  renderedAt: string;
  canRefresh: boolean;
}) {
  const [state, setState] = useState<RefreshAnalyticsState>({ status: 'idle' });
  const [pending, startTransition] = useTransition();
  const shown = latest(lastRefreshedAt, state.status === 'refreshed' ? state.refreshedAt : null);

  const refresh = () =>
    startTransition(async () => {
      setState(await refreshAction());
    });

  return (
    <div className="flex flex-col items-start gap-2 sm:items-end">
      <div className="flex flex-wrap items-center gap-3">
        <p className="muted text-sm" data-testid="last-refreshed" data-refreshed-at={shown ?? ''}>
          {shown ? <RefreshedAt iso={shown} renderedAt={renderedAt} /> : 'Last refreshed: never'}
        </p>
        {canRefresh && (
          <button
            type="button"
            className="btn"
            onClick={refresh}
            disabled={pending}
            aria-busy={pending}
            data-testid="refresh-analytics"
          >
            <svg
              aria-hidden
              width="15"
              height="15"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              className={pending ? 'animate-spin' : undefined}
            >
              <path d="M21 12a9 9 0 1 1-2.64-6.36M21 3v6h-6" />
            </svg>
            {pending ? 'Refreshing…' : 'Refresh analytics'}
          </button>
        )}
      </div>
      <div aria-live="polite" className="text-sm empty:hidden">
        {!pending && state.status === 'refreshed' && (
          <p className="text-emerald-700 dark:text-emerald-400" data-testid="refresh-result" data-result="refreshed">
            Analytics refreshed{state.durationMs !== null ? ` in ${state.durationMs.toLocaleString('en-US')} ms` : ''}.
          </p>
        )}
        {!pending && state.status === 'throttled' && (
          <p className="text-amber-700 dark:text-amber-400" data-testid="refresh-result" data-result="throttled">
            Not refreshed: analytics were refreshed moments ago or a refresh is still running. Try again in{' '}
            {waitLabel(state.retryAfterSeconds)}.
          </p>
        )}
      </div>
      {!pending && state.status === 'error' && (
        <div className="max-w-md" data-testid="refresh-result" data-result="error">
          <FormAlert error={state.error} title="Analytics were not refreshed" />
        </div>
      )}
    </div>
  );
}

function waitLabel(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

function RefreshedAt({ iso, renderedAt }: { iso: string; renderedAt: string }) {
  const { relative, exact } = useTimeLabels(iso, renderedAt);
  return (
    <>
      Last refreshed <time dateTime={iso} className="font-medium text-zinc-700 dark:text-zinc-200">{relative}</time>{' '}
      <span>({exact})</span>
    </>
  );
}
