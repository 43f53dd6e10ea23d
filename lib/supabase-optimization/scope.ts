import { getSql, withUserScope, withUserScopeStatements, type Claims, type Sql, type TransactionSql } from '../db/index.ts';
import { publishRunChanges, type LiveRunChange } from '../live/index.ts';
import { translateDatabaseError } from './errors.ts';

// Who is calling: verified claims (from lib/auth) and, for tests and scripts, the
// database to use (the process-wide pool by default).
export interface Scope {
  claims: Claims;
  sql?: Sql;
}

export function userScope(claims: Claims, sql?: Sql): Scope {
  return { claims, sql };
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
