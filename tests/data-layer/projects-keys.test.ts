import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addProjectMember,
  ConflictError,
  createApiKey,
  createOptimizationRun,
  createProject,
  DataError,
  ForbiddenError,
  getProject,
  listApiKeys,
  listOptimizationRuns,
  listProjectMembers,
  listProjects,
  NotFoundError,
  UnauthorizedError,
  removeProjectMember,
  revokeApiKey,
  updateProjectMemberRole,
  ValidationError,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject as insertProject, createUser, type TestUser } from '../helpers/fixtures.ts';
import { apiKeyClaims, rejection, scopeOf, useDatabase } from './helpers.ts';

describe.each(ENGINES)('projects, members and API keys on %s', (engine) => {
  const db = useDatabase(engine);
  let owner: TestUser;
  let admin: TestUser;
  let member: TestUser;
  let viewer: TestUser;
  let outsider: TestUser;

  beforeAll(async () => {
    const sql = db().sql;
    owner = await createUser(sql, 'owner');
    admin = await createUser(sql, 'admin');
    member = await createUser(sql, 'member');
    viewer = await createUser(sql, 'viewer');
    outsider = await createUser(sql, 'outsider');
    await insertProject(sql, 'pk-main', [[owner, 'owner'], [admin, 'admin'], [member, 'member'], [viewer, 'viewer']]);
    await insertProject(sql, 'pk-outside', [[outsider, 'owner']]);
  });

  const as = (user: TestUser) => scopeOf(db(), user);
  const roleOf = async (projectId: string, userId: string) => {
    const [row] = await db().sql`select role from project_members where project_id = ${projectId} and user_id = ${userId}`;
    return (row?.role as string | undefined) ?? null;
  };

  describe('projects', () => {
    it('listProjects returns the caller’s projects with the caller’s role, by name', async () => {
      const sql = db().sql;
      await sql`insert into project_config (id, name) values ('pk-z', 'Zeta'), ('pk-y', 'Alpha'), ('pk-x', 'Mu')`;
      await sql`insert into project_members (project_id, user_id, role) values
        ('pk-z', ${viewer.id}, 'owner'), ('pk-y', ${viewer.id}, 'admin'), ('pk-x', ${viewer.id}, 'member')`;
      const projects = await listProjects(as(viewer));
      expect(projects.map((p) => [p.name, p.id, p.role])).toEqual([
        ['Alpha', 'pk-y', 'admin'],
        ['Mu', 'pk-x', 'member'],
        ['Project pk-main', 'pk-main', 'viewer'],
        ['Zeta', 'pk-z', 'owner'],
      ]);
      expect((await listProjects(as(outsider))).map((p) => p.id)).toEqual(['pk-outside']);
    });

    it('getProject returns a visible project and NotFoundError otherwise', async () => {
      expect(await getProject(as(member), 'pk-main')).toMatchObject({ id: 'pk-main', role: 'member', description: null });
      await rejection(getProject(as(member), 'pk-outside'), NotFoundError);
      await rejection(getProject(as(member), 'pk-nope'), NotFoundError);
      expect((await rejection(getProject(as(member), 'BAD ID'), ValidationError)).issues[0]!.path).toBe('projectId');
    });

    it('createProject makes the creator its owner', async () => {
      const creator = await createUser(db().sql, 'creator');
      const project = await createProject(as(creator), { id: 'pk-new', name: '  New project  ', description: 'd' });
      expect(project).toMatchObject({ id: 'pk-new', name: 'New project', description: 'd', role: 'owner' });
      expect(await roleOf('pk-new', creator.id)).toBe('owner');
      const [row] = await db().sql`select created_by from project_config where id = 'pk-new'`;
      expect(row!.created_by).toBe(creator.id);
      expect(await listProjects(as(creator))).toEqual([project]);
      expect(await listProjectMembers(as(creator), 'pk-new')).toEqual([
        { userId: creator.id, email: creator.email, role: 'owner', createdAt: expect.any(String) },
      ]);
      // and can work in it straight away
      const run = await createOptimizationRun(as(creator), { projectId: 'pk-new', runName: 'r', optimizerType: 'miprov2' });
      expect(run.projectId).toBe('pk-new');
    });

    it('a taken project id is a ConflictError, even when the caller cannot see that project', async () => {
      await rejection(createProject(as(owner), { id: 'pk-main', name: 'again' }), ConflictError);
      await rejection(createProject(as(owner), { id: 'pk-outside', name: 'theirs' }), ConflictError);
      const [row] = await db().sql`select name from project_config where id = 'pk-outside'`;
      expect(row!.name).toBe('Project pk-outside');
      expect(await roleOf('pk-outside', owner.id)).toBeNull();
    });

    it('API keys cannot create projects', async () => {
      const { apiKey } = await createApiKey(as(owner), { projectId: 'pk-main', name: 'no projects' });
      await rejection(createProject(scopeOf(db(), apiKeyClaims(apiKey.id)), { id: 'pk-bykey', name: 'k' }), ForbiddenError);
      const [row] = await db().sql`select count(*)::int as n from project_config where id = 'pk-bykey'`;
      expect(row!.n).toBe(0);
    });
  });

  describe('members', () => {
    it('listProjectMembers lists members with email and role, owners first; strangers get NotFoundError', async () => {
      const members = await listProjectMembers(as(viewer), 'pk-main');
      expect(members.map((m) => [m.userId, m.email, m.role])).toEqual([
        [owner.id, owner.email, 'owner'],
        [admin.id, admin.email, 'admin'],
        [member.id, member.email, 'member'],
        [viewer.id, viewer.email, 'viewer'],
      ]);
      await rejection(listProjectMembers(as(outsider), 'pk-main'), NotFoundError);
    });

    it('adds a member by email (any case), with member as the default role', async () => {
      const newcomer = await createUser(db().sql, 'newcomer');
      const added = await addProjectMember(as(admin), { projectId: 'pk-main', email: newcomer.email.toUpperCase() });
      expect(added).toMatchObject({ userId: newcomer.id, email: newcomer.email, role: 'member' });
      expect(await getProject(as(newcomer), 'pk-main')).toMatchObject({ role: 'member' });
      const changed = await addProjectMember(as(admin), { projectId: 'pk-main', email: newcomer.email, role: 'viewer' });
      expect(changed.role).toBe('viewer');
      const [row] = await db().sql`select count(*)::int as n from project_members where user_id = ${newcomer.id}`;
      expect(row!.n).toBe(1);
    });

    it('an unknown email is NotFoundError', async () => {
      const error = await rejection(addProjectMember(as(owner), { projectId: 'pk-main', email: 'nobody@example.test' }), NotFoundError);
      expect(error.message).toContain('nobody@example.test');
    });

    it('members and viewers cannot add members; strangers get NotFoundError', async () => {
      const someone = await createUser(db().sql, 'someone');
      await rejection(addProjectMember(as(member), { projectId: 'pk-main', email: someone.email }), ForbiddenError);
      await rejection(addProjectMember(as(viewer), { projectId: 'pk-main', email: someone.email }), ForbiddenError);
      await rejection(addProjectMember(as(outsider), { projectId: 'pk-main', email: someone.email }), NotFoundError);
      expect(await roleOf('pk-main', someone.id)).toBeNull();
    });

    it('only owners grant the owner role', async () => {
      const promoted = await createUser(db().sql, 'promoted');
      await rejection(addProjectMember(as(admin), { projectId: 'pk-main', email: promoted.email, role: 'owner' }), ForbiddenError);
      expect(await roleOf('pk-main', promoted.id)).toBeNull();
      await addProjectMember(as(admin), { projectId: 'pk-main', email: promoted.email, role: 'member' });
      await rejection(updateProjectMemberRole(as(admin), 'pk-main', promoted.id, 'owner'), ForbiddenError);
      expect(await roleOf('pk-main', promoted.id)).toBe('member');
      expect((await updateProjectMemberRole(as(owner), 'pk-main', promoted.id, 'owner')).role).toBe('owner');
      // admins cannot demote or remove an owner either, by any route
      await rejection(updateProjectMemberRole(as(admin), 'pk-main', promoted.id, 'member'), ForbiddenError);
      await rejection(addProjectMember(as(admin), { projectId: 'pk-main', email: promoted.email, role: 'viewer' }), ForbiddenError);
      await rejection(removeProjectMember(as(admin), 'pk-main', promoted.id), ForbiddenError);
      expect(await roleOf('pk-main', promoted.id)).toBe('owner');
      await removeProjectMember(as(owner), 'pk-main', promoted.id);
      expect(await roleOf('pk-main', promoted.id)).toBeNull();
    });

    it('updateProjectMemberRole: admins change roles; members cannot; unknown members are NotFoundError', async () => {
      const changer = await createUser(db().sql, 'changer');
      await addProjectMember(as(owner), { projectId: 'pk-main', email: changer.email });
      expect(await updateProjectMemberRole(as(admin), 'pk-main', changer.id, 'viewer')).toMatchObject({
        userId: changer.id,
        email: changer.email,
        role: 'viewer',
      });
      await rejection(updateProjectMemberRole(as(member), 'pk-main', changer.id, 'admin'), ForbiddenError);
      await rejection(updateProjectMemberRole(as(viewer), 'pk-main', changer.id, 'admin'), ForbiddenError);
      await rejection(updateProjectMemberRole(as(outsider), 'pk-main', changer.id, 'admin'), NotFoundError);
      await rejection(updateProjectMemberRole(as(admin), 'pk-main', randomUUID(), 'viewer'), NotFoundError);
      expect(await roleOf('pk-main', changer.id)).toBe('viewer');
      const bad = await rejection(updateProjectMemberRole(as(admin), 'pk-main', changer.id, 'boss' as never), ValidationError);
      expect(bad.issues[0]!.path).toBe('role');
    });

    it('removeProjectMember: admins remove, anyone may leave, others cannot remove', async () => {
      const [leaver, removed] = [await createUser(db().sql, 'leaver'), await createUser(db().sql, 'removed')];
      await addProjectMember(as(owner), { projectId: 'pk-main', email: leaver.email, role: 'viewer' });
      await addProjectMember(as(owner), { projectId: 'pk-main', email: removed.email });
      await rejection(removeProjectMember(as(leaver), 'pk-main', removed.id), ForbiddenError);
      await rejection(removeProjectMember(as(member), 'pk-main', removed.id), ForbiddenError);
      await rejection(removeProjectMember(as(outsider), 'pk-main', removed.id), NotFoundError);
      expect(await roleOf('pk-main', removed.id)).toBe('member');
      await removeProjectMember(as(admin), 'pk-main', removed.id);
      expect(await roleOf('pk-main', removed.id)).toBeNull();
      await removeProjectMember(as(leaver), 'pk-main', leaver.id);
      expect(await roleOf('pk-main', leaver.id)).toBeNull();
      await rejection(getProject(as(leaver), 'pk-main'), NotFoundError);
      await rejection(removeProjectMember(as(admin), 'pk-main', removed.id), NotFoundError);
    });

    it('the last owner cannot be removed or demoted', async () => {
      const solo = await createUser(db().sql, 'solo');
      await createProject(as(solo), { id: 'pk-solo', name: 'Solo' });
      const leave = await rejection(removeProjectMember(as(solo), 'pk-solo', solo.id), DataError);
      expect(leave.message).toMatch(/at least one owner/);
      const demote = await rejection(updateProjectMemberRole(as(solo), 'pk-solo', solo.id, 'admin'), DataError);
      expect(demote.message).toMatch(/at least one owner/);
      expect(await roleOf('pk-solo', solo.id)).toBe('owner');
      // with a second owner the first may go
      const second = await createUser(db().sql, 'second');
      await addProjectMember(as(solo), { projectId: 'pk-solo', email: second.email, role: 'owner' });
      await removeProjectMember(as(solo), 'pk-solo', solo.id);
      expect(await listProjectMembers(as(second), 'pk-solo')).toMatchObject([{ userId: second.id, role: 'owner' }]);
    });
  });

  describe('API keys', () => {
    it('createApiKey returns the secret once and stores only its SHA-256', async () => {
      const { apiKey, secret } = await createApiKey(as(admin), { projectId: 'pk-main', name: ' ingest ', scopes: ['write', 'read'] });
      expect(secret).toMatch(/^osk_[A-Za-z0-9_-]{43}$/);
      expect(apiKey).toMatchObject({
        projectId: 'pk-main',
        name: 'ingest',
        scopes: ['write', 'read'],
        createdBy: admin.id,
        revokedAt: null,
        lastUsedAt: null,
      });
      expect(apiKey.keyPrefix.startsWith(secret.slice(0, 8))).toBe(true);
      expect(apiKey.keyPrefix.endsWith(secret.slice(-4))).toBe(true);
      expect(JSON.stringify(apiKey)).not.toContain(secret);
      const [row] = await db().sql`select key_hash from api_keys where id = ${apiKey.id}`;
      expect(row!.key_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      const [table] = await db().sql`select string_agg(row_to_json(k)::text, ' ') as everything from api_keys k`;
      expect(table!.everything).toContain(apiKey.id);
      expect(table!.everything).not.toContain(secret);
      expect(table!.everything).not.toContain(secret.slice(4, 40));
      const listed = await listApiKeys(as(owner), 'pk-main');
      const mine = listed.find((k) => k.id === apiKey.id);
      expect(mine).toEqual(apiKey);
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(Object.keys(mine!)).not.toContain('keyHash');
    });

    it('two keys never share a secret or a hash', async () => {
      const a = await createApiKey(as(owner), { projectId: 'pk-main', name: 'a' });
      const b = await createApiKey(as(owner), { projectId: 'pk-main', name: 'b' });
      expect(a.secret).not.toBe(b.secret);
      const rows = await db().sql`select distinct key_hash from api_keys where id in (${a.apiKey.id}, ${b.apiKey.id})`;
      expect(rows).toHaveLength(2);
    });

    it('only owners and admins list and create keys', async () => {
      await rejection(listApiKeys(as(member), 'pk-main'), ForbiddenError);
      await rejection(listApiKeys(as(viewer), 'pk-main'), ForbiddenError);
      await rejection(createApiKey(as(member), { projectId: 'pk-main', name: 'x' }), ForbiddenError);
      await rejection(listApiKeys(as(outsider), 'pk-main'), NotFoundError);
      await rejection(createApiKey(as(outsider), { projectId: 'pk-main', name: 'x' }), NotFoundError);
      const { apiKey } = await createApiKey(as(owner), { projectId: 'pk-main', name: 'keys' });
      await rejection(listApiKeys(scopeOf(db(), apiKeyClaims(apiKey.id)), 'pk-main'), ForbiddenError);
    });

    it('revokeApiKey revokes once; the key stops working at once; others get NotFoundError', async () => {
      const { apiKey } = await createApiKey(as(owner), { projectId: 'pk-main', name: 'to revoke' });
      const keyScope = scopeOf(db(), apiKeyClaims(apiKey.id));
      await createOptimizationRun(keyScope, { projectId: 'pk-main', runName: 'by key', optimizerType: 'miprov2' });
      expect((await listOptimizationRuns(keyScope, { projectId: 'pk-main' })).total).toBeGreaterThan(0);
      await rejection(revokeApiKey(as(member), apiKey.id), NotFoundError);
      await rejection(revokeApiKey(as(outsider), apiKey.id), NotFoundError);
      const revoked = await revokeApiKey(as(admin), apiKey.id);
      expect(revoked.revokedAt).not.toBeNull();
      const again = await revokeApiKey(as(owner), apiKey.id);
      expect(again.revokedAt).toBe(revoked.revokedAt);
      await rejection(listOptimizationRuns(keyScope, { projectId: 'pk-main' }), UnauthorizedError);
      await rejection(listProjects(keyScope), UnauthorizedError);
      await rejection(createOptimizationRun(keyScope, { projectId: 'pk-main', runName: 'x', optimizerType: 'miprov2' }), UnauthorizedError);
      const listed = await listApiKeys(as(owner), 'pk-main');
      expect(listed.at(-1)!.id).toBe(apiKey.id);
      expect(listed.slice(0, -1).every((k) => k.revokedAt === null)).toBe(true);
      await rejection(revokeApiKey(as(owner), randomUUID()), NotFoundError);
    });

    it('a key lists its one project with the role its scopes give it', async () => {
      const write = await createApiKey(as(owner), { projectId: 'pk-main', name: 'w' });
      const read = await createApiKey(as(owner), { projectId: 'pk-main', name: 'r', scopes: ['read'] });
      expect((await listProjects(scopeOf(db(), apiKeyClaims(write.apiKey.id)))).map((p) => [p.id, p.role])).toEqual([['pk-main', 'member']]);
      expect((await listProjects(scopeOf(db(), apiKeyClaims(read.apiKey.id)))).map((p) => [p.id, p.role])).toEqual([['pk-main', 'viewer']]);
    });
  });
});
