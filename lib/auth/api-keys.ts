import { withServiceScope, withServiceScopeStatements } from '../db/scope.ts';
import type { Claims } from '../db/scope.ts';
import { hashApiKey, looksLikeApiKey } from './api-key.ts';

export interface ApiKeyIdentity {
  keyId: string;
  projectId: string;
  scopes: Array<'read' | 'write'>;
  claims: Claims;
}

const TOUCH_INTERVAL_MS = 60_000;
const lastTouched = new Map<string, number>();

// Looks a presented key up by its hash (the one place API keys need the service role:
// no user exists yet). Every later query runs as the key, and RLS re-checks that the key
// is live, so a revoked key stops working at once.
export async function resolveApiKey(key: string): Promise<ApiKeyIdentity | null> {
  if (!looksLikeApiKey(key)) return null;
  const hash = hashApiKey(key);
  // one round trip (every request with a key pays it)
  const [[row]] = await withServiceScopeStatements('resolve API key', (tx) => [
    tx<{
      id: string;
      project_id: string;
      scopes: Array<'read' | 'write'>;
      last_used_at: Date | null;
    }[]>`
      select id, project_id, scopes, last_used_at from api_keys
      where key_hash = ${hash} and revoked_at is null and (expires_at is null or expires_at > now())
    `,
  ]);
  if (!row) return null;
  touchApiKey(row.id, row.last_used_at);
  return {
    keyId: row.id,
    projectId: row.project_id,
    scopes: row.scopes,
    claims: { role: 'authenticated', api_key_id: row.id, project_id: row.project_id },
  };
}

// Records last use at most once a minute per key, off the request's path.
function touchApiKey(keyId: string, lastUsedAt: Date | null): void {
  const now = Date.now();
  const seen = Math.max(lastTouched.get(keyId) ?? 0, lastUsedAt?.getTime() ?? 0);
  if (now - seen < TOUCH_INTERVAL_MS) return;
  lastTouched.set(keyId, now);
  void withServiceScope('record API key use', (tx) => tx`
    update api_keys set last_used_at = now()
    where id = ${keyId} and (last_used_at is null or last_used_at < now() - interval '1 minute')
  `).catch(() => lastTouched.delete(keyId));
}
