import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqlClient, type Sql } from './client.ts';
import { normalizeSql, splitSqlStatements } from './sql-split.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(root, 'supabase/migrations');
export const COMPAT_SCRIPT = path.join(root, 'supabase/compat/supabase-compat.sql');

const FILE_PATTERN = /^(\d{14})_([a-z0-9_]+)\.sql$/;
const LOCK_KEY = 4_711_001; // pg_advisory_lock key: one migrator at a time per database

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
  content: string;
}

export interface MigrateResult {
  compat: 'applied' | 'skipped';
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationDriftError extends Error {
  readonly version: string;
  readonly file: string;
  constructor(version: string, file: string) {
    super(
      `migration ${version} was applied, but ${file} has changed since. Applied migrations ` +
        'must not be edited: restore the file and put the change in a new migration.',
    );
    this.name = 'MigrationDriftError';
    this.version = version;
    this.file = file;
  }
}

// The first version of the baseline that replaced the migrations of 2026-11-25..2026-12-04
// (nothing had been released); a database recording an older version predates it.
export const BASELINE_VERSION = '20261204100100';

export class UnknownMigrationError extends Error {
  readonly versions: string[];
  constructor(versions: string[]) {
    const beforeBaseline = versions.some((v) => v < BASELINE_VERSION);
    super(
      beforeBaseline
        ? `this database was migrated before the 2026-12-04 baseline squash (it records migration ` +
            `${versions.join(', ')}, which no longer exist as files); recreate it: drop and create the ` +
            'database, or for the embedded default delete .data/pglite, then run npm run db:migrate again.'
        : `this database records migration ${versions.join(', ')}, which no file in supabase/migrations ` +
            'has: it was migrated by a newer or another checkout. Use that checkout, or recreate the database.',
    );
    this.name = 'UnknownMigrationError';
    this.versions = versions;
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const file of names) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new Error(`migration file ${file} is not named <14-digit timestamp>_<name>.sql`);
    files.push({ version: match[1]!, name: match[2]!, file, content: await readFile(path.join(dir, file), 'utf8') });
  }
  return files;
}

// Whether the database lacks Supabase's roles or auth functions (plain PostgreSQL, PGlite).
export async function needsCompatScript(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ roles: number; uid: boolean; users: boolean }[]>`
    select
      (select count(*)::int from pg_roles where rolname in ('anon', 'authenticated', 'service_role')) as roles,
      to_regprocedure('auth.uid()') is not null as uid,
      to_regclass('auth.users') is not null as users
  `;
  return !(row && row.roles === 3 && row.uid && row.users);
}

// Applies the compatibility script where needed, then every pending migration in order,
// each in its own transaction, recorded in supabase_migrations.schema_migrations as the
// Supabase CLI records them.
export async function migrate(
  url: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const sql = createSqlClient(url, { max: 1, prepare: false });
  try {
    await sql`select pg_advisory_lock(${LOCK_KEY})`;
    try {
      return await migrateLocked(sql, options.dir ?? MIGRATIONS_DIR, log);
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function migrateLocked(sql: Sql, dir: string, log: (line: string) => void): Promise<MigrateResult> {
  let compat: MigrateResult['compat'] = 'skipped';
  if (await needsCompatScript(sql)) {
    const script = await readFile(COMPAT_SCRIPT, 'utf8');
    await sql.begin((tx) => tx.unsafe(script));
    compat = 'applied';
    log('applied the Supabase compatibility script (roles, auth schema)');
  }

  await sql.unsafe(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text primary key,
      statements text[],
      name text
    );
  `);

  const files = await readMigrations(dir);
  const rows = await sql<{ version: string; statements: string[] | null }[]>`
    select version, statements from supabase_migrations.schema_migrations
  `;
  const recorded = new Map(rows.map((r) => [r.version, r.statements ?? []]));

  const known = new Set(files.map((f) => f.version));
  const unknown = [...recorded.keys()].filter((v) => !known.has(v)).sort();
  if (unknown.length > 0) throw new UnknownMigrationError(unknown);

  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const migration of files) {
    const statements = recorded.get(migration.version);
    if (statements) {
      if (normalizeSql(statements.join('\n')) !== normalizeSql(migration.content)) {
        throw new MigrationDriftError(migration.version, migration.file);
      }
      alreadyApplied.push(migration.version);
    }
  }
  for (const migration of files) {
    if (recorded.has(migration.version)) continue;
    const statements = splitSqlStatements(migration.content);
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe(migration.content);
        await tx`
          insert into supabase_migrations.schema_migrations (version, statements, name)
          values (${migration.version}, ${statements}, ${migration.name})
        `;
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`migration ${migration.file} failed and was rolled back: ${message}`, { cause: error });
    }
    applied.push(migration.version);
    log(`applied ${migration.file}`);
  }
  return { compat, applied, alreadyApplied };
}
