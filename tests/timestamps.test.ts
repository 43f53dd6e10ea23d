import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoTimestamp } from '../lib/db/client.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';

// TIMESTAMPTZ values arrive as ISO strings (lib/db/client.ts). Each value is read twice in
// one query, as TIMESTAMPTZ and as PostgreSQL's own text, and Date is the reference for the
// string the parser must make of that text.
const VALUES = [
  '2026-11-25 10:00:00+00',
  '2026-11-25 10:00:00.1+00',
  '2026-11-25 10:00:00.12+00',
  '2026-11-25 10:00:00.123+00',
  '2026-11-25 10:00:00.1234+00',
  '2026-11-25 10:00:00.123456+00',
  '2026-11-25 10:00:00.999999+00',
  '1999-12-31 23:59:59.5+00',
  '9999-12-31 23:59:59.999999+00',
];

describe.each(ENGINES)('timestamps (%s)', (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(engine, { migrate: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reads TIMESTAMPTZ as the ISO string Date#toISOString prints', async () => {
    const rows = await db.sql<{ at: string; text: string }[]>`
      select v::timestamptz as at, v::timestamptz::text as text from unnest(${VALUES}::text[]) as v`;
    expect(rows).toHaveLength(VALUES.length);
    for (const row of rows) {
      expect(typeof row.at).toBe('string');
      expect(row.at).toBe(new Date(row.text).toISOString());
    }
    expect(rows[5]!.at).toBe('2026-11-25T10:00:00.123Z');
  });

  it('reads years before 1000 right, where Date reads PostgreSQL\'s text of them wrong', async () => {
    const [row] = await db.sql<{ at: string; text: string }[]>`select '0001-01-01 00:00:00+00'::timestamptz as at, '0001-01-01 00:00:00+00'::timestamptz::text as text`;
    expect(row!.at).toBe('0001-01-01T00:00:00.000Z');
    // Date takes the year for 2001
    expect(new Date(row!.text).toISOString()).toBe('2001-01-01T00:00:00.000Z');
  });

  it('reads values of a session in another time zone the same way', async () => {
    const rows = await db.sql.begin(async (tx) => {
      await tx`set local time zone 'Asia/Kolkata'`;
      return tx<{ at: string; text: string }[]>`
        select v::timestamptz as at, v::timestamptz::text as text from unnest(${VALUES.slice(0, 6)}::text[]) as v`;
    });
    for (const [i, row] of rows.entries()) {
      expect(row.text).toMatch(/\+05:30$/);
      expect(row.at).toBe(new Date(VALUES[i]!.replace(' ', 'T').replace('+00', 'Z')).toISOString());
    }
  });

  it('keeps what Date cannot read as PostgreSQL wrote it, and writes ISO strings and Dates back', async () => {
    const [row] = await db.sql<{ inf: string; neg: string }[]>`
      select 'infinity'::timestamptz as inf, '-infinity'::timestamptz as neg`;
    expect(row).toEqual({ inf: 'infinity', neg: '-infinity' });
    const at = '2026-11-25T10:00:00.123Z';
    const [back] = await db.sql<{ a: string; b: string }[]>`
      select ${at}::timestamptz as a, ${new Date(at)}::timestamptz as b`;
    expect(back).toEqual({ a: at, b: at });
  });
});

describe('isoTimestamp', () => {
  it('cuts fractions to milliseconds as Date does, and leaves unreadable text alone', () => {
    expect(isoTimestamp('2026-11-25 10:00:00.987654+00')).toBe('2026-11-25T10:00:00.987Z');
    expect(isoTimestamp('2026-11-25 10:00:00+00')).toBe('2026-11-25T10:00:00.000Z');
    expect(isoTimestamp('2026-11-25 15:30:00.5+05:30')).toBe('2026-11-25T10:00:00.500Z');
    expect(isoTimestamp('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});
