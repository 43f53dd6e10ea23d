import { afterAll, beforeAll, expect, vi } from 'vitest';
import type { Claims } from '../../lib/db/scope.ts';
import { userScope, type Scope } from '../../lib/supabase-optimization/index.ts';
import { createTestDatabase, type Engine, type TestDatabase } from '../helpers/databases.ts';
import type { TestUser } from '../helpers/fixtures.ts';

// Creating and migrating a PGlite database takes seconds on a busy machine; so can a
// 5,000-row batch. Set here as well so these files do not depend on the project config.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

// A fresh migrated database for the enclosing describe block; read it inside tests/hooks.
export function useDatabase(engine: Engine): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    await warmPool(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('database not ready');
    return db;
  };
}

// Opens every pooled connection one at a time. pglite-socket serializes transactions but
// not the queries postgres.js sends outside one when a connection starts (its type
// lookup): connections opened concurrently can fail with 'portal "" does not exist'.
// Call before a test that runs calls concurrently.
export async function warmPool(db: TestDatabase, size = 4): Promise<void> {
  const reserved = [];
  for (let i = 0; i < size; i++) reserved.push(await db.sql.reserve());
  for (const connection of reserved) connection.release();
}

function isTestUser(who: TestUser | Claims): who is TestUser {
  return typeof (who as TestUser).id === 'string' && typeof (who as TestUser).claims === 'object';
}

export function scopeOf(db: TestDatabase, who: TestUser | Claims): Scope {
  return userScope(isTestUser(who) ? who.claims : who, db.sql);
}

// Analytics refreshes with no minimum interval: tests that refresh several times in a row
// (the throttle itself is tested in read-models.test.ts)
export const NO_INTERVAL = { minIntervalSeconds: 0 };

export function apiKeyClaims(apiKeyId: string): Claims {
  return { role: 'authenticated', api_key_id: apiKeyId };
}

// Resolves to the error the call rejected with, after checking its class.
export async function rejection<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`expected a ${type.name}, but the call succeeded with ${JSON.stringify(outcome.value)?.slice(0, 300)}`);
  expect(outcome.error, String(outcome.error)).toBeInstanceOf(type);
  return outcome.error as E;
}

export async function count(db: TestDatabase, table: string, where = 'true'): Promise<number> {
  const [row] = await db.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table} where ${where}`);
  return row!.n;
}
