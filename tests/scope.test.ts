import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { Sql, TransactionSql } from '../lib/db/client.ts';
import { quoteLiteral, withUserScope, withUserScopeStatements, type Claims } from '../lib/db/scope.ts';
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

  it('quoteLiteral gives back any text as PostgreSQL reads it, and refuses NUL', async () => {
    const texts = ["o'brien", "''", '\\', "\\'", "E'\\x41'", 'ünïcødé 🚀 中文', '$$x$$', 'line\nbreak', '', String(awkward.note)];
    for (const text of texts) {
      const [row] = await sql.unsafe<{ t: string }[]>(`select ${quoteLiteral(text)}::text as t`);
      expect(row!.t).toBe(text);
    }
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });

  it('the claims are set with SET LOCAL alone in its message (Citus passes the message on to its workers), on both ways a transaction starts', async () => {
    const sent: string[] = [];
    // the statements' text as the driver sends it: the server's log is not ours to read
    const watched = postgres(db.url, { max: 1, onnotice: () => {}, debug: (_connection, query) => sent.push(query) }) as unknown as Sql;
    try {
      const read = (tx: TransactionSql) => tx<{ claims: string }[]>`select current_setting('request.jwt.claims') as claims`;
      const [[viaStatements]] = await withUserScopeStatements(awkward, (tx) => [read(tx)], watched);
      const [viaScope] = await withUserScope(awkward, (tx) => read(tx), watched);
      expect([viaStatements!.claims, viaScope!.claims]).toEqual([JSON.stringify(awkward), JSON.stringify(awkward)]);
      const prologues = sent.filter((text) => text.includes('request.jwt.claims') && !text.includes('current_setting'));
      expect(prologues).toHaveLength(2);
      for (const text of prologues) {
        // nothing else in the message: Citus would run it on every worker too
        expect(text).toBe(`set local request.jwt.claims = ${quoteLiteral(JSON.stringify(awkward))}`);
        expect(text).not.toMatch(/set_config\('request\.jwt\.claims'/);
      }
    } finally {
      await watched.end({ timeout: 5 });
    }
  });
});
