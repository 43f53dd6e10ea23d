import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from './lib/config/index.ts';
import { updateSession } from './lib/supabase/proxy.ts';

export async function proxy(request: NextRequest) {
  const { supabase } = getConfig();
  if (!supabase) return NextResponse.next();
  return updateSession(request, supabase);
}

// Pages and the browser's own API calls (cookie sessions). A request with an Authorization
// header (an API key or a bearer token) carries its own credentials: the routes verify them,
// and there is no cookie to refresh, so it skips the proxy.
export const config = {
  matcher: [
    {
      source: '/((?!_next/static|_next/image|favicon.ico|icon.svg|.*\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)',
      missing: [{ type: 'header', key: 'authorization' }],
    },
  ],
};
