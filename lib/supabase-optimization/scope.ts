import { getSql, withUserScope, withUserScopeStatements, type Claims, type Sql, type TransactionSql } from '../db/index.ts';
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

export async function inScope<T>(scope: Scope, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withUserScope(scope.claims, fn, scope.sql ?? getSql());
  } catch (error) {
    throw translateDatabaseError(error);
  }
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
