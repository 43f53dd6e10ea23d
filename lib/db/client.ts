import postgres from 'postgres';
import { getDatabaseSettings } from '../config/index.ts';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
export type ReservedSql = postgres.ReservedSql;

export interface ClientOptions {
  max?: number;
  prepare?: boolean;
  idleTimeoutSeconds?: number;
  // sees every statement with its parameters (tests that check what the data layer sends)
  debug?: (connection: number, query: string, parameters: unknown[]) => void;
}

// NUMERIC and BIGINT arrive as numbers: every value this schema stores fits a double exactly
// enough (4–6 decimals, < 2^53). TIMESTAMPTZ arrives as the ISO string the API returns,
// without a Date in between (a list's costliest column, bench/RESULTS.md).
const types = {
  numeric: { to: 1700, from: [1700], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) },
  int8: { to: 20, from: [20], serialize: (x: unknown) => String(x), parse: (x: string) => Number(x) },
  timestamptz: {
    to: 1184,
    from: [1184],
    serialize: (x: unknown) => (x instanceof Date ? x : new Date(x as string)).toISOString(),
    parse: isoTimestamp,
  },
};

// PostgreSQL's output with TimeZone UTC and DateStyle ISO (Supabase's and PostgreSQL's
// defaults): '2026-03-14 09:26:53.589793+00'.
const UTC_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

// TIMESTAMPTZ text as Date#toISOString would print it (fractions beyond milliseconds are
// cut, as Date does). Other offsets and years past 9999 go through Date; what Date
// cannot read ('infinity', BC dates) stays as PostgreSQL wrote it.
export function isoTimestamp(text: string): string {
  const m = UTC_TIMESTAMP.exec(text);
  if (m) return `${m[1]}T${m[2]}.${((m[3] ?? '') + '000').slice(0, 3)}Z`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

export function createSqlClient(url: string, options: ClientOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    prepare: options.prepare ?? true,
    idle_timeout: options.idleTimeoutSeconds ?? 30,
    connect_timeout: getDatabaseSettings().connectTimeoutMs / 1000,
    onnotice: () => {},
    types,
    connection: { application_name: 'optiscope' },
    ...(options.debug ? { debug: options.debug } : {}),
  }) as unknown as Sql;
}

let shared: Sql | undefined;
// pools given up after a connection failure (they end in the background), each with a
// way to tell those waiting for one of its connections
const retired = new WeakSet<Sql>();
const retirements = new WeakMap<Sql, { promise: Promise<void>; resolve: () => void }>();

export function databaseUrl(): string {
  const url = getDatabaseSettings().url;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Start Optiscope with `npm start` (it runs the embedded ' +
        'database for you) or set DATABASE_URL to a PostgreSQL connection string.',
    );
  }
  return url;
}

// The embedded PGlite runs one backend: its socket server queues every connection's work
// anyway, and connections opening at the same moment can interleave their start-up
// queries (pglite-socket 0.2), so the app talks to it over a single connection.
export function isEmbeddedDatabase(): boolean {
  return getDatabaseSettings().embedded;
}

// One client (pool) per process; Supabase's transaction pooler needs DATABASE_PREPARE=false.
export function getSql(): Sql {
  if (!shared) {
    const settings = getDatabaseSettings();
    shared = createSqlClient(databaseUrl(), {
      max: settings.embedded ? 1 : settings.poolMax,
      prepare: settings.prepare,
    });
  }
  return shared;
}

// The pool to run on instead of `sql` once `sql` was retired (the shared pool's successor).
export function livePool(sql: Sql): Sql {
  return retired.has(sql) ? getSql() : sql;
}

// Settles when `sql` is retired: a connection it still owes would come only at its end.
export function whenRetired(sql: Sql): Promise<void> {
  if (retired.has(sql)) return Promise.resolve();
  let entry = retirements.get(sql);
  if (!entry) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    entry = { promise, resolve };
    retirements.set(sql, entry);
  }
  return entry.promise;
}

// Gives up the shared pool after a connection failure and returns its successor:
// postgres.js 3.4 can wedge a pool whose server restarted (a write buffered on a closed
// socket is never sent, porsager/postgres#1208; reserve() then waited forever here).
// The old pool finishes what runs on it and ends; pools callers made (tests) are kept.
export function retirePool(sql: Sql): Sql {
  if (sql !== shared) return livePool(sql);
  shared = undefined;
  retired.add(sql);
  retirements.get(sql)?.resolve();
  void sql.end({ timeout: getDatabaseSettings().requestTimeoutMs / 1000 }).catch(() => {});
  return getSql();
}

export async function closeSql(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.end({ timeout: 5 });
}
