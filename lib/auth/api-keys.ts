import type { Claims } from '../db/index.ts';
import { findLiveApiKey, recordApiKeyUse } from '../supabase-optimization/index.ts';
import { hashApiKey, looksLikeApiKey } from './api-key.ts';

export interface ApiKeyIdentity {
  keyId: string;
  projectId: string;
  scopes: Array<'read' | 'write'>;
  claims: Claims;
}

const TOUCH_INTERVAL_MS = 60_000;
const lastTouched = new Map<string, number>();

// What a key's hash names (id, project, scopes) is remembered for a minute, so a request
// with a known key goes straight to its own transaction: whether the key is still live
// (not revoked, not expired) is checked there, in the statement that sets the request's
// claims (private.require_live_api_key), so revoking a key still takes effect at once.
// The minute bounds how long a change of a key's scopes takes to be seen; writes are
// re-checked against the key's scopes by RLS regardless. Unknown keys are not remembered.
const IDENTITY_TTL_MS = 60_000;
const IDENTITY_CACHE_MAX = 10_000;
const identities = new Map<string, { identity: ApiKeyIdentity; lastUsedAt: string | null; until: number }>();

// Looks a presented key up by its hash (the one place API keys need the service role:
// no user exists yet). Every later query runs as the key, and RLS re-checks that the key
// is live, so a revoked key stops working at once.
export async function resolveApiKey(secret: string): Promise<ApiKeyIdentity | null> {
  if (!looksLikeApiKey(secret)) return null;
  const now = Date.now();
  const hash = hashApiKey(secret);
  const cached = identities.get(hash);
  if (cached && cached.until > now) {
    touchApiKey(cached.identity.keyId, cached.lastUsedAt);
    return cached.identity;
  }
  identities.delete(hash);
  const key = await findLiveApiKey(hash);
  if (!key) return null;
  touchApiKey(key.id, key.lastUsedAt);
  const identity: ApiKeyIdentity = {
    keyId: key.id,
    projectId: key.projectId,
    scopes: key.scopes,
    claims: { role: 'authenticated', api_key_id: key.id, project_id: key.projectId },
  };
  if (identities.size >= IDENTITY_CACHE_MAX) identities.delete(identities.keys().next().value!);
  identities.set(hash, { identity, lastUsedAt: key.lastUsedAt, until: now + IDENTITY_TTL_MS });
  return identity;
}

// Records last use at most once a minute per key, off the request's path.
function touchApiKey(keyId: string, lastUsedAt: string | null): void {
  const now = Date.now();
  const seen = Math.max(lastTouched.get(keyId) ?? 0, lastUsedAt ? Date.parse(lastUsedAt) : 0);
  if (now - seen < TOUCH_INTERVAL_MS) return;
  lastTouched.set(keyId, now);
  void recordApiKeyUse(keyId).catch(() => lastTouched.delete(keyId));
}
