import { getSql, type Sql, type TransactionSql } from './client.ts';

// The claims a request runs with, as PostgREST would set them from a verified JWT.
export interface Claims {
  role: 'authenticated' | 'anon';
  sub?: string;
  email?: string;
  // set for API-key requests (see private.api_key_project in the tenancy migration)
  api_key_id?: string;
  [claim: string]: unknown;
}

const ALLOWED_ROLES = new Set(['authenticated', 'anon']);

export function statementTimeoutMs(): number {
  const raw = Number(process.env.DB_STATEMENT_TIMEOUT_MS ?? 15000);
  return Number.isFinite(raw) && raw > 0 ? Math.floor(raw) : 15000;
}

// Runs fn in one transaction as `authenticated` (or `anon`) with request.jwt.claims set,
// exactly as PostgREST does. Everything is set with is_local = true, so it ends with the
// transaction and nothing reaches the next request on the same connection.
export async function withUserScope<T>(
  claims: Claims,
  fn: (tx: TransactionSql) => Promise<T>,
  sql: Sql = getSql(),
): Promise<T> {
  checkClaims(claims);
  return runScoped(sql, claims.role, JSON.stringify(claims), fn, apiKeyIdOf(claims));
}

// The key id goes into the statement that sets the claims: it must be a UUID, checked
// here for both ways a transaction starts.
function apiKeyIdOf(claims: Claims): string | undefined {
  if (claims.api_key_id === undefined) return undefined;
  if (typeof claims.api_key_id !== 'string' || !UUID.test(claims.api_key_id)) throw new Error('api_key_id must be a UUID');
  return claims.api_key_id;
}

function checkClaims(claims: Claims): void {
  if (!claims || !ALLOWED_ROLES.has(claims.role)) {
    throw new Error(`withUserScope: role must be "authenticated" or "anon", got ${JSON.stringify(claims?.role)}`);
  }
  if (claims.role === 'authenticated' && !claims.sub && !claims.api_key_id) {
    throw new Error('withUserScope: authenticated claims need a sub or an api_key_id');
  }
}

// The statements `build` returns (it must build them all at once, without awaiting
// anything) in one transaction as the caller, in one round trip: BEGIN, the settings,
// the statements and COMMIT are sent together. For reads whose statements do not depend
// on each other's results. Resolves to their results in order; the first failure rejects
// (the transaction is then rolled back by the server: COMMIT of a failed transaction).
export async function withUserScopeStatements<const Q extends readonly PromiseLike<unknown>[]>(
  claims: Claims,
  build: (tx: TransactionSql) => Q,
  sql: Sql = getSql(),
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  checkClaims(claims);
  return runStatements(sql, claims.role, JSON.stringify(claims), build, apiKeyIdOf(claims));
}

// Bypasses RLS. Only for work with no user yet: API-key lookup, migrations, the demo
// seeder. `purpose` names the caller in errors and keeps uses greppable.
export async function withServiceScope<T>(
  purpose: string,
  fn: (tx: TransactionSql) => Promise<T>,
  sql: Sql = getSql(),
): Promise<T> {
  if (!purpose) throw new Error('withServiceScope: name the purpose');
  return runScoped(sql, 'service_role', JSON.stringify({ role: 'service_role', purpose }), fn);
}

// withServiceScope for independent statements, in one round trip (withUserScopeStatements).
export async function withServiceScopeStatements<const Q extends readonly PromiseLike<unknown>[]>(
  purpose: string,
  build: (tx: TransactionSql) => Q,
  sql: Sql = getSql(),
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  if (!purpose) throw new Error('withServiceScope: name the purpose');
  return runStatements(sql, 'service_role', JSON.stringify({ role: 'service_role', purpose }), build);
}

// One transaction on a reserved connection. BEGIN, the settings and fn's first statements
// are pipelined (sent together, one round trip) instead of awaited one by one; the
// commit is the second round trip. BEGIN goes as one simple-protocol message, as
// postgres.js sends it: PGlite's socket server keeps a connection's messages together only
// once its transaction has begun. Nothing in fn can run outside the role and claims:
// the settings statement follows BEGIN on the same connection, and if it fails the
// transaction is aborted, so every later statement fails too; BEGIN itself fails only
// where every later statement fails as well (an aborted transaction block, a broken
// connection).
async function runScoped<T>(
  sql: Sql,
  role: string,
  claimsJson: string,
  fn: (tx: TransactionSql) => Promise<T>,
  apiKeyId?: string,
): Promise<T> {
  if (!pipelining()) {
    return (await sql.begin(async (tx) => {
      await settings(tx, role, claimsJson, apiKeyId);
      return fn(tx);
    })) as T;
  }
  const connection = await sql.reserve();
  // A connection that closed mid-transaction (the server rolled back) must be neither
  // written to nor released: postgres.js reconnects it from its closed queue.
  let broken = false;
  try {
    // settled now, so an early failure is never an unhandled rejection
    const prologue = beginWithSettings(connection, role, claimsJson, apiKeyId).then(
      () => null,
      (error: unknown) => error,
    );
    let result: T;
    try {
      result = await fn(connection as unknown as TransactionSql);
    } catch (error) {
      // a failed prologue makes fn's statements fail with 25P02: report the cause
      const cause = (await prologue) ?? error;
      broken = isConnectionError(cause) || isConnectionError(error);
      if (!broken) await connection`rollback`.catch(() => {});
      throw cause;
    }
    const cause = await prologue;
    if (cause) {
      broken = isConnectionError(cause);
      if (!broken) await connection`rollback`.catch(() => {});
      throw cause;
    }
    try {
      await connection`commit`;
    } catch (error) {
      broken = isConnectionError(error);
      throw error;
    }
    return result;
  } finally {
    if (!broken) connection.release();
  }
}

