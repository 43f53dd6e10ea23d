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
  if (!claims || !ALLOWED_ROLES.has(claims.role)) {
    throw new Error(`withUserScope: role must be "authenticated" or "anon", got ${JSON.stringify(claims?.role)}`);
  }
  if (claims.role === 'authenticated' && !claims.sub && !claims.api_key_id) {
    throw new Error('withUserScope: authenticated claims need a sub or an api_key_id');
  }
  return runScoped(sql, claims.role, JSON.stringify(claims), fn);
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

async function runScoped<T>(
  sql: Sql,
  role: string,
  claimsJson: string,
  fn: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`
      select set_config('role', ${role}, true),
             set_config('request.jwt.claims', ${claimsJson}, true),
             set_config('statement_timeout', ${String(statementTimeoutMs())}, true)
    `;
    return fn(tx);
  })) as T;
}
