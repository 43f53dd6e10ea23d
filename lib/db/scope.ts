import { getDatabaseSettings } from '../config/index.ts';
import { currentDeadline, DatabaseUnavailableError, DeadlineError, isDatabaseUnavailable } from './availability.ts';
import { getSql, livePool, retirePool, whenRetired, type ReservedSql, type Sql, type TransactionSql } from './client.ts';

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

// A statement may run for DB_STATEMENT_TIMEOUT_MS, and never past the request's deadline.
function statementTimeout(attempt: Attempt): number {
  return Math.max(1, Math.min(getDatabaseSettings().statementTimeoutMs, attempt.until - Date.now()));
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
// on each other's results, run READ ONLY. Resolves to their results in order; the first
// failure rejects (the transaction is then rolled back by the server: COMMIT of a failed
// transaction).
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

// A transaction's budget: it ends at the request's deadline (the wait for a pooled
// connection included), and records whether COMMIT may have reached the server.
interface Attempt {
  until: number;
  commitSent: boolean;
  // the deadline passed: the request was answered, so the transaction must not commit
  expired: boolean;
}

// Runs one transaction within the request's deadline. When the database turns out to be
// unavailable (a connection refused, closed or reset, a server shutting down), the pool
// is replaced (retirePool) and the transaction runs once more on a fresh connection, if
// that cannot apply it twice; otherwise, or if that fails too, DatabaseUnavailableError
// (answered 503 with Retry-After).
async function resilient<T>(sql: Sql, readOnly: boolean, run: (sql: Sql, attempt: Attempt) => Promise<T>): Promise<T> {
  const until = currentDeadline();
  let pool = livePool(sql);
  for (let retried = false; ; retried = true) {
    const attempt: Attempt = { until, commitSent: false, expired: false };
    try {
      return await run(pool, attempt);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      pool = retirePool(pool);
      // PostgreSQL applies nothing of a transaction until it receives COMMIT (and a
      // read-only one writes nothing), so if COMMIT was never sent, a rerun cannot apply it twice.
      const notCommitted = readOnly || !attempt.commitSent;
      if (!retried && notCommitted && !attempt.expired) continue;
      if (error instanceof DatabaseUnavailableError) throw error;
      throw new DatabaseUnavailableError(`the database is unavailable (${describe(error)})`, { cause: error, outcomeUnknown: !notCommitted });
    }
  }
}

function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [code, message].filter((part) => typeof part === 'string' && part).join(': ') || 'connection failed';
}

// A reserved connection, or DeadlineError if none is free by the deadline (a reservation
// that arrives later goes straight back to the pool). A wait on a pool that is retired
// meanwhile moves to its successor: nothing was sent yet.
async function reserveBy(sql: Sql, attempt: Attempt): Promise<ReservedSql> {
  let pool = livePool(sql);
  for (;;) {
    const reservation = pool.reserve();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, attempt.until - Date.now()));
    });
    const outcome = await Promise.race([reservation, late, whenRetired(pool).then(() => 'retired' as const)]).finally(() =>
      clearTimeout(timer),
    );
    if (typeof outcome !== 'string') return outcome;
    reservation.then((connection) => connection.release(), () => {});
    if (outcome === 'late') {
      attempt.expired = true;
      throw new DeadlineError('waiting for a connection');
    }
    pool = livePool(pool);
  }
}

