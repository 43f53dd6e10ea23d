import { randomBytes } from 'node:crypto';
import { createSqlClient, type Sql } from '../../lib/db/client.ts';
import { startEmbeddedDatabase } from '../../lib/db/embedded.ts';
import { migrate, type MigrateResult } from '../../lib/db/migrate.ts';

export type Engine = 'postgres' | 'pglite';
export const ENGINES: Engine[] = ['postgres', 'pglite'];

export interface TestDatabase {
  engine: Engine;
  url: string;
  // superuser connection: fixtures and assertions that look past RLS
  sql: Sql;
  migration: MigrateResult;
  close(): Promise<void>;
}

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// Tests create and drop databases: never let them near anything but a local server.
function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`refusing to run tests against non-local database host ${host}`);
  }
}

export async function createTestDatabase(
  engine: Engine,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  return engine === 'postgres' ? createPostgresDatabase(options) : createPgliteDatabase(options);
}

async function createPostgresDatabase(options: { migrate?: boolean }): Promise<TestDatabase> {
  assertLocal(ADMIN_URL);
  const name = `optiscope_test_${randomBytes(6).toString('hex')}`;
  const admin = createSqlClient(ADMIN_URL, { max: 1 });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const migration = options.migrate === false ? emptyResult() : await migrate(url.toString());
  const sql = createSqlClient(url.toString(), { max: 4 });
  return {
    engine: 'postgres',
    url: url.toString(),
    sql,
    migration,
    async close() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

async function createPgliteDatabase(options: { migrate?: boolean }): Promise<TestDatabase> {
  const embedded = await startEmbeddedDatabase({ dataDir: 'memory://', port: 0 });
  const migration = options.migrate === false ? emptyResult() : await migrate(embedded.url);
  const sql = createSqlClient(embedded.url, { max: 4 });
  return {
    engine: 'pglite',
    url: embedded.url,
    sql,
    migration,
    async close() {
      await sql.end({ timeout: 5 });
      await embedded.stop();
    },
  };
}

function emptyResult(): MigrateResult {
  return { compat: 'skipped', applied: [], alreadyApplied: [] };
}
