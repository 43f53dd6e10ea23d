import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../lib/db/client.ts';
import { withUserScope, withUserScopeStatements, type Claims } from '../lib/db/scope.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';

// withUserScope sends BEGIN and the request's settings as one message with the values
// spliced in: they must arrive exactly as given, whatever they hold, and end with the
// transaction.
describe.each(ENGINES)('withUserScope settings on %s', (engine) => {
  let db: TestDatabase;
  let sql: Sql;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    sql = db.sql;
  });

  afterAll(async () => {
    await db?.close();
  });

  const awkward: Claims = {
    role: 'authenticated',
    sub: '0b9c3f7e-8f5e-4b0a-9a53-3c2f0e6a1d11',
    email: "o'brien\\'; drop table project_config; --@example.test",
    note: 'back\\slash \\\\ two, quote \' and "double", E\'\\x41\', newline\n, tab\t, ünïcødé 🚀, $$dollar$$',
  };

  it('claims reach auth.jwt() unchanged, quotes and backslashes included', async () => {
    const [[row]] = await withUserScopeStatements(awkward, (tx) => [
      tx<{ claims: Claims; uid: string; role: string }[]>`
        select auth.jwt() as claims, auth.uid()::text as uid, current_user::text as role
      `,
    ], sql);
    expect(row).toEqual({ claims: awkward, uid: awkward.sub, role: 'authenticated' });
    const [inFn] = await withUserScope(awkward, (tx) => tx<{ claims: Claims }[]>`select auth.jwt() as claims`, sql);
    expect(inFn!.claims).toEqual(awkward);
    const [tables] = await sql<{ n: number }[]>`select count(*)::int as n from pg_tables where tablename = 'project_config'`;
    expect(tables!.n).toBe(1);
  });

  it('the role, claims and timeout end with the transaction', async () => {
    await withUserScope(awkward, (tx) => tx`select 1`, sql);
    const reserved = await sql.reserve();
    try {
      const [row] = await reserved<{ role: string; claims: string | null }[]>`
        select current_user::text as role, nullif(current_setting('request.jwt.claims', true), '') as claims
      `;
      expect(row).toEqual({ role: expect.not.stringMatching(/^(authenticated|anon)$/), claims: null });
    } finally {
      reserved.release();
    }
  });

  it('refuses a role it does not know and an API key id that is not a UUID, before sending anything', async () => {
    await expect(withUserScope({ role: 'postgres' } as unknown as Claims, (tx) => tx`select 1`, sql)).rejects.toThrow(/role must be/);
    await expect(
      withUserScopeStatements({ role: 'authenticated', api_key_id: "x'; select pg_sleep(10); --" }, (tx) => [tx`select 1`], sql),
    ).rejects.toThrow(/api_key_id must be a UUID/);
  });
});