// work's outcome, or DeadlineError once the deadline passes (work then finishes or fails
// on its own, and sees attempt.expired before it would commit).
async function byDeadline<T>(attempt: Attempt, what: string, work: Promise<T>): Promise<T> {
  work.catch(() => {}); // its failure after the deadline is nobody's to handle
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      attempt.expired = true;
      reject(new DeadlineError(what, { outcomeUnknown: attempt.commitSent }));
    }, Math.max(0, attempt.until - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

// The connection itself failed (not the request's own deadline): it must be neither
// written to nor released, postgres.js reconnects it from its closed queue.
function connectionLost(error: unknown): boolean {
  return isDatabaseUnavailable(error) && !(error instanceof DatabaseUnavailableError);
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
function runScoped<T>(
  sql: Sql,
  role: string,
  claimsJson: string,
  fn: (tx: TransactionSql) => Promise<T>,
  apiKeyId?: string,
): Promise<T> {
  return resilient(sql, false, async (pool, attempt) => {
    if (!pipelining()) {
      return byDeadline(attempt, 'transaction', pool.begin(async (tx) => {
        await settings(tx, role, claimsJson, attempt, apiKeyId);
        const result = await fn(tx);
        if (attempt.expired) throw new DeadlineError('transaction'); // rolled back by begin
        attempt.commitSent = true;
        return result;
      }) as Promise<T>);
    }
    const connection = await reserveBy(pool, attempt);
    return byDeadline(attempt, 'transaction', scopedOn(connection, role, claimsJson, fn, attempt, apiKeyId));
  });
}

async function scopedOn<T>(
  connection: ReservedSql,
  role: string,
  claimsJson: string,
  fn: (tx: TransactionSql) => Promise<T>,
  attempt: Attempt,
  apiKeyId?: string,
): Promise<T> {
  // A connection that closed mid-transaction (the server rolled back) must be neither
  // written to nor released: postgres.js reconnects it from its closed queue.
  let broken = false;
  try {
    // settled now, so an early failure is never an unhandled rejection
    const prologue = beginWithSettings(connection, role, claimsJson, attempt, apiKeyId, false).then(
      () => null,
      (error: unknown) => error,
    );
    let result: T;
    try {
      result = await fn(connection as unknown as TransactionSql);
    } catch (error) {
      // a failed prologue makes fn's statements fail with 25P02: report the cause
      const cause = (await prologue) ?? error;
      broken = connectionLost(cause) || connectionLost(error);
      if (!broken) await connection`rollback`.catch(() => {});
      throw cause;
    }
    const cause = await prologue;
    if (cause) {
      broken = connectionLost(cause);
      if (!broken) await connection`rollback`.catch(() => {});
      throw cause;
    }
    if (attempt.expired) {
      await connection`rollback`.catch(() => {});
      throw new DeadlineError('transaction');
    }
    attempt.commitSent = true;
    try {
      await connection`commit`;
    } catch (error) {
      broken = connectionLost(error);
      throw error;
    }
    return result;
  } finally {
    if (!broken) connection.release();
  }
}

// The batch is read-only (BEGIN READ ONLY), so a rerun after a lost connection is always safe.
function runStatements<const Q extends readonly PromiseLike<unknown>[]>(
  sql: Sql,
  role: string,
  claimsJson: string,
  build: (tx: TransactionSql) => Q,
  apiKeyId?: string,
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  return resilient(sql, true, async (pool, attempt) => {
    if (!pipelining()) {
      return byDeadline(attempt, 'transaction', pool.begin('read only', async (tx) => {
        await settings(tx, role, claimsJson, attempt, apiKeyId);
        return Promise.all(build(tx));
      }) as Promise<{ [K in keyof Q]: Awaited<Q[K]> }>);
    }
    const connection = await reserveBy(pool, attempt);
    return byDeadline(attempt, 'transaction', statementsOn(connection, role, claimsJson, build, attempt, apiKeyId));
  });
}

async function statementsOn<const Q extends readonly PromiseLike<unknown>[]>(
  connection: ReservedSql,
  role: string,
  claimsJson: string,
  build: (tx: TransactionSql) => Q,
  attempt: Attempt,
  apiKeyId?: string,
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  let broken = false;
  try {
    const prologue = [beginWithSettings(connection, role, claimsJson, attempt, apiKeyId, true)];
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
    attempt.commitSent = true;
    const commit = connection`commit`.execute();
    const settled: PromiseSettledResult<unknown>[] = await Promise.allSettled([...prologue, ...statements, commit]);
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) {
      broken = settled.some((outcome) => outcome.status === 'rejected' && connectionLost(outcome.reason));
      throw failed.reason;
    }
    return settled
      .slice(prologue.length, prologue.length + statements.length)
      .map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as { [K in keyof Q]: Awaited<Q[K]> };
  } finally {
    if (!broken) connection.release();
  }
}

// Role, claims and timeout for the transaction, as PostgREST sets them (local: they end
// with it, and nothing reaches the next user of the connection). The claims go by
// SET LOCAL, which Citus passes on to its workers (citus.propagate_set_commands = 'local',
// docs/scale-out.md); set_config reaches the coordinator only. For an API key, the same
// message checks that the key is still live (private.require_live_api_key): a revoked or
// expired key fails the transaction with 28000 before any of the caller's statements run.
// SET takes no parameters, so the values are spliced in, each checked or quoted: the role
// is one of three names, the timeout an integer, the key id a UUID (apiKeyIdOf), and the
// claims JSON a string literal (quoteLiteral). The SET LOCAL goes alone in its message:
// Citus passes on the whole message text a SET came in, so a SET sharing its message with
// set_config('role') and the key check would run those on each worker as well.
const ROLES = new Set(['authenticated', 'anon', 'service_role']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function settingsText(role: string, claimsJson: string, attempt: Attempt, apiKeyId: string | undefined): [string, string] {
  if (!ROLES.has(role)) throw new Error(`unknown role ${JSON.stringify(role)}`);
  if (apiKeyId !== undefined && !UUID.test(apiKeyId)) throw new Error('api_key_id must be a UUID');
  const check = apiKeyId ? `, private.require_live_api_key('${apiKeyId}'::uuid)` : '';
  return [
    `set local request.jwt.claims = ${quoteLiteral(claimsJson)}`,
    `select set_config('role', '${role}', true), set_config('statement_timeout', '${statementTimeout(attempt)}', true)${check}`,
  ];
}

// A SQL string literal for any text: single quotes doubled. It assumes
// standard_conforming_strings = on (PostgreSQL's default since 9.1, Supabase's and PGlite's),
// where a backslash is an ordinary character; NUL cannot be in a PostgreSQL string at all.
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot hold a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

// The settings inside a transaction postgres.js began (no pipelining).
function settings(tx: Sql | TransactionSql, role: string, claimsJson: string, attempt: Attempt, apiKeyId?: string) {
  const [claims, rest] = settingsText(role, claimsJson, attempt, apiKeyId);
  return Promise.all([tx.unsafe(claims).execute(), tx.unsafe(rest).execute()]);
}

// BEGIN and the settings, pipelined (one round trip, nothing to parse and bind twice).
function beginWithSettings(
  connection: Sql,
  role: string,
  claimsJson: string,
  attempt: Attempt,
  apiKeyId: string | undefined,
  readOnly: boolean,
): Promise<unknown> {
  const [claims, rest] = settingsText(role, claimsJson, attempt, apiKeyId);
  // queued back to back: still one round trip
  return Promise.all([
    connection.unsafe(`begin${readOnly ? ' read only' : ''}`).execute(),
    connection.unsafe(claims).execute(),
    connection.unsafe(rest).execute(),
  ]);
}

// Statements sent before the previous answers arrive; off by default behind the pooler.
function pipelining(): boolean {
  return getDatabaseSettings().pipeline;
}
