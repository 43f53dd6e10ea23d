import 'server-only';
import { createServerClient } from '@supabase/ssr';
import { cookies } from 'next/headers';
import { getConfig } from '../config/index.ts';

// A new Supabase client per request (never in a module variable), reading and writing
// the session cookies of this request.
export async function createClient() {
  const settings = getConfig().supabase;
  if (!settings) throw new Error('Supabase is not configured (local mode)');
  const cookieStore = await cookies();
  return createServerClient(settings.url, settings.publishableKey, {
    cookies: {
      getAll() {
        return cookieStore.getAll();
      },
      setAll(cookiesToSet) {
        try {
          cookiesToSet.forEach(({ name, value, options }) => cookieStore.set(name, value, options));
        } catch {
          // called from a Server Component: the proxy refreshes the session instead
        }
      },
    },
  });
}
