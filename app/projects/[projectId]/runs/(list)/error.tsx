'use client';

import { useEffect } from 'react';

export default function RunsError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;

  return (
    <section role="alert" className="card px-6 py-12 text-center">
      <h1 className="text-lg font-semibold">The runs could not be loaded</h1>
      <p className="muted mt-1 text-sm">
        The database did not answer as expected. Trying again usually helps; your filters are kept in the address bar.
      </p>
      {digest && <p className="mt-2 font-mono text-xs text-zinc-500 dark:text-zinc-400">Error reference: {digest}</p>}
      <button type="button" onClick={() => retry()} className="btn btn-primary mt-5">
        Try again
      </button>
    </section>
  );
}
