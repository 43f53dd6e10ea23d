'use client';

import { useEffect } from 'react';
import { DATABASE_UNAVAILABLE_DIGEST } from '@/lib/outage';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  const unavailable = digest === DATABASE_UNAVAILABLE_DIGEST;

  return (
    <div className="py-24 text-center">
      <h1 className="text-2xl font-semibold">{unavailable ? 'Database unavailable' : 'Something went wrong'}</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">
        {unavailable
          ? 'The database is restarting or cannot be reached. Try again in a few seconds.'
          : 'The page could not be loaded. If the database was just restarted, trying again usually helps.'}
      </p>
      {digest && !unavailable && <p className="mt-2 font-mono text-xs text-zinc-500 dark:text-zinc-400">Error reference: {digest}</p>}
      <button
        type="button"
        onClick={() => retry()}
        className="mt-6 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
      >
        Try again
      </button>
    </div>
  );
}