async function runStatements<const Q extends readonly PromiseLike<unknown>[]>(
  sql: Sql,
  role: string,
  claimsJson: string,
  build: (tx: TransactionSql) => Q,
  apiKeyId?: string,
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  if (!pipelining()) {
    return (await sql.begin(async (tx) => {
      await settings(tx, role, claimsJson, apiKeyId);
      return Promise.all(build(tx));
    })) as { [K in keyof Q]: Awaited<Q[K]> };
  }
  const connection = await sql.reserve();
  let broken = false;
  try {
    const prologue = [beginWithSettings(connection, role, claimsJson, apiKeyId)];
    let statements: Q;
    try {
      statements = build(connection as unknown as TransactionSql);
    } catch (error) {
      await Promise.allSettled(prologue);
      await connection`rollback`.catch(() => {});
      throw error;
    }
    // queued in order before COMMIT (a postgres.js query starts when executed or awaited)
    for (const statement of statements) (statement as { execute?: () => unknown }).execute?.();
    const commit = connection`commit`.execute();
    const settled: PromiseSettledResult<unknown>[] = await Promise.allSettled([...prologue, ...statements, commit]);
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) {
      broken = isConnectionError(failed.reason);
      throw failed.reason;
    }
    return settled
      .slice(prologue.length, prologue.length + statements.length)
      .map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as { [K in keyof Q]: Awaited<Q[K]> };
  } finally {
    if (!broken) connection.release();
  }
}

// Role, claims and timeout for the transaction, as PostgREST sets them (is_local: they end
// with it, and nothing reaches the next user of the connection). For an API key, the same
// statement checks that the key is still live (private.require_live_api_key): a revoked or
// expired key fails the transaction with 28000 before any of the caller's statements run.
function settings(tx: Sql | TransactionSql, role: string, claimsJson: string, apiKeyId?: string) {
  return tx`
    select set_config('role', ${role}, true),
           set_config('request.jwt.claims', ${claimsJson}, true),
           set_config('statement_timeout', ${String(statementTimeoutMs())}, true)
           ${apiKeyId ? tx`, private.require_live_api_key(${apiKeyId}::uuid)` : tx``}
  `;
}

// BEGIN and the settings as one simple-protocol message (one statement less to parse,
// bind and answer on both sides). Its values are spliced in, so each is checked or
// quoted: the role is one of three names, the timeout an integer, the key id a UUID
// (apiKeyIdOf), and the claims JSON an escape string literal (E'...': backslashes and
// quotes doubled, valid whatever standard_conforming_strings says; JSON text holds no NUL).
const ROLES = new Set(['authenticated', 'anon', 'service_role']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function beginWithSettings(connection: Sql, role: string, claimsJson: string, apiKeyId?: string): Promise<unknown> {
  if (!ROLES.has(role)) throw new Error(`unknown role ${JSON.stringify(role)}`);
  const literal = `E'${claimsJson.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  const check = apiKeyId ? `, private.require_live_api_key('${apiKeyId}'::uuid)` : '';
  return connection
    .unsafe(
      `begin; select set_config('role', '${role}', true), set_config('request.jwt.claims', ${literal}, true), ` +
        `set_config('statement_timeout', '${statementTimeoutMs()}', true)${check}`,
    )
    .execute();
}

// Pipelining (statements sent before the previous answers arrive) is on for direct
// connections. Off with DATABASE_PIPELINE=false, and by default behind Supabase's
// transaction pooler (DATABASE_PREPARE=false), where a transaction's statements then go
// one at a time as before.
function pipelining(): boolean {
  const explicit = process.env.DATABASE_PIPELINE;
  if (explicit !== undefined && explicit !== '') return explicit !== 'false';
  return process.env.DATABASE_PREPARE !== 'false';
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^CONNECT(ION)?_/.test(code) || ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code));
}
