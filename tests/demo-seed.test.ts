import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../lib/auth/api-key.ts';
import { DEMO_PROJECT_IDS, seedDemoData } from '../lib/demo/index.ts';
import { createTestDatabase, type TestDatabase } from './helpers/databases.ts';
import { createProject, createUser } from './helpers/fixtures.ts';

// The demo seeder (npm start seeds a first start; npm run db:seed on demand) on real
// PostgreSQL: a fresh database each, as the cases differ in what is there before.

const NOW = new Date('2026-11-20T12:00:00Z');
const dir = mkdtempSync(path.join(tmpdir(), 'optiscope-seed-'));
const keyFile = (name: string) => path.join(dir, name);
const databases: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase('postgres');
  databases.push(db);
  return db;
}

async function counts(db: TestDatabase) {
  const [row] = await db.sql<{ projects: number; runs: number; iterations: number; samples: number; keys: number }[]>`
    select (select count(*)::int from project_config) as projects,
           (select count(*)::int from optimization_runs) as runs,
           (select count(*)::int from optimization_iterations) as iterations,
           (select count(*)::int from optimization_samples) as samples,
           (select count(*)::int from api_keys) as keys`;
  return row!;
}

afterAll(async () => {
  for (const db of databases) await db.close();
});

describe('seeding an empty database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });

  it('adds the demo projects, their runs and one working key, and writes the key 0600', async () => {
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: keyFile('first') });
    if (!result.seeded) throw new Error(`not seeded: ${JSON.stringify(result)}`);
    const rows = await db.sql`select id from project_config order by id`;
    expect(rows.map((r) => r.id)).toEqual([...DEMO_PROJECT_IDS].sort());
    expect(await counts(db)).toEqual({
      projects: DEMO_PROJECT_IDS.length,
      runs: result.counts.runs,
      iterations: result.counts.iterations,
      samples: result.counts.samples,
      keys: 1,
    });
    expect(result.counts.runs).toBeGreaterThan(0);
    const written = readFileSync(keyFile('first'), 'utf8').trim();
    expect(written).toBe(result.apiKey);
    expect(statSync(keyFile('first')).mode & 0o777).toBe(0o600);
    const [key] = await db.sql`select revoked_at from api_keys where key_hash = ${hashApiKey(result.apiKey)}`;
    expect(key).toEqual({ revoked_at: null });
  });

  it('seeding twice adds nothing and keeps the key file', async () => {
    const before = await counts(db);
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: keyFile('first') });
    expect(again).toEqual({ seeded: false, reason: 'demo-present', existing: [...DEMO_PROJECT_IDS].sort() });
    expect(await counts(db)).toEqual(before);
    const [key] = await db.sql`select count(*)::int as n from api_keys where key_hash = ${hashApiKey(readFileSync(keyFile('first'), 'utf8').trim())}`;
    expect(key!.n).toBe(1);
  });

  it('two seeders at once seed once', async () => {
    const other = await freshDatabase();
    const results = await Promise.all([
      seedDemoData(other.sql, { now: NOW, apiKeyFile: null }),
      seedDemoData(other.sql, { now: NOW, apiKeyFile: null }),
    ]);
    expect(results.map((r) => r.seeded).sort()).toEqual([false, true]);
    expect((await counts(other)).keys).toBe(1);
  });
});

describe('a database with a project of its own', () => {
  it('a first start (onlyIfEmpty) leaves it alone', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    await createProject(db.sql, 'my-project', [[user, 'owner']]);
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true });
    expect(result).toEqual({ seeded: false, reason: 'not-empty', existing: [] });
    expect((await counts(db)).projects).toBe(1);
  });

  it('npm run db:seed adds the demo beside it, leaving it as it was', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    await createProject(db.sql, 'my-project', [[user, 'owner']]);
    const [before] = await db.sql`select * from project_config where id = 'my-project'`;
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(result.seeded).toBe(true);
    expect((await counts(db)).projects).toBe(DEMO_PROJECT_IDS.length + 1);
    expect((await db.sql`select * from project_config where id = 'my-project'`)[0]).toEqual(before);
    expect(await db.sql`select user_id, role from project_members where project_id = 'my-project'`).toEqual([{ user_id: user.id, role: 'owner' }]);
  });

  it('a project of a user that has a demo project id is not overwritten', async () => {
    const db = await freshDatabase();
    const user = await createUser(db.sql, 'seed-owner');
    const taken = DEMO_PROJECT_IDS[0]!;
    await createProject(db.sql, taken, [[user, 'owner']]);
    const result = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(result).toEqual({ seeded: false, reason: 'demo-present', existing: [taken] });
    expect(await counts(db)).toMatchObject({ projects: 1, runs: 0, keys: 0 });
  });
});

describe('demo projects the user deleted', () => {
  it('stay deleted on the next start, even with no project left', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true })).seeded).toBe(true);
    await db.sql`delete from project_config where id = any (${DEMO_PROJECT_IDS})`;
    expect(await counts(db)).toEqual({ projects: 0, runs: 0, iterations: 0, samples: 0, keys: 0 });
    const restart = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null, onlyIfEmpty: true });
    expect(restart).toEqual({ seeded: false, reason: 'seeded-before', existing: [] });
    expect((await counts(db)).projects).toBe(0);
  });

  it('one deleted of several stays deleted; the others are left as they are', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null })).seeded).toBe(true);
    const [gone, ...kept] = DEMO_PROJECT_IDS;
    await db.sql`delete from project_config where id = ${gone!}`;
    const before = await counts(db);
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(again).toEqual({ seeded: false, reason: 'demo-present', existing: [...kept].sort() });
    expect(await counts(db)).toEqual(before);
  });

  it('npm run db:seed, asked for explicitly, brings them back', async () => {
    const db = await freshDatabase();
    expect((await seedDemoData(db.sql, { now: NOW, apiKeyFile: null })).seeded).toBe(true);
    await db.sql`delete from project_config where id = any (${DEMO_PROJECT_IDS})`;
    const again = await seedDemoData(db.sql, { now: NOW, apiKeyFile: null });
    expect(again.seeded).toBe(true);
    expect((await counts(db)).projects).toBe(DEMO_PROJECT_IDS.length);
  });
});
