import { connection } from 'next/server';
import { getConfig } from '@/lib/config';

// Which runtime mode serves this page: local (one user, no sign-in) or Supabase Auth.
export async function ModeBadge() {
  await connection();
  const local = getConfig().mode === 'local';
  return (
    <span
      className={
        local
          ? 'rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-300 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/30'
          : 'rounded-full bg-emerald-100 px-2.5 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-300 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30'
      }
      title={local ? 'Local mode: no sign-in, you act as the local user' : 'Signed in with Supabase Auth'}
    >
      {local ? 'Local mode' : 'Supabase'}
    </span>
  );
}
