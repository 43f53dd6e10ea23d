import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql, TransactionSql } from '../lib/db/client.ts';
import { withUserScope, type Claims } from '../lib/db/scope.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';
import { createProject, createRun, createUser, type Role, type TestUser } from './helpers/fixtures.ts';

// explicit: a slow PGlite start must not depend on the config's hook timeout
const SETUP_TIMEOUT_MS = 120_000;

const A = 'proj-a';
const B = 'proj-b';
const PROJECTS = [A, B] as const;
type Project = (typeof PROJECTS)[number];

type Op = 'select' | 'insert' | 'update' | 'delete';
const OPS: Op[] = ['select', 'insert', 'update', 'delete'];

// What a policy asks of the caller for a project.
// 'star': a signed-in user who can read the project, for their own rows; 'never': no grant.
type Access = 'read' | 'write' | 'admin' | 'owner' | 'star' | 'never';

type Table =
  | 'project_config' | 'project_members' | 'api_keys'
  | 'optimization_runs' | 'optimization_iterations' | 'optimization_samples'
  | 'optimization_candidates' | 'optimization_candidate_pool' | 'optimization_pareto_snapshots' | 'optimization_proposals'
  | 'run_notes' | 'saved_views' | 'run_stars' | 'run_changes';

const DATA_POLICY: Record<Op, Access> = { select: 'read', insert: 'write', update: 'write', delete: 'write' };
const POLICY: Record<Table, Record<Op, Access>> = {
  // projects are created, and memberships changed, only through SECURITY DEFINER functions
  // (create_project, add_project_member, set_project_member_role, remove_project_member; below)
  project_config: { select: 'read', insert: 'never', update: 'admin', delete: 'owner' },
  project_members: { select: 'read', insert: 'never', update: 'never', delete: 'never' },
  api_keys: { select: 'admin', insert: 'admin', update: 'admin', delete: 'admin' },
  optimization_runs: DATA_POLICY,
  optimization_iterations: DATA_POLICY,
  optimization_samples: DATA_POLICY,
  optimization_candidates: DATA_POLICY,
  optimization_candidate_pool: DATA_POLICY,
  optimization_pareto_snapshots: DATA_POLICY,
  optimization_proposals: DATA_POLICY,
  run_notes: DATA_POLICY,
  saved_views: DATA_POLICY,
  // a user's own stars; stars are never updated
  run_stars: { select: 'star', insert: 'star', update: 'never', delete: 'star' },
  // the audit: read like the runs, written by its triggers only
  run_changes: { select: 'read', insert: 'never', update: 'never', delete: 'never' },
};
const TABLES = Object.keys(POLICY) as Table[];

type ActorSpec =
  | { kind: 'user'; roles: Partial<Record<Project, Role>> }
  | { kind: 'key'; project: Project; scopes: string[]; revoked?: boolean }
  | { kind: 'anon' };

const ACTORS = {
  'owner of A': { kind: 'user', roles: { [A]: 'owner' } },
  'owner of B': { kind: 'user', roles: { [B]: 'owner' } },
  'admin of A': { kind: 'user', roles: { [A]: 'admin' } },
  'viewer of A': { kind: 'user', roles: { [A]: 'viewer' } },
  'member of A and B': { kind: 'user', roles: { [A]: 'member', [B]: 'member' } },
  'read-write key of A': { kind: 'key', project: A, scopes: ['read', 'write'] },
  'read-only key of A': { kind: 'key', project: A, scopes: ['read'] },
  'revoked key of A': { kind: 'key', project: A, scopes: ['read', 'write'], revoked: true },
  anon: { kind: 'anon' },
} satisfies Record<string, ActorSpec>;
type ActorName = keyof typeof ACTORS;
const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

function can(name: ActorName, access: Access, project: Project): boolean {
  const actor: ActorSpec = ACTORS[name];
  if (actor.kind === 'anon' || access === 'never') return false;
  if (actor.kind === 'key') {
    if (access === 'star') return false; // a key has no user to star for
    const live = !actor.revoked && actor.project === project;
    if (access === 'read') return live;
    if (access === 'write') return live && actor.scopes.includes('write');
    return false; // keys never administer and never create projects
  }
  const role = actor.roles[project];
  switch (access) {
    case 'read':
    case 'star': return role !== undefined;
    case 'write': return role !== undefined && role !== 'viewer';
    case 'admin': return role === 'owner' || role === 'admin';
    case 'owner': return role === 'owner';
  }
}

