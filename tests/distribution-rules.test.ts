import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLOCATE_WITH, DISTRIBUTION_COLUMN, REFERENCE_TABLES } from '../lib/db/distribution.ts';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';

// The rules a schema distributed by project_id (Citus) needs, read from the catalogs of a
// freshly migrated plain PostgreSQL database.
describe('distribution rules', () => {
  let db: TestDatabase;
  let owned: string[];
  const reference = new Set<string>(REFERENCE_TABLES);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const rows = await db.sql<{ name: string }[]>`
      select format('%s.%s', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('public', 'private')
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN} and not a.attisdropped)
      order by 1
    `;
    owned = rows.map((r) => r.name).filter((name) => !reference.has(name));
  });
  afterAll(async () => {
    await db.close();
  });

  it('finds the project-owned tables', () => {
    expect(owned).toContain('public.optimization_runs');
    expect(owned).toContain('private.run_counts');
    expect(owned).not.toContain('public.api_keys');
  });

  it('every primary key, unique constraint and unique index of a project-owned table includes project_id', async () => {
    const rows = await db.sql<{ table: string; index: string }[]>`
      select format('%s.%s', n.nspname, c.relname) as table, i.indexrelid::regclass::text as index
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      where i.indisunique
        and format('%s.%s', n.nspname, c.relname) = any (${owned})
        and not exists (
          select 1 from pg_attribute a
          where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN} and a.attnum = any (i.indkey::smallint[])
        )
    `;
    expect(rows).toEqual([]);
  });

  it('every foreign key between project-owned tables names project_id on both sides, at the same position', async () => {
    const rows = await db.sql<{ name: string }[]>`
      select k.conname as name
      from pg_constraint k
      where k.contype = 'f'
        and k.conrelid::regclass::text in (select unnest(${owned.map((t) => t.replace(/^public\./, ''))}::text[]))
        and k.confrelid::regclass::text in (select unnest(${owned.map((t) => t.replace(/^public\./, ''))}::text[]))
        and not exists (
          select 1 from unnest(k.conkey, k.confkey) as p(src, dst)
          join pg_attribute s on s.attrelid = k.conrelid and s.attnum = p.src
          join pg_attribute d on d.attrelid = k.confrelid and d.attnum = p.dst
          where s.attname = ${DISTRIBUTION_COLUMN} and d.attname = ${DISTRIBUTION_COLUMN}
        )
    `;
    expect(rows).toEqual([]);
    const [count] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_constraint k
      where k.contype = 'f' and k.confrelid = 'public.optimization_runs'::regclass
    `;
    expect(count!.n).toBeGreaterThan(5);
  });

  it('no policy expression contains a sub-select', async () => {
    const rows = await db.sql<{ policy: string }[]>`
      select format('%s.%s: %s', schemaname, tablename, policyname) as policy
      from pg_policies
      where coalesce(qual, '') ~* '\\mselect\\M' or coalesce(with_check, '') ~* '\\mselect\\M'
    `;
    expect(rows).toEqual([]);
    const [count] = await db.sql<{ n: number }[]>`select count(*)::int as n from pg_policies`;
    expect(count!.n).toBeGreaterThan(30);
  });

  it('no SQL-language function reads a project-owned table', async () => {
    const rows = await db.sql<{ fn: string; src: string }[]>`
      select p.oid::regprocedure::text as fn, p.prosrc as src
      from pg_proc p join pg_language l on l.oid = p.prolang join pg_namespace n on n.oid = p.pronamespace
      where l.lanname = 'sql' and n.nspname in ('public', 'private')
    `;
    const names = owned.map((t) => t.split('.')[1]!);
    const offending = rows.filter((r) => names.some((name) => new RegExp(`\\b${name}\\b`).test(r.src))).map((r) => r.fn);
    expect(offending).toEqual([]);
  });

  it('no trigger function calls pg_notify or LISTEN', async () => {
    const rows = await db.sql<{ fn: string }[]>`
      select distinct t.tgfoid::regprocedure::text as fn
      from pg_trigger t join pg_proc p on p.oid = t.tgfoid
      where not t.tgisinternal and (p.prosrc ~* 'pg_notify' or p.prosrc ~* '\\mlisten\\M')
    `;
    expect(rows).toEqual([]);
  });

  // A trigger on a reference table fires on every node's copy: one that writes a row fails
  // ("the backend has already been assigned a transaction id"), one that computes a value
  // (now()) leaves the copies different. Only pure guards are allowed: they read nothing but
  // NEW and OLD (no query, no call, no assignment) and raise.
  const PURE_GUARDS = [
    'public.api_keys: trigger_guard_api_keys -> private.guard_api_keys()',
    'public.project_members: trigger_guard_project_members -> private.guard_project_members()',
  ];

  it('no trigger on a reference table but the pure guards', async () => {
    const rows = await db.sql<{ trigger: string; src: string; definer: boolean }[]>`
      select format('%s.%s: %s -> %s', n.nspname, c.relname, t.tgname, t.tgfoid::regprocedure) as trigger,
             p.prosrc as src, p.prosecdef as definer
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_proc p on p.oid = t.tgfoid
      where not t.tgisinternal and format('%s.%s', n.nspname, c.relname) = any (${[...reference]})
      order by 1
    `;
    expect(rows.map((r) => r.trigger)).toEqual(PURE_GUARDS);
    for (const row of rows) {
      // string literals (the error messages) removed first: only the code is checked
      const code = row.src.replace(/'(?:[^']|'')*'/g, "''");
      expect({ trigger: row.trigger, definer: row.definer, query: /\b(select|insert|update|delete|perform|execute|into)\b/i.test(code), call: /\w\s*\(/.test(code), assigns: /:=/.test(code) })
        .toEqual({ trigger: row.trigger, definer: false, query: false, call: false, assigns: false });
    }
  });

  it('supabase/citus/distribute.sql names every project-owned and reference table exactly once', async () => {
    const text = await readFile(path.resolve(import.meta.dirname, '../supabase/citus/distribute.sql'), 'utf8');
    const statements = text.split('\n').filter((line) => !line.startsWith('--'));
    const refs = [...statements.join('\n').matchAll(/create_reference_table\('([^']+)'\)/g)].map((m) => m[1]!);
    const distributed = [...statements.join('\n').matchAll(/create_distributed_table\('([^']+)', '([^']+)'(?:, colocate_with => '([^']+)')?\)/g)];
    expect(refs.sort()).toEqual([...REFERENCE_TABLES].sort());
    expect(distributed.map((m) => m[1]!).sort()).toEqual([...owned].sort());
    for (const m of distributed) {
      expect(m[2]).toBe(DISTRIBUTION_COLUMN);
      if (m[1] !== COLOCATE_WITH) expect(m[3]).toBe(COLOCATE_WITH);
    }
    expect(distributed[0]![1]).toBe(COLOCATE_WITH);
    // the foreign keys are saved, dropped and re-added around the create_* calls, with triggers allowed
    const body = statements.join('\n');
    const save = body.indexOf('pg_get_constraintdef');
    const restore = body.indexOf('add constraint');
    expect(save).toBeGreaterThan(-1);
    expect(save).toBeLessThan(body.indexOf('create_reference_table('));
    expect(restore).toBeGreaterThan(body.lastIndexOf('create_distributed_table('));
    expect(body).toMatch(/set citus\.enable_unsafe_triggers = on/);
  });
});
