import { withServiceScope, withServiceScopeStatements, type Sql } from '../db/index.ts';
// not lib/auth's index: the scripts run this under plain Node, where next/headers is not
import { LOCAL_USER } from '../auth/local-user.ts';

// The service-role reads and writes that authentication needs before any user exists:
// the one place API keys are read without the caller's scope.

export interface LiveApiKey {
  id: string;
  projectId: string;
  scopes: Array<'read' | 'write'>;
  lastUsedAt: string | null;
}

// A key that is neither revoked nor expired, by the hash of its secret.
export async function findLiveApiKey(keyHash: string): Promise<LiveApiKey | null> {
  const [[row]] = await withServiceScopeStatements('resolve API key', (tx) => [
    tx<{ id: string; project_id: string; scopes: Array<'read' | 'write'>; last_used_at: string | null }[]>`
      select id, project_id, scopes, last_used_at from api_keys
      where key_hash = ${keyHash} and revoked_at is null and (expires_at is null or expires_at > now())
    `,
  ]);
  return row ? { id: row.id, projectId: row.project_id, scopes: row.scopes, lastUsedAt: row.last_used_at } : null;
}

// Last use, at minute resolution: a key used again within the minute writes nothing.
export async function recordApiKeyUse(keyId: string): Promise<void> {
  await withServiceScope('record API key use', (tx) => tx`
    update api_keys set last_used_at = now()
    where id = ${keyId} and (last_used_at is null or last_used_at < now() - interval '1 minute')
  `);
}

// Creates the local user in auth.users if missing; returns whether it did. auth.users
// belongs to the auth service, where not even service_role may write, so this runs as the
// connection's own role, as migrations do.
export async function ensureLocalUser(sql: Sql): Promise<boolean> {
  const rows = await sql`
    insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
    values (${LOCAL_USER.id}, ${LOCAL_USER.email}, ${sql.json({ provider: 'local' })},
            ${sql.json({ name: LOCAL_USER.name })})
    on conflict do nothing
    returning id
  `;
  return rows.length > 0;
}
