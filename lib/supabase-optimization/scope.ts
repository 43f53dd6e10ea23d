import { getSql, withUserScope, withUserScopeStatements, type Claims, type Sql, type TransactionSql } from '../db/index.ts';
import { publishRunChanges, type LiveRunChange } from '../live/index.ts';
import { ConflictError, NotFoundError, translateDatabaseError } from './errors.ts';

// Who is calling: verified claims (from lib/auth), the project the request is about when
// it is known (an API key's, a /projects/[projectId] page's) and, for tests and scripts,
// the database to use (the process-wide pool by default).
export interface Scope {
  claims: Claims;
  sql?: Sql;
  // every statement about a run names it, so a distributed database routes it to one shard
  projectId?: string;
}

export function userScope(claims: Claims, sql?: Sql): Scope {
  return { claims, sql };
}

// The scope bound to one project: run ids are unique per project only.
export function inProject(scope: Scope, projectId: string): Scope {
  return scope.projectId === projectId ? scope : { ...scope, projectId };
}

// The project of the runs a call names: the scope's, else one lookup under the caller's RLS
// (scripts, the /runs/[runId] short link). An id held by two readable projects is a 409:
// the caller must name the project. Null when the caller sees none of the runs.
export async function projectOfRuns(scope: Scope, runIds: readonly string[]): Promise<string | null> {
  if (scope.projectId) return scope.projectId;
  if (runIds.length === 0) return null;
  const [rows] = await readInScope(scope, (tx) => [
    tx<{ project_id: string }[]>`select distinct project_id from optimization_runs where id = any(${runIds as string[]}::uuid[]) limit 2`,
  ]);
  if (rows.length > 1) {
    throw new ConflictError(
      `run ${runIds.length === 1 ? `id ${runIds[0]} exists` : 'ids exist'} in more than one of your projects: name the project (use /projects/{projectId}/runs/… or an API key of the project)`,
      { projects: rows.map((r) => r.project_id).sort() },
    );
  }
  return rows[0]?.project_id ?? null;
}

// projectOfRuns for one run the caller must see.
export async function projectOfRun(scope: Scope, runId: string): Promise<string> {
  const projectId = await projectOfRuns(scope, [runId]);
  if (projectId === null) throw new NotFoundError('run', runId);
  return projectId;
}

export type Tx = TransactionSql;

// The runs each open transaction changed (runChanged), keyed by its connection.
const noted = new WeakMap<object, Map<string, LiveRunChange>>();

// Records that this transaction changes a run (its row or anything the run owns: iterations,
// samples, candidates, pool, Pareto steps, proposals, note, labels, stars, status). inScope
// announces it to the live listeners once the transaction has committed; a rollback
// announces nothing. Outside inScope (the demo seeder's service transaction) it does nothing.
export function runChanged(tx: Tx, projectId: string, runId: string, op: LiveRunChange['op'] = 'update'): void {
  noted.get(tx)?.set(`${op}:${runId}`, { projectId, runId, op });
}

// The one place writes are announced: after COMMIT, outside the transaction.
export async function inScope<T>(scope: Scope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const sql = scope.sql ?? getSql();
  let changes: LiveRunChange[] = [];
  let result: T;
  try {
    result = await withUserScope(
      scope.claims,
      async (tx) => {
        // a rerun on a fresh connection (lib/db's retry) starts its own list
        const mine = new Map<string, LiveRunChange>();
        noted.set(tx, mine);
        try {
          const value = await fn(tx);
          changes = [...mine.values()];
          return value;
        } finally {
          noted.delete(tx);
        }
      },
      sql,
    );
  } catch (error) {
    throw translateDatabaseError(error);
  }
  publishRunChanges(sql, changes);
  return result;
}

// inScope for reads made of independent statements: one round trip instead of two
// (withUserScopeStatements). `build` returns the statements without awaiting them.
export async function readInScope<const Q extends readonly PromiseLike<unknown>[]>(
  scope: Scope,
  build: (tx: Tx) => Q,
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  try {
    return await withUserScopeStatements(scope.claims, build, scope.sql ?? getSql());
  } catch (error) {
    throw translateDatabaseError(error);
  }
}

export type Access = 'none' | 'read' | 'write' | 'admin';

// What the caller may do in a project; used to tell "not found" from "forbidden" after
// a write was refused.
export async function projectAccess(tx: Tx, projectId: string): Promise<Access> {
  const [row] = await tx<{ r: boolean; w: boolean; a: boolean }[]>`
    select ${projectId} = any ((select private.readable_project_ids())::text[]) as r,
           ${projectId} = any ((select private.writable_project_ids())::text[]) as w,
           ${projectId} = any ((select private.admin_project_ids())::text[]) as a
  `;
  if (!row?.r) return 'none';
  if (row.a) return 'admin';
  return row.w ? 'write' : 'read';
}

export function isInsufficientPrivilege(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '42501';
}
