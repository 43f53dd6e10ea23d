import { NextResponse, type NextRequest } from 'next/server';
import { getConfig } from './lib/config/index.ts';
import { updateSession } from './lib/supabase/proxy.ts';

export async function proxy(request: NextRequest) {
  const { supabase } = getConfig();
  if (!supabase) return NextResponse.next();
  return updateSession(request, supabase);
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg|.*\\.(?:svg|png|jpg|jpeg|gif|webp)$).*)'],
};
