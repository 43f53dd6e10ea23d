import type { Sql } from '../db/client.ts';
import { LOCAL_USER } from './local-user.ts';

// Creates the local user in auth.users if missing; returns whether it did. auth.users
// belongs to the auth service (GoTrue, or the compatibility script), where not even
// service_role may write, so this runs as the connection's own role, as migrations do.
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
