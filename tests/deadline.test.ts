import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineError, isDatabaseUnavailable, withRequestDeadline } from '../lib/db/availability.ts';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { withServiceScope, withServiceScopeStatements } from '../lib/db/scope.ts';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';

// A request's deadline covers the wait for a pooled connection, and a transaction that
// outlives it is rolled back, never committed after the request was answered 503.
// (Read once per process by lib/config: set before the first transaction.)
process.env.DB_CONNECT_TIMEOUT_MS = '500';
process.env.DB_STATEMENT_TIMEOUT_MS = '500';
process.env.DB_REQUEST_TIMEOUT_MS = '1000';

describe('the request deadline', () => {
  let db: TestDatabase;
  // one connection, so a second transaction has to wait for it
  let pool: Sql;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    await db.sql`create table deadline_probe (n int)`;
    await db.sql`grant all on deadline_probe to service_role`;
    pool = createSqlClient(db.url, { max: 1 });
  });

  afterAll(async () => {
    await pool?.end({ timeout: 5 });
    await db?.close();
  });

  it('bounds the wait for a pooled connection and rolls back a transaction that outlives it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // holds the pool's one connection, mid-transaction, past the deadline
    const holder = withRequestDeadline(() =>
      withServiceScope('deadline test: hold', async (tx) => {
        await tx`insert into deadline_probe values (1)`;
        await gate;
      }, pool),
    ).then(() => null, (error: unknown) => error);
    const waiter = withRequestDeadline(() =>
      withServiceScopeStatements('deadline test: wait', (tx) => [tx`select 1`], pool),
    ).then(() => null, (error: unknown) => error);

    const waited = await waiter;
    expect(waited).toBeInstanceOf(DeadlineError);
    expect((waited as Error).message).toMatch(/waiting for a connection/);
    const held = await holder;
    expect(held).toBeInstanceOf(DeadlineError);
    expect(isDatabaseUnavailable(held)).toBe(true);

    open(); // the held transaction goes on, sees that its request gave up, and rolls back
    const [[row]] = await withServiceScopeStatements('deadline test: count', (tx) => [
      tx<{ n: number }[]>`select count(*)::int as n from deadline_probe`,
    ], pool);
    expect(row!.n).toBe(0);
  });
});
