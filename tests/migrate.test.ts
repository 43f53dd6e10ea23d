import { mkdtemp, readFile, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlClient } from '../lib/db/client.ts';
import { BASELINE_VERSION, MIGRATIONS_DIR, migrate, MigrationDriftError, readMigrations, UnknownMigrationError } from '../lib/db/migrate.ts';
import { createTestDatabase, ENGINES, type TestDatabase } from './helpers/databases.ts';

describe.each(ENGINES)('migrator on %s', (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(engine, { migrate: false });
  });
  afterAll(async () => {
    await db.close();
  });

  it('migrates an empty database, recording every migration as the Supabase CLI does', async () => {
    const files = await readMigrations();
    const first = await migrate(db.url);
    expect(first.applied).toEqual(files.map((f) => f.version));
    expect(first.alreadyApplied).toEqual([]);
    const rows = await db.sql<{ version: string; name: string; statements: string[] }[]>`
      select version, name, statements from supabase_migrations.schema_migrations order by version
    `;
    expect(rows.map((r) => [r.version, r.name])).toEqual(files.map((f) => [f.version, f.name]));
    for (const row of rows) expect(row.statements.length).toBeGreaterThan(0);
  });

  it('is a no-op the second time, and skips the compatibility script where the roles exist', async () => {
    const second = await migrate(db.url);
    expect(second.compat).toBe('skipped');
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.length).toBe((await readMigrations()).length);
  });

  it('refuses to go on when an applied migration file changed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'optiscope-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    const file = path.join(dir, first!.file);
    await writeFile(file, (await readFile(file, 'utf8')) + '\ncreate table public.sneaky (id int);\n');
    await expect(migrate(db.url, { dir })).rejects.toBeInstanceOf(MigrationDriftError);
    const [sneaky] = await db.sql`select to_regclass('public.sneaky') as t`;
    expect(sneaky!.t).toBeNull();
  });

  it('applies a new migration and nothing else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'optiscope-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, '29991231000000_extra_table.sql'), 'create table public.extra_table (id int);\n');
    const result = await migrate(db.url, { dir });
    expect(result.applied).toEqual(['29991231000000']);
    const [row] = await db.sql`select to_regclass('public.extra_table') as t`;
    expect(row!.t).toBe('extra_table');
  });

  it('refuses a database that records a migration no file has, naming the fix', async () => {
    // the extra migration of the test before is recorded but not in supabase/migrations
    const newer = await migrate(db.url).catch((error: unknown) => error);
    expect(newer).toBeInstanceOf(UnknownMigrationError);
    expect((newer as UnknownMigrationError).versions).toEqual(['29991231000000']);
    expect((newer as Error).message).toMatch(/newer or another checkout/);

    // a database migrated by the chain the 2026-12-04 baseline replaced
    await db.sql`
      insert into supabase_migrations.schema_migrations (version, statements, name)
      values ('20261125000100', array['select 1'], 'tenancy')
    `;
    const old = await migrate(db.url).catch((error: unknown) => error);
    expect(old).toBeInstanceOf(UnknownMigrationError);
    expect((old as Error).message).toMatch(/migrated before the 2026-12-04 baseline squash.*recreate it.*delete \.data\/pglite/);
    expect((old as UnknownMigrationError).versions).toEqual(['20261125000100', '29991231000000']);
    const [tables] = await db.sql`select count(*)::int as n from supabase_migrations.schema_migrations`;
    expect(tables!.n).toBe((await readMigrations()).length + 2);

    await db.sql`delete from supabase_migrations.schema_migrations where version in ('20261125000100', '29991231000000')`;
    await db.sql`drop table public.extra_table`;
  });

  it('rolls back with supabase/rollback.sql and migrates again from there', async () => {
    const rollback = await readFile(path.join(MIGRATIONS_DIR, '../rollback.sql'), 'utf8');
    const single = createSqlClient(db.url, { max: 1 });
    await single.unsafe(rollback);
    await single.end();
    const [gone] = await db.sql`
      select to_regclass('public.optimization_runs') as runs, to_regclass('public.project_config') as projects,
             (select count(*)::int from supabase_migrations.schema_migrations where version < '2999') as recorded
    `;
    expect(gone).toEqual({ runs: null, projects: null, recorded: 0 });
    const again = await migrate(db.url);
    expect(again.applied).toEqual((await readMigrations()).map((f) => f.version));
    const [back] = await db.sql`select to_regclass('public.optimization_runs') as runs`;
    expect(back!.runs).toBe('optimization_runs');
  });

  it('starts from the one baseline', async () => {
    const files = await readMigrations();
    expect(files[0]!.version).toBe(BASELINE_VERSION);
    expect(files.every((f) => f.version >= BASELINE_VERSION)).toBe(true);
  });

  it('rolls back a failing migration whole and does not record it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'optiscope-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, '29991231000000_extra_table.sql'), 'create table public.extra_table (id int);\n');
    await writeFile(
      path.join(dir, '29991231000001_broken.sql'),
      'create table public.half_done (id int);\nselect * from no_such_table;\n',
    );
    await expect(migrate(db.url, { dir })).rejects.toThrow(/29991231000001_broken\.sql failed.*no_such_table/);
    const [row] = await db.sql`
      select to_regclass('public.half_done') as t,
             exists (select 1 from supabase_migrations.schema_migrations where version = '29991231000001') as recorded
    `;
    expect(row!.t).toBeNull();
    expect(row!.recorded).toBe(false);
  });
});
