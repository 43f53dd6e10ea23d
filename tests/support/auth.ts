import { createChunks, stringToBase64URL } from '@supabase/ssr';
import { SignJWT } from 'jose';
import { TEST_JWT_SECRET, TEST_SUPABASE_URL } from './test-server.ts';

// Access tokens as Supabase Auth issues them, signed with the test secret (a stand-in
// for Supabase Auth, which cannot run here).
export async function signAccessToken(
  user: { id: string; email: string },
  options: { expiresInSeconds?: number; secret?: string; role?: string; audience?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: options.role ?? 'authenticated', email: user.email, aal: 'aal1', session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setAudience(options.audience ?? 'authenticated')
    .setIssuer(`${TEST_SUPABASE_URL}/auth/v1`)
    .setIssuedAt(now - 10)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export const TEST_STORAGE_KEY = `sb-${new URL(TEST_SUPABASE_URL).hostname.split('.')[0]}-auth-token`;

// The session cookies exactly as @supabase/ssr writes them: `base64-` + base64url JSON,
// chunked into <key>.0, <key>.1, … when long.
export function sessionCookies(accessToken: string, user: { id: string; email: string }): Array<{ name: string; value: string }> {
  const session = {
    access_token: accessToken,
    refresh_token: 'test-refresh-token',
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    user: { id: user.id, email: user.email, aud: 'authenticated', role: 'authenticated', app_metadata: {}, user_metadata: {} },
  };
  return createChunks(TEST_STORAGE_KEY, 'base64-' + stringToBase64URL(JSON.stringify(session)));
}

export function cookieHeader(cookies: Array<{ name: string; value: string }>): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
