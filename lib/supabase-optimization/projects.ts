// not lib/auth's index, which needs Next.js (session cookies): the scripts load the data layer
import { generateApiKey } from '../auth/api-key.ts';
import { toDto, type ApiKey, type Project, type ProjectMember, type ProjectRole } from './dto.ts';
import { ConflictError, ForbiddenError, NotFoundError, parseInput } from './errors.ts';
import { assertUuid } from './runs.ts';
import {
  addMemberSchema,
  createApiKeySchema,
  createProjectSchema,
  projectIdSchema,
  projectRoleSchema,
  type AddMemberInput,
  type CreateApiKeyInput,
  type CreateProjectInput,
} from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectAccess, type Scope, type Tx } from './scope.ts';

const PROJECT_COLUMNS = 'p.id, p.name, p.description, p.created_at';

// The caller's projects with the caller's role (an API key acts as a member, or as a
// viewer when it is read-only).
export async function listProjects(scope: Scope): Promise<Project[]> {
  return inScope(scope, async (tx) => {
    const rows = await tx<Record<string, unknown>[]>`
      select ${tx.unsafe(PROJECT_COLUMNS)},
             coalesce(m.role, case when p.id = any ((select private.writable_project_ids())::text[])
                                   then 'member' else 'viewer' end) as role
      from project_config p
      left join project_members m on m.project_id = p.id and m.user_id = (select auth.uid())
      order by p.name, p.id
    `;
    return rows.map((r) => toDto<Project>(r));
  });
}

export async function getProject(scope: Scope, projectId: string): Promise<Project> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  const projects = await listProjects(scope);
  const project = projects.find((p) => p.id === id);
  if (!project) throw new NotFoundError('project', id);
  return project;
}

// Creates a project with its creator as owner (create_project writes both rows: no trigger
// may on a Citus reference table).
export async function createProject(scope: Scope, input: CreateProjectInput): Promise<Project> {
  const project = parseInput(createProjectSchema, input);
  if (!scope.claims.sub || scope.claims.api_key_id) {
    throw new ForbiddenError('only signed-in users can create projects');
  }
  try {
    return await inScope(scope, async (tx) => {
      const [row] = await tx<Record<string, unknown>[]>`
        select * from create_project(${project.id}, ${project.name.trim()}, ${project.description ?? null})
      `;
      return toDto<Project>(row!);
    });
  } catch (error) {
    if (error instanceof ConflictError) throw new ConflictError(`project id ${project.id} is taken`);
    if (isInsufficientPrivilege(error)) throw new ForbiddenError('you cannot create projects');
    throw error;
  }
}

async function requireAdmin(tx: Tx, projectId: string): Promise<void> {
  const access = await projectAccess(tx, projectId);
  if (access === 'none') throw new NotFoundError('project', projectId);
  if (access !== 'admin') throw new ForbiddenError(`only owners and admins of project ${projectId} can do this`);
}

export async function listProjectMembers(scope: Scope, projectId: string): Promise<ProjectMember[]> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  return inScope(scope, async (tx) => {
    if ((await projectAccess(tx, id)) === 'none') throw new NotFoundError('project', id);
    const rows = await tx<Record<string, unknown>[]>`select * from list_project_members(${id})`;
    return rows.map((r) => toDto<ProjectMember>(r));
  });
}

export async function addProjectMember(scope: Scope, input: AddMemberInput): Promise<ProjectMember> {
  const member = parseInput(addMemberSchema, input);
  try {
    return await inScope(scope, async (tx) => {
      const [row] = await tx<Record<string, unknown>[]>`
        select * from add_project_member(${member.projectId}, ${member.email}, ${member.role})
      `;
      return toDto<ProjectMember>(row!);
    });
  } catch (error) {
    const pg = error as { code?: string; message?: string };
    if (pg.code === 'P0002') throw new NotFoundError(pg.message?.startsWith('no user') ? `user with email ${member.email}` : 'project', pg.message?.startsWith('no user') ? undefined : member.projectId);
    if (isInsufficientPrivilege(error)) throw new ForbiddenError(pg.message ?? 'forbidden');
    throw error;
  }
}

export async function updateProjectMemberRole(
  scope: Scope,
  projectId: string,
  userId: string,
  role: ProjectRole,
): Promise<ProjectMember> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  const newRole = parseInput(projectRoleSchema, role, 'role');
  assertUuid(userId, 'userId');
  try {
    return await inScope(scope, async (tx) => {
      await requireAdmin(tx, id);
      const [row] = await tx<Record<string, unknown>[]>`
        select * from set_project_member_role(${id}, ${userId}, ${newRole})
      `.catch((error: { code?: string }) => {
        throw error.code === 'P0002' ? new NotFoundError('member', userId) : error;
      });
      return toDto<ProjectMember>(row!);
    });
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw new ForbiddenError((error as Error).message);
    throw error;
  }
}

export async function removeProjectMember(scope: Scope, projectId: string, userId: string): Promise<void> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  assertUuid(userId, 'userId');
  try {
    await inScope(scope, async (tx) => {
      if (userId !== scope.claims.sub) await requireAdmin(tx, id);
      const [row] = await tx<{ removed: boolean }[]>`select remove_project_member(${id}, ${userId}) as removed`;
      if (!row?.removed) throw new NotFoundError('member', userId);
    });
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw new ForbiddenError((error as Error).message);
    throw error;
  }
}

const API_KEY_COLUMNS = 'id, project_id, name, key_prefix, scopes, created_by, created_at, last_used_at, expires_at, revoked_at';

export async function listApiKeys(scope: Scope, projectId: string): Promise<ApiKey[]> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  return inScope(scope, async (tx) => {
    await requireAdmin(tx, id);
    const rows = await tx<Record<string, unknown>[]>`
      select ${tx.unsafe(API_KEY_COLUMNS)} from api_keys where project_id = ${id}
      order by revoked_at nulls first, created_at desc
    `;
    return rows.map((r) => toDto<ApiKey>(r));
  });
}

// Creates a key and returns its secret: the only time it is ever shown.
export async function createApiKey(scope: Scope, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
  const args = parseInput(createApiKeySchema, input);
  const generated = generateApiKey();
  return inScope(scope, async (tx) => {
    await requireAdmin(tx, args.projectId);
    const [row] = await tx<Record<string, unknown>[]>`
      insert into api_keys (project_id, name, key_hash, key_prefix, scopes, created_by)
      values (${args.projectId}, ${args.name.trim()}, ${generated.hash}, ${generated.displayPrefix},
              ${[...new Set(args.scopes)]}::text[], ${scope.claims.sub ?? null})
      returning ${tx.unsafe(API_KEY_COLUMNS)}
    `;
    return { apiKey: toDto<ApiKey>(row!), secret: generated.key };
  });
}

export async function revokeApiKey(scope: Scope, keyId: string): Promise<ApiKey> {
  assertUuid(keyId, 'keyId');
  return inScope(scope, async (tx) => {
    const [row] = await tx<Record<string, unknown>[]>`
      update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ${keyId}
      returning ${tx.unsafe(API_KEY_COLUMNS)}
    `;
    if (!row) throw new NotFoundError('API key', keyId);
    return toDto<ApiKey>(row);
  });
}
