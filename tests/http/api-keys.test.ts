import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { createRun } from '../helpers/fixtures.ts';
import {
  api,
  createApiKey,
  createTenant,
  expectStatus,
  keyAuth,
  poll,
  projectRowCounts,
  superuserSql,
  validRun,
  type Tenant,
} from './helpers.ts';

// Who is calling, for scripts: project API keys. Missing, unknown, malformed, revoked and
// expired credentials answer 401; a read-only key's writes answer 403; use is recorded.

let sql: Sql;
let t: Tenant;
let runId: string;

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'keys');
  runId = await createRun(sql, t.projectId, { run_name: 'keyed', status: 'running' });
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

// Every endpoint that needs credentials, with a body where it takes one.
const endpoints = (run: string): Array<[string, string, unknown?]> => [
  ['GET', '/api/v1/runs'],
  ['POST', '/api/v1/runs', validRun()],
  ['GET', `/api/v1/runs/${run}`],
  ['PATCH', `/api/v1/runs/${run}`, { status: 'cancelled' }],
  ['DELETE', `/api/v1/runs/${run}`],
  ['GET', `/api/v1/runs/${run}/iterations`],
  ['POST', `/api/v1/runs/${run}/iterations`, { iteration: 1 }],
  ['GET', `/api/v1/runs/${run}/samples`],
  ['POST', `/api/v1/runs/${run}/samples`, [{ iteration: 1, sampleIndex: 0 }]],
  ['GET', `/api/v1/runs/${run}/summary`],
  ['GET', '/api/v1/leaderboard'],
  ['GET', '/api/v1/analytics'],
  ['POST', '/api/v1/analytics/refresh'],
  ['GET', '/api/v1/projects'],
];

const fakeKey = () => 'osk_' + randomBytes(32).toString('base64url');

async function expectUnauthorized(headers: Record<string, string>, label: string): Promise<void> {
  const before = await projectRowCounts(sql, t.projectId);
  for (const [method, path, json] of endpoints(runId)) {
    const res = await api(method, path, { headers, json });
    expect(res.status, `${label}: ${method} ${path} → ${res.text}`).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  }
  expect(await projectRowCounts(sql, t.projectId)).toEqual(before);
  const [row] = await sql`select status from optimization_runs where id = ${runId}`;
  expect(row!.status).toBe('running');
}

describe('401 Unauthorized', () => {
  it('without any credentials, on every endpoint', async () => {
    await expectUnauthorized({}, 'no credentials');
  });

  it('with an unknown key', async () => {
    await expectUnauthorized(keyAuth(fakeKey()), 'unknown key');
  });

  it('with a malformed Authorization header', async () => {
    const headers = [
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      'Bearer',
      'Bearer ',
      `Bearer ${t.key.key} extra`,
      t.key.key, // no scheme
      `Token ${t.key.key}`,
      'Bearer osk_short',
      `Bearer ${t.key.key.slice(0, -1)}`, // one character short
      `Bearer ${t.key.key}x`,
      'Bearer not-a-key-nor-a-jwt',
    ];
    for (const authorization of headers) {
      const res = await api('GET', '/api/v1/projects', { headers: { authorization } });
      expect(res.status, `"${authorization}" → ${res.text}`).toBe(401);
    }
    // a malformed header is not ignored in favour of a valid cookie or anything else
    const write = await api('POST', '/api/v1/runs', { headers: { authorization: `Basic ${t.key.key}` }, json: validRun() });
    expectStatus(write, 401);
  });

  it('with a revoked key, from the very next request', async () => {
    const key = await createApiKey(sql, t.projectId);
    expectStatus(await api('GET', '/api/v1/projects', { headers: keyAuth(key) }), 200);
    expectStatus(await api('POST', '/api/v1/runs', { headers: keyAuth(key), json: validRun({ runName: 'before revocation' }) }), 201);
    await sql`update api_keys set revoked_at = now() where id = ${key.id}`;
    const next = await api('GET', '/api/v1/projects', { headers: keyAuth(key) });
    expectStatus(next, 401);
    expect(next.body.error.message).toMatch(/not valid/);
    await expectUnauthorized(keyAuth(key), 'revoked key');
  });

  it('with an expired key', async () => {
    const key = await createApiKey(sql, t.projectId);
    expectStatus(await api('GET', '/api/v1/runs', { headers: keyAuth(key) }), 200);
    await sql`update api_keys set expires_at = now() - interval '1 second' where id = ${key.id}`;
    await expectUnauthorized(keyAuth(key), 'expired key');
  });

  it("with a key whose project was deleted", async () => {
    const other = await createTenant(sql, 'keys-gone');
    expectStatus(await api('GET', '/api/v1/projects', { headers: keyAuth(other.key) }), 200);
    await sql`delete from project_config where id = ${other.projectId}`;
    expectStatus(await api('GET', '/api/v1/projects', { headers: keyAuth(other.key) }), 401);
  });
});

