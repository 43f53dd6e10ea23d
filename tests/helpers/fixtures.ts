import { randomUUID } from 'node:crypto';
import type { Sql } from '../../lib/db/client.ts';
import type { Claims } from '../../lib/db/scope.ts';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';

export interface TestUser {
  id: string;
  email: string;
  claims: Claims;
}

export async function createUser(sql: Sql, label: string): Promise<TestUser> {
  const id = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@example.test`;
  await sql`insert into auth.users (id, email) values (${id}, ${email})`;
  return { id, email, claims: { role: 'authenticated', sub: id, email } };
}

export async function createProject(
  sql: Sql,
  id: string,
  members: Array<[TestUser, Role]> = [],
): Promise<string> {
  await sql`insert into project_config (id, name) values (${id}, ${`Project ${id}`})`;
  for (const [user, role] of members) {
    await sql`insert into project_members (project_id, user_id, role) values (${id}, ${user.id}, ${role})`;
  }
  return id;
}

export async function createRun(
  sql: Sql,
  projectId: string,
  values: Partial<{
    id: string;
    run_name: string;
    optimizer_type: string;
    status: string;
    initial_score: number | null;
    final_score: number | null;
    tags: string[];
    config: Record<string, unknown>;
    created_at: Date;
  }> = {},
): Promise<string> {
  const id = values.id ?? randomUUID();
  await sql`
    insert into optimization_runs (id, project_id, run_name, optimizer_type, status,
      initial_score, final_score, tags, config, created_at)
    values (${id}, ${projectId}, ${values.run_name ?? 'run'}, ${values.optimizer_type ?? 'miprov2'},
      ${values.status ?? 'completed'}, ${values.initial_score ?? null}, ${values.final_score ?? null},
      ${values.tags ?? []}, ${sql.json((values.config ?? {}) as never)}, ${values.created_at ?? new Date()})
  `;
  return id;
}
