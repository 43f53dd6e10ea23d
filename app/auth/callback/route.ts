import type { EmailOtpType } from '@supabase/supabase-js';
import type { NextRequest } from 'next/server';
import { safeNextPath } from '@/lib/auth';
import { getConfig } from '@/lib/config';
import { createClient } from '@/lib/supabase/server';

const EMAIL_OTP_TYPES = new Set<string>(['signup', 'invite', 'magiclink', 'recovery', 'email_change', 'email']);

// GET /auth/callback — where a magic link (or OAuth) lands: turns its `code` (PKCE) or
// `token_hash` into a session cookie, then goes to `next` (a path on this site only).
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const next = safeNextPath(params.get('next'));
  if (getConfig().mode !== 'supabase') return redirectTo('/');

  const fail = (message: string) => {
    const query = new URLSearchParams({ error: message });
    if (next !== '/') query.set('next', next);
    return redirectTo(`/sign-in?${query}`);
  };

  // Supabase Auth reports an expired or used link with error / error_description
  const reported = params.get('error_description') ?? params.get('error');
  if (reported) return fail(reported);

  const code = params.get('code');
  const tokenHash = params.get('token_hash');
  const type = params.get('type');
  try {
    const supabase = await createClient();
    if (code) {
      const { error } = await supabase.auth.exchangeCodeForSession(code);
      if (error) return fail(signInProblem(error.message));
    } else if (tokenHash && type && EMAIL_OTP_TYPES.has(type)) {
      const { error } = await supabase.auth.verifyOtp({ token_hash: tokenHash, type: type as EmailOtpType });
      if (error) return fail(signInProblem(error.message));
    } else {
      return fail('This sign-in link is incomplete. Request a new one.');
    }
  } catch (error) {
    console.error('[auth/callback] could not finish sign-in:', error instanceof Error ? error.message : error);
    return fail('Could not reach the sign-in service. Try again in a moment.');
  }
  // the session cookies set through next/headers are added to this response
  return redirectTo(next);
}

// A relative Location: behind a proxy, or on 127.0.0.1 vs localhost, the browser stays on
// the host it used, where its cookies are.
function redirectTo(path: string): Response {
  return new Response(null, { status: 307, headers: { Location: path, 'Cache-Control': 'no-store' } });
}

function signInProblem(message: string): string {
  if (/code verifier/i.test(message)) {
    return 'Open the sign-in link in the browser you requested it from, or request a new one.';
  }
  return message;
}