const readable = (name: ActorName) => PROJECTS.filter((p) => can(name, 'read', p));
const administers = (name: ActorName) => PROJECTS.some((p) => can(name, 'admin', p));

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

async function attempt(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await promise };
  } catch (e) {
    const error = e as { code: string; message: string };
    return { ok: false, code: error.code, message: error.message };
  }
}

const ROLLBACK = new Error('rollback');

// The optimizer-structure tables (candidates, pools, Pareto fronts, proposals): one row keyed n.
const STRUCTURE_TABLES = [
  'optimization_candidates', 'optimization_candidate_pool', 'optimization_pareto_snapshots', 'optimization_proposals',
] as const;
function structureInsert(table: (typeof STRUCTURE_TABLES)[number], runId: string, project: string, n: number): string {
  switch (table) {
    case 'optimization_candidates':
      return `insert into optimization_candidates (run_id, project_id, candidate_id) values ('${runId}', '${project}', '${n}')`;
    case 'optimization_candidate_pool':
      return `insert into optimization_candidate_pool (run_id, project_id, predictor_index, predictor_name, kind, candidate_index)
              values ('${runId}', '${project}', 0, 'p', 'instruction', ${n})`;
    case 'optimization_pareto_snapshots':
      return `insert into optimization_pareto_snapshots (run_id, project_id, step, front) values ('${runId}', '${project}', ${n}, '{}')`;
    case 'optimization_proposals':
      return `insert into optimization_proposals (run_id, project_id, proposal_index, kind, accepted)
              values ('${runId}', '${project}', ${n}, 'merge', false)`;
  }
}

