import { cookies } from 'next/headers';
import { getConfig } from '@/lib/config';
import { createClient } from '@/lib/supabase/server';

// POST /auth/sign-out — ends this browser's session, even when Supabase Auth cannot be reached.
export async function POST() {
  const settings = getConfig().supabase;
  if (!settings) return seeOther('/');

  try {
    const supabase = await createClient();
    // local: this browser only (not every device); it clears the session before calling the server
    await supabase.auth.signOut({ scope: 'local' });
  } catch (error) {
    console.warn('[auth/sign-out] Supabase Auth did not answer; clearing the session cookies anyway:', error instanceof Error ? error.message : error);
  }

  // whatever signOut managed: no session cookie (or chunk, or PKCE verifier) survives
  const cookieStore = await cookies();
  for (const { name } of cookieStore.getAll()) {
    if (name.startsWith(settings.storageKey)) cookieStore.delete({ name, path: '/' });
  }
  return seeOther('/sign-in');
}

// 303: the browser follows with a GET. Relative, so it stays on the host it used.
function seeOther(path: string): Response {
  return new Response(null, { status: 303, headers: { Location: path, 'Cache-Control': 'no-store' } });
}
