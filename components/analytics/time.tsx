'use client';

import { useSyncExternalStore } from 'react';
import { formatRelativeTime, formatTimestamp } from '@/lib/format';

// One clock for every relative time on the page, ticking every 30 s while anything shows it.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  now = Date.now();
  timer ??= setInterval(() => {
    now = Date.now();
    listeners.forEach((l) => l());
  }, 30_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

// The current time in the browser; null while rendering on the server and hydrating, so
// callers fall back to the server's render time and the two renders match.
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, () => now, () => null);
}

const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

// Relative ("5 minutes ago") and exact (local time zone in the browser, UTC on the server).
export function useTimeLabels(iso: string, renderedAt: string): { relative: string; exact: string } {
  const current = useNow();
  const date = new Date(iso);
  // a time written a moment ago may be a little ahead of this clock: never say "in 1 minute"
  const reference = new Date(Math.max(current ?? new Date(renderedAt).getTime(), date.getTime()));
  return {
    relative: formatRelativeTime(date, reference),
    exact: current === null ? formatTimestamp(iso) : exact.format(date),
  };
}

export function TimeAgo({ iso, renderedAt, className }: { iso: string; renderedAt: string; className?: string }) {
  const { relative, exact: full } = useTimeLabels(iso, renderedAt);
  return (
    <time dateTime={iso} title={full} className={className}>
      {relative}
    </time>
  );
}
