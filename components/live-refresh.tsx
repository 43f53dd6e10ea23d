'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

// Subscribes to /api/live (server-sent events) and re-renders the page's server
// components when a watched run changes: no reload, no polling from the browser.
export function LiveRefresh({ projectId, runId }: { projectId: string; runId?: string }) {
  const router = useRouter();
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const params = new URLSearchParams({ projectId });
    if (runId) params.set('runId', runId);
    const source = new EventSource(`/api/live?${params}`);
    const refresh = () => {
      // coalesce bursts (a batch of iterations) into one refresh
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        router.refresh();
      }, 250);
    };
    let connected = false;
    source.addEventListener('ready', () => {
      setState('live');
      // a reconnect: changes made while the stream was down were never sent
      if (connected) refresh();
      connected = true;
    });
    source.addEventListener('change', refresh);
    source.addEventListener('revoked', () => source.close());
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => {
      source.close();
      if (pending.current) clearTimeout(pending.current);
    };
  }, [projectId, runId, router]);

  return (
    <span
      data-testid="live-indicator"
      data-state={state}
      className="inline-flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400"
      title={state === 'live' ? 'Updates appear as they are written' : 'Reconnecting to live updates'}
    >
      <span
        aria-hidden
        className={`h-2 w-2 rounded-full ${state === 'live' ? 'animate-pulse bg-emerald-500' : state === 'offline' ? 'bg-zinc-400' : 'bg-amber-400'}`}
      />
      {state === 'live' ? 'Live' : state === 'offline' ? 'Offline' : 'Connecting…'}
    </span>
  );
}