describe.each(ENGINES)('tenant isolation on %s', (engine) => {
  let db: TestDatabase;
  let sql: Sql;
  const users = {} as Record<string, TestUser>;
  const claims = {} as Record<ActorName, Claims>;
  const runs = {} as Record<Project, string>;
  const iterations = {} as Record<Project, string>;
  // a second run of each project: new notes and stars go there (the first has them)
  const spare = {} as Record<Project, string>;
  let outsider: TestUser;

  // Runs fn as the actor (RLS on) in a transaction that is always rolled back. The role
  // and claims are set as withUserScope sets them, without its up-front refusal of a
  // revoked API key (tested below): the policies must hold on their own.
  async function as<T>(actor: ActorName | Claims, fn: (tx: TransactionSql) => Promise<T>): Promise<T> {
    const who = typeof actor === 'string' ? claims[actor] : actor;
    let result: T | undefined;
    await sql.begin(async (tx) => {
      await tx`
        select set_config('role', ${who.role}, true),
               set_config('request.jwt.claims', ${JSON.stringify(who)}, true)
      `;
      result = await fn(tx);
      throw ROLLBACK;
    }).catch((e: unknown) => {
      if (e !== ROLLBACK) throw e;
    });
    return result as T;
  }

  // The same predicate as the superuser (no RLS) with the actor's claims set, so that
  // auth.uid() in it means the same thing.
  async function countAll(actor: ActorName, table: Table, where: string): Promise<number> {
    return sql.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${JSON.stringify(claims[actor])}, true)`;
      const [row] = await tx.unsafe(`select count(*)::int as n from ${table} where ${where}`);
      return row!.n as number;
    });
  }

  const ownerOf = (project: Project) => users[project === A ? 'owner of A' : 'owner of B']!;
  const hex64 = () => randomBytes(32).toString('hex');

  // Rows of the project an update or delete aims at; select counts every row of it.
  function target(table: Table, project: Project, op: Op): string {
    if (table === 'project_config') return `id = '${project}'`;
    if (table === 'project_members' && op !== 'select') {
      return `project_id = '${project}' and role <> 'owner' and user_id is distinct from auth.uid()`;
    }
    if (table === 'run_stars') return `project_id = '${project}' and user_id = auth.uid()`;
    // an iteration its samples name goes only with its run (no action foreign key)
    if (table === 'optimization_iterations' && op === 'delete') {
      return `project_id = '${project}' and not exists (select 1 from optimization_samples s
        where s.project_id = optimization_iterations.project_id and s.iteration_id = optimization_iterations.id)`;
    }
    return `project_id = '${project}'`;
  }

  function insertSql(table: Table, project: Project): string {
    switch (table) {
      case 'project_config':
        return `insert into project_config (id, name, created_by)
                values ('new-${randomBytes(4).toString('hex')}', 'New', '${ownerOf(project).id}')`;
      case 'project_members':
        return `insert into project_members (project_id, user_id, role) values ('${project}', '${outsider.id}', 'member')`;
      case 'api_keys':
        return `insert into api_keys (project_id, name, key_hash, key_prefix, created_by)
                values ('${project}', 'new key', '${hex64()}', 'opt_new', auth.uid())`;
      case 'optimization_runs':
        return `insert into optimization_runs (project_id, run_name, optimizer_type) values ('${project}', 'new run', 'miprov2')`;
      case 'optimization_iterations':
        return `insert into optimization_iterations (run_id, project_id, iteration, score)
                values ('${runs[project]}', '${project}', 99, 0.5)`;
      case 'optimization_samples':
        return `insert into optimization_samples (run_id, project_id, iteration, sample_index)
                values ('${runs[project]}', '${project}', 0, 99)`;
      case 'optimization_candidates':
      case 'optimization_candidate_pool':
      case 'optimization_pareto_snapshots':
      case 'optimization_proposals':
        return structureInsert(table, runs[project], project, 99);
      case 'run_notes':
        return `insert into run_notes (project_id, run_id, body) values ('${project}', '${spare[project]}', 'new note')`;
      case 'saved_views':
        return `insert into saved_views (project_id, name) values ('${project}', 'view ${randomBytes(4).toString('hex')}')`;
      case 'run_stars':
        return `insert into run_stars (project_id, run_id, user_id) values ('${project}', '${spare[project]}', auth.uid())`;
      case 'run_changes':
        return `insert into run_changes (project_id, run_id, field) values ('${project}', '${runs[project]}', 'note')`;
    }
  }

  const SET: Record<Table, string> = {
    project_config: "description = 'changed'",
    project_members: "role = 'viewer'",
    api_keys: "name = 'renamed'",
    optimization_runs: "description = 'changed'",
    optimization_iterations: `params = '{"changed": true}'`,
    optimization_samples: `metadata = '{"changed": true}'`,
    optimization_candidates: `metadata = '{"changed": true}'`,
    optimization_candidate_pool: "text = 'changed'",
    optimization_pareto_snapshots: `front = '{"changed": []}'`,
    optimization_proposals: "accepted = true",
    run_notes: "body = 'changed'",
    saved_views: "name = 'renamed view'",
    run_stars: 'created_at = now()',
    run_changes: "field = 'tags'",
  };

  function cellSql(table: Table, op: Op, project: Project): string {
    const where = target(table, project, op);
    switch (op) {
      case 'select': return `select * from ${table} where ${where}`;
      // no RETURNING: a new project is not readable until its owner row exists
      case 'insert': return insertSql(table, project);
      case 'update': return `update ${table} set ${SET[table]} where ${where}`;
      case 'delete': return `delete from ${table} where ${where}`;
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    sql = db.sql;
    outsider = await createUser(sql, 'outsider');
    for (const name of ACTOR_NAMES) {
      const spec: ActorSpec = ACTORS[name];
      if (spec.kind === 'user') users[name] = await createUser(sql, name.replaceAll(' ', '-'));
    }
    const membersOf = (project: Project) =>
      ACTOR_NAMES.flatMap((name): Array<[TestUser, Role]> => {
        const spec: ActorSpec = ACTORS[name];
        const role = spec.kind === 'user' ? spec.roles[project] : undefined;
        return role ? [[users[name]!, role]] : [];
      });
    for (const project of PROJECTS) {
      await createProject(sql, project, membersOf(project));
      runs[project] = await createRun(sql, project, { status: 'completed', final_score: 0.8, initial_score: 0.5 });
      const [it0] = await sql`
        insert into optimization_iterations (run_id, project_id, iteration, score)
        values (${runs[project]}, ${project}, 0, 0.8) returning id`;
      iterations[project] = it0!.id as string;
      await sql`
        insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index, score)
        values (${runs[project]}, ${project}, 0, ${iterations[project]}, 0, 1)`;
      for (const table of STRUCTURE_TABLES) await sql.unsafe(structureInsert(table, runs[project]!, project, 0));
      spare[project] = await createRun(sql, project, { status: 'running', final_score: null });
      // an iteration no sample names: the one a delete may remove (see target)
      await sql`insert into optimization_iterations (run_id, project_id, iteration, score) values (${spare[project]}, ${project}, 0, 0.4)`;
      // a note (and so an audited change), a view, and each reader's star
      await sql`insert into run_notes (project_id, run_id, body) values (${project}, ${runs[project]}, 'why')`;
      await sql`insert into saved_views (project_id, name) values (${project}, 'shared view')`;
      for (const [user] of membersOf(project)) {
        await sql`insert into run_stars (project_id, run_id, user_id) values (${project}, ${runs[project]}, ${user.id})`;
      }
      // every project has a key, so its api_keys rows are there to be hidden
      await sql`insert into api_keys (project_id, name, key_hash, key_prefix) values (${project}, 'ci', ${hex64()}, 'opt_ci')`;
    }
    for (const name of ACTOR_NAMES) {
      const spec: ActorSpec = ACTORS[name];
      if (spec.kind === 'user') claims[name] = users[name]!.claims;
      if (spec.kind === 'anon') claims[name] = { role: 'anon' };
      if (spec.kind === 'key') {
        const [key] = await sql`
          insert into api_keys (project_id, name, key_hash, key_prefix, scopes, revoked_at)
          values (${spec.project}, ${name}, ${hex64()}, 'opt_test', ${spec.scopes},
                  ${spec.revoked ? new Date() : null})
          returning id`;
        claims[name] = { role: 'authenticated', api_key_id: key!.id as string };
      }
    }
    await sql`select refresh_optimization_analytics()`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await db?.close();
  });

  const cells = ACTOR_NAMES.flatMap((actor) =>
    TABLES.flatMap((table) =>
      OPS.flatMap((op) =>
        PROJECTS.map((project) => ({
          actor, table, op, project,
          verdict: ACTORS[actor].kind === 'anon' || POLICY[table][op] === 'never' ? 'permission denied'
            : can(actor, POLICY[table][op], project) ? 'allowed' : 'denied',
        })))));

  const named = <T extends object>(name: (cell: T) => string, list: T[]) => list.map((cell) => [name(cell), cell] as const);

  it.each(named((c) => `${c.actor}: ${c.op} ${c.table} of ${c.project} is ${c.verdict}`, cells))('%s', async (_name, cell) => {
    const { actor, table, op, project, verdict } = cell;
    const outcome = await as(actor, (tx) => attempt(tx.unsafe(cellSql(table, op, project))));
    if (verdict === 'permission denied') {
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: `permission denied for table ${table}` });
      return;
    }
    if (op === 'insert') {
      if (verdict === 'allowed') expect(outcome).toMatchObject({ ok: true, value: { count: 1 } });
      else expect(outcome).toMatchObject({
        ok: false, code: '42501', message: `new row violates row-level security policy for table "${table}"`,
      });
      return;
    }
    if (!outcome.ok) throw new Error(`${op} failed: ${outcome.code} ${outcome.message}`);
    const affected = op === 'select' ? (outcome.value as unknown[]).length : (outcome.value as { count: number }).count;
    if (verdict === 'allowed') {
      const all = await countAll(actor, table, target(table, project, op));
      expect(all).toBeGreaterThan(0);
      expect(affected).toBe(all);
    } else {
      expect(affected).toBe(0);
    }
  });

  describe('a child row cannot reference a run of another project, even for a member of both', () => {
    const member: ActorName = 'member of A and B';
    it.each([
      ['an iteration of A on a run of B', () =>
        `insert into optimization_iterations (run_id, project_id, iteration) values ('${runs[B]}', '${A}', 7)`,
      'optimization_iterations_run_fkey'],
      ['an iteration of B on a run of A', () =>
        `insert into optimization_iterations (run_id, project_id, iteration) values ('${runs[A]}', '${B}', 7)`,
      'optimization_iterations_run_fkey'],
      ['a sample of A on a run of B', () =>
        `insert into optimization_samples (run_id, project_id, iteration, sample_index) values ('${runs[B]}', '${A}', 0, 7)`,
      'optimization_samples_run_fkey'],
      ...STRUCTURE_TABLES.map((table) => [
        `a row of ${table} of A on a run of B`,
        () => structureInsert(table, runs[B], A, 7),
        `${table}_run_fkey`,
      ] as [string, () => string, string]),
      ['a note of A on a run of B', () =>
        `insert into run_notes (project_id, run_id, body) values ('${A}', '${runs[B]}', 'x')`,
      'run_notes_run_fkey'],
      ['a star of A on a run of B', () =>
        `insert into run_stars (project_id, run_id, user_id) values ('${A}', '${spare[B]}', auth.uid())`,
      'run_stars_run_fkey'],
      ['a sample of A on an iteration of B', () =>
        `insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
         values ('${runs[A]}', '${A}', 0, '${iterations[B]}', 7)`,
      'optimization_samples_iteration_fkey'],
    ])('%s fails its foreign key', async (_what, statement, constraint) => {
      const outcome = await as(member, (tx) => attempt(tx.unsafe(statement())));
      expect(outcome).toMatchObject({ ok: false, code: '23503' });
      expect(outcome.ok || outcome.message).toMatch(`violates foreign key constraint "${constraint}"`);
    });

    it('the same member links rows within one project', async () => {
      const outcome = await as(member, (tx) => attempt(tx.unsafe(`
        insert into optimization_samples (run_id, project_id, iteration, iteration_id, sample_index)
        values ('${runs[B]}', '${B}', 0, '${iterations[B]}', 7) returning project_id`)));
      expect(outcome).toEqual({ ok: true, value: [{ project_id: B }] });
    });

    it('sees the runs of both its projects', async () => {
      const rows = await as(member, (tx) => tx`select distinct project_id from optimization_runs order by 1`);
      expect(rows.map((r) => r.project_id)).toEqual([A, B]);
    });
  });

  const functionCells = ACTOR_NAMES.flatMap((actor) =>
    PROJECTS.map((project) => ({
      actor, project,
      verdict: ACTORS[actor].kind === 'anon' ? 'permission denied' : can(actor, 'read', project) ? 'visible' : 'hidden',
    })));

  describe('a revoked API key in withUserScope', () => {
    it('is refused (28000) before any statement of the caller takes effect; a live key is not', async () => {
      const before = await sql`select count(*)::int as n from optimization_runs where project_id = ${A}`;
      const refused = await attempt(withUserScope(claims['revoked key of A'], (tx) => tx`
        insert into optimization_runs (project_id, run_name, optimizer_type) values (${A}, 'by a revoked key', 'miprov2')
      `, sql));
      expect(refused).toEqual({ ok: false, code: '28000', message: 'this API key is not valid (unknown, revoked or expired)' });
      const after = await sql`select count(*)::int as n from optimization_runs where project_id = ${A}`;
      expect(after[0]!.n).toBe(before[0]!.n);
      const live = await withUserScope(claims['read-only key of A'], (tx) => tx`select count(*)::int as n from optimization_runs`, sql);
      expect(live[0]!.n).toBe(before[0]!.n);
    });
  });

  describe('helper functions', () => {
    it.each(named((c) => `${c.actor}: get_optimization_run_summary of a run of ${c.project} is ${c.verdict}`, functionCells))('%s', async (_name, { actor, project, verdict }) => {
      const outcome = await as(actor, (tx) =>
        attempt(tx`select run_id, project_id, best_iteration from get_optimization_run_summary(${runs[project]})`));
      if (verdict === 'permission denied') {
        expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for function get_optimization_run_summary' });
      } else {
        expect(outcome).toEqual({
          ok: true,
          value: verdict === 'visible' ? [{ run_id: runs[project], project_id: project, best_iteration: 0 }] : [],
        });
      }
    });

    it.each(named((c) => `${c.actor}: get_top_runs_by_score of ${c.project} is ${c.verdict}`, functionCells))('%s', async (_name, { actor, project, verdict }) => {
      const outcome = await as(actor, (tx) => attempt(tx`select id from get_top_runs_by_score(${project}, 10)`));
      if (verdict === 'permission denied') {
        expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for function get_top_runs_by_score' });
      } else {
        expect(outcome).toEqual({ ok: true, value: verdict === 'visible' ? [{ id: runs[project] }] : [] });
      }
    });
  });

  describe('analytics', () => {
    it.each(ACTOR_NAMES)('%s: project_optimization_analytics shows only its own projects', async (actor) => {
      const outcome = await as(actor, (tx) =>
        attempt(tx`select distinct project_id from project_optimization_analytics order by 1`));
      if (ACTORS[actor].kind === 'anon') {
        expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for view project_optimization_analytics' });
      } else {
        expect(outcome).toEqual({ ok: true, value: readable(actor).map((project_id) => ({ project_id })) });
      }
    });

    it.each(ACTOR_NAMES)('%s: cannot read optimization_run_analytics itself', async (actor) => {
      const outcome = await as(actor, (tx) => attempt(tx`select * from optimization_run_analytics`));
      expect(outcome).toMatchObject({
        ok: false, code: '42501', message: 'permission denied for materialized view optimization_run_analytics',
      });
    });

    // callers refresh through the throttle (private.refresh_optimization_analytics_throttled, below)
    it.each(ACTOR_NAMES)('%s: cannot call refresh_optimization_analytics around the throttle', async (actor) => {
      const outcome = await as(actor, (tx) => attempt(tx`select refreshed from refresh_optimization_analytics()`));
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for function refresh_optimization_analytics' });
    });
  });

  describe('the owner role', () => {
    const id = (actor: ActorName) => users[actor]!.id;
    const setRole = (actor: ActorName, role: string) => `select * from set_project_member_role('${A}', '${id(actor)}', '${role}')`;

    it.each([
      ['promote itself to owner', () => setRole('admin of A', 'owner')],
      ['promote another member to owner', () => setRole('viewer of A', 'owner')],
      ['demote the owner', () => setRole('owner of A', 'member')],
      ['remove the owner', () => `select remove_project_member('${A}', '${id('owner of A')}')`],
      ['add a new owner', () => `select * from add_project_member('${A}', '${outsider.email}', 'owner')`],
      ['demote the owner by adding them again', () => `select * from add_project_member('${A}', '${users['owner of A']!.email}', 'admin')`],
    ])('an admin cannot %s', async (_what, statement) => {
      const outcome = await as('admin of A', (tx) => attempt(tx.unsafe(statement())));
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: `only an owner of project ${A} can grant, change or remove the owner role` });
    });

    it('an admin changes a viewer\'s role, and removes a member', async () => {
      const outcome = await as('admin of A', async (tx) => {
        const [changed] = await tx.unsafe(setRole('viewer of A', 'member'));
        const [removed] = await tx.unsafe(`select remove_project_member('${A}', '${id('member of A and B')}') as removed`);
        const left = await tx`select user_id from project_members where project_id = ${A} and user_id = ${id('member of A and B')}`;
        return { role: changed!.role, removed: removed!.removed, left: left.length };
      });
      expect(outcome).toEqual({ role: 'member', removed: true, left: 0 });
    });

    it('a viewer cannot change roles or remove others, but can leave', async () => {
      const denied = await as('viewer of A', (tx) => attempt(tx.unsafe(`select remove_project_member('${A}', '${id('admin of A')}')`)));
      expect(denied).toMatchObject({ ok: false, code: '42501', message: `only owners and admins of project ${A} can remove members` });
      const hidden = await as('owner of B', (tx) => attempt(tx.unsafe(setRole('viewer of A', 'admin'))));
      expect(hidden).toMatchObject({ ok: false, code: 'P0002', message: `project ${A} not found` });
      const left = await as('viewer of A', (tx) => tx.unsafe(`select remove_project_member('${A}', '${id('viewer of A')}') as removed`));
      expect(left).toEqual([{ removed: true }]);
    });

    it('an owner can make an admin owner, and then step down', async () => {
      const roles = await as('owner of A', async (tx) => {
        await tx.unsafe(setRole('admin of A', 'owner'));
        await tx.unsafe(setRole('owner of A', 'admin'));
        return tx`select user_id, role from project_members where project_id = ${A} and role in ('owner', 'admin')`;
      });
      expect(roles).toEqual(expect.arrayContaining([
        { user_id: id('admin of A'), role: 'owner' },
        { user_id: id('owner of A'), role: 'admin' },
      ]));
    });

    it.each([
      ['leave', () => `select remove_project_member('${A}', '${id('owner of A')}')`],
      ['step down', () => setRole('owner of A', 'admin')],
      ['step down by adding themselves again', () => `select * from add_project_member('${A}', '${users['owner of A']!.email}', 'member')`],
    ])('the last owner cannot %s', async (_what, statement) => {
      const outcome = await as('owner of A', (tx) => attempt(tx.unsafe(statement())));
      expect(outcome).toMatchObject({ ok: false, code: '23514', message: `project ${A} must keep at least one owner` });
    });

    it('whoever creates a project owns it', async () => {
      const viewer = users['viewer of A']!;
      const rows = await as('viewer of A', async (tx) => {
        const created = await tx`select * from create_project('proj-new', ' New ', null)`;
        const members = await tx`select user_id, role from project_members where project_id = 'proj-new'`;
        const [project] = await tx`select name, created_by from project_config where id = 'proj-new'`;
        return { created, members, project };
      });
      expect(rows).toMatchObject({
        created: [{ id: 'proj-new', name: 'New', description: null, role: 'owner' }],
        members: [{ user_id: viewer.id, role: 'owner' }],
        project: { name: 'New', created_by: viewer.id },
      });
    });

    it.each([
      ['an API key', 'read-write key of A' as const, '42501', 'only signed-in users can create projects'],
      ['anon', 'anon' as const, '42501', 'permission denied for function create_project'],
    ])('%s cannot create a project', async (_what, actor, code, message) => {
      const outcome = await as(actor, (tx) => attempt(tx`select * from create_project('proj-key', 'Key', null)`));
      expect(outcome).toMatchObject({ ok: false, code, message });
    });

    // callers cannot update memberships at all; the guard holds the service role too
    it('the service role cannot move a membership', async () => {
      let outcome: Outcome | undefined;
      await sql.begin(async (tx) => {
        await tx`select set_config('role', 'service_role', true)`;
        outcome = await attempt(tx.unsafe(
          `update project_members set project_id = '${B}' where project_id = '${A}' and role = 'viewer'`));
        throw ROLLBACK;
      }).catch((e: unknown) => {
        if (e !== ROLLBACK) throw e;
      });
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'a membership cannot move to another project or user' });
    });

    it('a taken or malformed id is refused', async () => {
      const taken = await as('owner of B', (tx) => attempt(tx`select * from create_project(${A}, 'Again', null)`));
      expect(taken).toMatchObject({ ok: false, code: '23505' });
      const malformed = await as('owner of B', (tx) => attempt(tx`select * from create_project('X', 'Bad', null)`));
      expect(malformed).toMatchObject({ ok: false, code: '23514' });
    });
  });

  // Tables only SECURITY DEFINER functions (and the service role) touch: no caller of any
  // kind reads or writes them directly.
  describe('internal tables', () => {
    const INTERNAL = {
      optimization_analytics_refreshes: {
        insert: `insert into optimization_analytics_refreshes (duration_ms) values (1)`,
        update: `update optimization_analytics_refreshes set duration_ms = 0`,
      },
      'private.run_counts': {
        insert: `insert into private.run_counts (project_id, status, optimizer_type, runs) values ('${A}', 'completed', 'miprov2', 1000)`,
        update: `update private.run_counts set runs = runs + 1000`,
      },
      'private.demo_seedings': {
        insert: `insert into private.demo_seedings default values`,
        update: `update private.demo_seedings set seeded_at = now()`,
      },
      'private.api_rate_limits': {
        insert: `insert into private.api_rate_limits (key, tat) values ('key:someone', now())`,
        update: `update private.api_rate_limits set tat = now() - interval '1 day'`,
      },
    } as const;
    type Internal = keyof typeof INTERNAL;
    const internalCells = ACTOR_NAMES.flatMap((actor) =>
      (Object.keys(INTERNAL) as Internal[]).flatMap((table) => OPS.map((op) => ({ actor, table, op }))));
    const statement = (table: Internal, op: Op) =>
      op === 'select' ? `select * from ${table}` : op === 'delete' ? `delete from ${table}` : INTERNAL[table][op];

    it.each(named((c) => `${c.actor}: ${c.op} ${c.table} is permission denied`, internalCells))('%s', async (_name, { actor, table, op }) => {
      const outcome = await as(actor, (tx) => attempt(tx.unsafe(statement(table, op))));
      // anon has no use of the private schema at all
      const denied = ACTORS[actor].kind === 'anon' && table.startsWith('private.') ? 'schema private' : `table ${table.replace('private.', '')}`;
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: `permission denied for ${denied}` });
    });

    it('the refreshes and run counts are there to be hidden', async () => {
      const [row] = await sql`select (select count(*)::int from optimization_analytics_refreshes) as refreshes, (select count(*)::int from private.run_counts) as counts`;
      expect(row!.refreshes).toBeGreaterThan(0);
      expect(row!.counts).toBeGreaterThan(0);
    });

    it.each(ACTOR_NAMES)('%s: cannot take rate-limit tokens itself', async (actor) => {
      const outcome = await as(actor, (tx) => attempt(tx`select * from private.take_api_rate_limit_tokens('key:someone', 10, 1)`));
      expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for function take_api_rate_limit_tokens' });
    });

    it.each(ACTOR_NAMES)('%s: the throttled refresh allows what the refresh allows', async (actor) => {
      const outcome = await as(actor, (tx) => attempt(tx`select refreshed from private.refresh_optimization_analytics_throttled(0)`));
      if (ACTORS[actor].kind === 'anon') {
        expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'permission denied for function refresh_optimization_analytics_throttled' });
      }
      else if (administers(actor)) expect(outcome).toEqual({ ok: true, value: [{ refreshed: true }] });
      else expect(outcome).toMatchObject({ ok: false, code: '42501', message: 'only project owners and admins can refresh analytics' });
    });
  });

  // RLS would let a caller who writes in both projects move a row between them; triggers
  // stop it, and the check of project_config stops a project taking another id.
  describe('no row moves to another project under RLS, even for a writer or admin of both', () => {
    let adminOfBoth: Claims;
    beforeAll(async () => {
      const user = await createUser(sql, 'admin-of-both');
      for (const project of PROJECTS) {
        await sql`insert into project_members (project_id, user_id, role) values (${project}, ${user.id}, 'admin')`;
      }
      adminOfBoth = user.claims;
    });

    it.each([
      ['a run', () => `update optimization_runs set project_id = '${B}' where id = '${runs[A]}'`,
        'optimization_runs rows cannot move to another project'],
      ['an iteration', () => `update optimization_iterations set project_id = '${B}' where id = '${iterations[A]}'`,
        'optimization_iterations rows cannot move to another project'],
      ['an iteration with its run id', () => `update optimization_iterations set project_id = '${B}', run_id = '${runs[B]}' where id = '${iterations[A]}'`,
        'optimization_iterations rows cannot move to another project'],
      ['a sample', () => `update optimization_samples set project_id = '${B}' where project_id = '${A}'`,
        'optimization_samples rows cannot move to another project'],
      ['an API key', () => `update api_keys set project_id = '${B}' where project_id = '${A}'`,
        "an API key's project, hash, prefix and creator cannot change"],
      ['a project (a new id)', () => `update project_config set id = 'proj-moved' where id = '${A}'`,
        'new row violates row-level security policy for table "project_config"'],
    ])('%s', async (_what, update, message) => {
      for (const who of [claims['member of A and B'], adminOfBoth]) {
        const outcome = await as(who, (tx) => attempt(tx.unsafe(update())));
        if (who === adminOfBoth || !/api_keys|project_members|project_config/.test(update())) {
          expect(outcome).toMatchObject({ ok: false, code: '42501' });
          expect(outcome.ok || outcome.message).toContain(message);
        } else {
          // a member does not administer: the row is not even visible to update
          expect(outcome).toMatchObject({ ok: true, value: { count: 0 } });
        }
      }
      // nothing moved
      const [row] = await sql`
        select (select count(*)::int from optimization_runs where project_id = ${A}) as runs,
               (select count(*)::int from api_keys where project_id = ${A}) as keys,
               (select count(*)::int from project_config where id = ${A}) as projects`;
      expect(row).toMatchObject({ runs: expect.any(Number), projects: 1 });
      expect(row!.runs).toBeGreaterThan(0);
      expect(row!.keys).toBeGreaterThan(0);
    });
  });
});
