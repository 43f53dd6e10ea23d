import { createServerClient } from '@supabase/ssr';
import { NextResponse, type NextRequest } from 'next/server';
import type { SupabaseSettings } from '../config/index.ts';

const PUBLIC_PATHS = [/^\/sign-in/, /^\/auth\//, /^\/api\//, /^\/_next\//, /^\/favicon/, /^\/icon/];

// Refreshes the Supabase session cookie when it is about to expire, and sends signed-out
// visitors to sign-in. Optimistic only: pages and routes verify the token themselves.
export async function updateSession(request: NextRequest, settings: SupabaseSettings): Promise<NextResponse> {
  let response = NextResponse.next({ request });
  const supabase = createServerClient(settings.url, settings.publishableKey, {
    cookies: {
      getAll() {
        return request.cookies.getAll();
      },
      setAll(cookiesToSet) {
        cookiesToSet.forEach(({ name, value }) => request.cookies.set(name, value));
        response = NextResponse.next({ request });
        cookiesToSet.forEach(({ name, value, options }) => response.cookies.set(name, value, options));
      },
    },
  });
  let signedIn = false;
  try {
    const { data } = await supabase.auth.getSession();
    signedIn = Boolean(data.session);
  } catch {
    signedIn = false;
  }
  const path = request.nextUrl.pathname;
  if (!signedIn && !PUBLIC_PATHS.some((p) => p.test(path))) {
    const url = request.nextUrl.clone();
    url.pathname = '/sign-in';
    url.search = '';
    if (path !== '/') url.searchParams.set('next', path + request.nextUrl.search);
    return NextResponse.redirect(url);
  }
  return response;
}
