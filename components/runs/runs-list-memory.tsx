'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useEffect } from 'react';
import { useStoredState } from './use-stored-state';

// The runs list a visitor last looked at in this tab (its filters, order and page), so that
// "← Runs" on a run or a comparison goes back to that list rather than to the whole one.

const storageKey = (projectId: string) => `optiscope:runs-list:${projectId}`;

// a query string as URLSearchParams writes it
function asQuery(value: unknown): string | null {
  return typeof value === 'string' && !/[#?\s]/.test(value) ? value : null;
}

export function RememberRunsList({ projectId }: { projectId: string }) {
  const query = useSearchParams().toString();
  const [, remember] = useStoredState('session', storageKey(projectId), '', asQuery);
  useEffect(() => remember(query), [query, remember]);
  return null;
}

export function BackToRuns({ projectId, className }: { projectId: string; className?: string }) {
  const [query] = useStoredState('session', storageKey(projectId), '', asQuery);
  const base = `/projects/${projectId}/runs`;
  return (
    <Link href={query ? `${base}?${query}` : base} className={className} data-testid="back-to-runs">
      ← Runs
    </Link>
  );
}
