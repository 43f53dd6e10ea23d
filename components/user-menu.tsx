import { connection } from 'next/server';
import { getViewer } from '@/lib/auth';

// Who is signed in, and the way out (Supabase mode only; local mode has no sign-in).
export async function UserMenu() {
  await connection();
  const viewer = await getViewer();
  if (!viewer || viewer.mode === 'local') return null;
  return (
    <form action="/auth/sign-out" method="post" className="flex items-center gap-2 text-sm">
      <span className="hidden text-zinc-500 sm:inline dark:text-zinc-400" data-testid="signed-in-as">
        {viewer.email}
      </span>
      <button type="submit" className="btn">
        Sign out
      </button>
    </form>
  );
}
