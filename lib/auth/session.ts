import 'server-only';
import { cache } from 'react';
import { getConfig } from '../config/index.ts';
import type { Claims } from '../db/index.ts';
import { cookies } from 'next/headers';
import { readAccessToken } from './session-cookie.ts';
import { localUserClaims } from './local-user.ts';
import { verifyAccessToken } from './verify-token.ts';

export interface Viewer {
  mode: 'local' | 'supabase';
  claims: Claims;
  userId: string;
  email: string | null;
}

// The signed-in user of this request with verified claims, or null when signed out.
// Cached per request (React cache) so a page and its components verify once.
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const config = getConfig();
  if (config.mode === 'local') {
    const claims = localUserClaims();
    return { mode: 'local', claims, userId: claims.sub!, email: (claims.email as string) ?? null };
  }
  const cookieStore = await cookies();
  const token = await readAccessToken(config.supabase!.storageKey, (name) => cookieStore.get(name)?.value);
  if (!token) return null;
  try {
    const claims = await verifyAccessToken(token, config.supabase!);
    return { mode: 'supabase', claims, userId: claims.sub!, email: (claims.email as string) ?? null };
  } catch {
    return null;
  }
});