describe('a read-only key', () => {
  it('reads', async () => {
    const res = await api('GET', `/api/v1/runs/${runId}`, { headers: keyAuth(t.readKey) });
    expectStatus(res, 200);
    expect(res.body.runName).toBe('keyed');
    expectStatus(await api('GET', '/api/v1/runs', { headers: keyAuth(t.readKey) }), 200);
  });

  it('gets 403 for every write, and nothing is written', async () => {
    const before = await projectRowCounts(sql, t.projectId);
    for (const [method, path, json] of endpoints(runId).filter(([m]) => m !== 'GET')) {
      const res = await api(method, path, { headers: keyAuth(t.readKey), json });
      expect(res.status, `${method} ${path} → ${res.text}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    // also when the body would be invalid: the scope is checked first
    expectStatus(await api('POST', '/api/v1/runs', { headers: { ...keyAuth(t.readKey), 'content-type': 'text/plain' }, body: 'x' }), 403);
    expectStatus(await api('POST', '/api/v1/runs', { headers: keyAuth(t.readKey), json: validRun({ id: randomUUID() }) }), 403);
    expect(await projectRowCounts(sql, t.projectId)).toEqual(before);
    const [row] = await sql`select status from optimization_runs where id = ${runId}`;
    expect(row!.status).toBe('running');
  });
});

describe('a write-only key', () => {
  it('writes to its project and reads back what it wrote', async () => {
    const key = await createApiKey(sql, t.projectId, ['write']);
    const run = await api('POST', '/api/v1/runs', { headers: keyAuth(key), json: validRun({ runName: 'write-only' }) });
    expectStatus(run, 201);
    expect(run.body.projectId).toBe(t.projectId);
    const read = await api('GET', `/api/v1/runs/${run.body.id}`, { headers: keyAuth(key) });
    expectStatus(read, 200);
    expect(read.body.runName).toBe('write-only');
  });
});

describe('last use', () => {
  it('records last_used_at after a key is used', async () => {
    const key = await createApiKey(sql, t.projectId, ['read']);
    const [fresh] = await sql`select last_used_at from api_keys where id = ${key.id}`;
    expect(fresh!.last_used_at).toBeNull();
    // the database's clock on both sides, so the check is an order, not a duration
    const before = (await sql<{ at: string }[]>`select clock_timestamp() as at`)[0]!.at;
    expectStatus(await api('GET', '/api/v1/projects', { headers: keyAuth(key) }), 200);
    // the write is off the request's path (one UPDATE right after the key lookup) and has no
    // event to wait for: poll with a generous bound for a busy machine
    const row = await poll(
      async () => (await sql<{ last_used_at: string | null; after: string }[]>`
        select last_used_at, clock_timestamp() as after from api_keys where id = ${key.id}
      `)[0]!,
      (r) => r.last_used_at !== null,
      30_000,
    );
    expect(row.last_used_at, 'last_used_at was not written within 30 s').not.toBeNull();
    expect(row.last_used_at).toMatch(/Z$/);
    expect(new Date(row.last_used_at!).getTime()).toBeGreaterThanOrEqual(new Date(before).getTime());
    expect(new Date(row.last_used_at!).getTime()).toBeLessThanOrEqual(new Date(row.after).getTime());
  });
});
