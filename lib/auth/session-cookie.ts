import { combineChunks, stringFromBase64URL } from '@supabase/ssr';

// Reads the access token from the session cookie @supabase/ssr writes
// (`<storageKey>[.0, .1, …]`, value `base64-<base64url JSON session>`), without a
// network call. The token is verified by the caller before any claim is used.
export async function readAccessToken(
  storageKey: string,
  getCookie: (name: string) => string | undefined,
): Promise<string | null> {
  const raw = await combineChunks(storageKey, (name) => getCookie(name) ?? null);
  if (!raw) return null;
  let json = raw;
  if (raw.startsWith('base64-')) {
    try {
      json = stringFromBase64URL(raw.slice('base64-'.length));
    } catch {
      return null;
    }
  }
  try {
    const session = JSON.parse(json) as { access_token?: unknown };
    return typeof session.access_token === 'string' ? session.access_token : null;
  } catch {
    return null;
  }
}
