// A Supabase Auth server (GoTrue) cannot run here, so access tokens are signed with a test
// secret (TEST_JWT_SECRET in tests/support/test-server.ts) standing in for the project's
// JWT secret; the server under test is configured with it as SUPABASE_JWT_SECRET. The
// tokens travel in the session cookies exactly as @supabase/ssr writes them
// (tests/support/auth.ts), or as "Authorization: Bearer <access token>".
import { createChunks, stringToBase64URL } from '@supabase/ssr';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { createProject, createRun, createUser, type TestUser } from '../helpers/fixtures.ts';
import { cookieHeader, sessionCookies, signAccessToken, TEST_STORAGE_KEY } from '../support/auth.ts';
import { api, bearerAuth, expectStatus, projectRowCounts, sessionAuth, superuserSql, uniqueId, validRun } from './helpers.ts';

let sql: Sql;
let user: TestUser; // owner of p1, member of p2, viewer of p3
let stranger: TestUser; // owner of p4 only
let p1: string;
let p2: string;
let p3: string;
let p4: string;
let p3Run: string;
let p4Run: string;

beforeAll(async () => {
  sql = superuserSql();
  user = await createUser(sql, 'sess-user');
  stranger = await createUser(sql, 'sess-stranger');
  const other = await createUser(sql, 'sess-other');
  p1 = await createProject(sql, uniqueId('sess-own'), [[user, 'owner']]);
  p2 = await createProject(sql, uniqueId('sess-member'), [[other, 'owner'], [user, 'member']]);
  p3 = await createProject(sql, uniqueId('sess-viewer'), [[other, 'owner'], [user, 'viewer']]);
  p4 = await createProject(sql, uniqueId('sess-foreign'), [[stranger, 'owner']]);
  p3Run = await createRun(sql, p3, { run_name: 'viewable', status: 'running' });
  p4Run = await createRun(sql, p4, { run_name: 'stranger run', status: 'completed', final_score: 0.9 });
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const projectIds = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((p) => p.id).sort();

describe('a signed-in user (session cookie)', () => {
  it("sees exactly the user's projects, with the user's role in each", async () => {
    const res = await api('GET', '/api/v1/projects', { headers: await sessionAuth(user) });
    expectStatus(res, 200);
    const roles = Object.fromEntries(res.body.data.map((p: { id: string; role: string }) => [p.id, p.role]));
    expect(roles).toEqual({ [p1]: 'owner', [p2]: 'member', [p3]: 'viewer' });
  });

  it("sees nothing of a project the user is not a member of", async () => {
    const headers = await sessionAuth(user);
    expectStatus(await api('GET', `/api/v1/runs/${p4Run}`, { headers }), 404);
    expectStatus(await api('GET', `/api/v1/runs/${p4Run}/summary`, { headers }), 404);
    expectStatus(await api('GET', `/api/v1/runs/${p4Run}/iterations`, { headers }), 404);
    // a project the user cannot see lists as an empty one (200), like one that does not exist
    const list = await api('GET', `/api/v1/runs?projectId=${p4}`, { headers });
    expectStatus(list, 200);
    expect(list.body).toMatchObject({ data: [], total: 0, nextCursor: null });
    const board = await api('GET', `/api/v1/leaderboard?projectId=${p4}`, { headers });
    expectStatus(board, 200);
    expect(board.body.data).toEqual([]);
    expect(board.text).not.toContain(p4Run);
    // the stranger, with the same kind of cookie, does see it (control)
    const own = await api('GET', `/api/v1/runs/${p4Run}`, { headers: await sessionAuth(stranger) });
    expectStatus(own, 200);
    expect(own.body.runName).toBe('stranger run');
  });

  it("cannot write into a project the user is not a member of (404, nothing written)", async () => {
    const headers = await sessionAuth(user);
    const before = await projectRowCounts(sql, p4);
    const [runBefore] = await sql`select * from optimization_runs where id = ${p4Run}`;
    expectStatus(await api('POST', '/api/v1/runs', { headers, json: validRun({ projectId: p4 }) }), 404);
    expectStatus(await api('PATCH', `/api/v1/runs/${p4Run}`, { headers, json: { runName: 'taken over' } }), 404);
    expectStatus(await api('DELETE', `/api/v1/runs/${p4Run}`, { headers }), 404);
    expectStatus(await api('POST', `/api/v1/runs/${p4Run}/iterations`, { headers, json: { iteration: 1, score: 0.1 } }), 404);
    expectStatus(await api('POST', `/api/v1/runs/${p4Run}/samples`, { headers, json: [{ iteration: 1, sampleIndex: 0 }] }), 404);
    expect(await projectRowCounts(sql, p4)).toEqual(before);
    expect((await sql`select * from optimization_runs where id = ${p4Run}`)[0]).toEqual(runBefore);
  });

  it('a user with no membership sees no project at all', async () => {
    const loner = await createUser(sql, 'sess-loner');
    const res = await api('GET', '/api/v1/projects', { headers: await sessionAuth(loner) });
    expectStatus(res, 200);
    expect(res.body.data).toEqual([]);
  });

  it('reads a session split over chunked cookies (<key>.0, <key>.1)', async () => {
    const token = await signAccessToken(user);
    const session = {
      access_token: token,
      refresh_token: 'test-refresh-token',
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      user: { id: user.id, email: user.email, aud: 'authenticated', role: 'authenticated', app_metadata: {}, user_metadata: { bio: 'x'.repeat(5000) } },
    };
    const chunks = createChunks(TEST_STORAGE_KEY, 'base64-' + stringToBase64URL(JSON.stringify(session)));
    expect(chunks.map((c) => c.name)).toEqual([`${TEST_STORAGE_KEY}.0`, `${TEST_STORAGE_KEY}.1`, `${TEST_STORAGE_KEY}.2`]);
    const res = await api('GET', '/api/v1/projects', { headers: { cookie: cookieHeader(chunks) } });
    expectStatus(res, 200);
    expect(projectIds(res)).toEqual([p1, p2, p3].sort());
  });

  it('writes to a project where the user is a member', async () => {
    const res = await api('POST', '/api/v1/runs', { headers: await sessionAuth(user), json: validRun({ projectId: p2, runName: 'member run' }) });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ projectId: p2, createdBy: user.id });
  });
});

describe('Authorization: Bearer <access token>', () => {
  it('works like the cookie', async () => {
    const res = await api('GET', '/api/v1/projects', { headers: bearerAuth(await signAccessToken(user)) });
    expectStatus(res, 200);
    expect(projectIds(res)).toEqual([p1, p2, p3].sort());
    const run = await api('POST', '/api/v1/runs', { headers: bearerAuth(await signAccessToken(user)), json: validRun({ projectId: p1 }) });
    expectStatus(run, 201);
    expect(run.body.createdBy).toBe(user.id);
    expectStatus(await api('GET', `/api/v1/runs/${p4Run}`, { headers: bearerAuth(await signAccessToken(user)) }), 404);
  });
});

describe('refused tokens (401), as a cookie and as a bearer token', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  async function badTokens(): Promise<Array<[string, string]>> {
    const good = await signAccessToken(user);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    // flip one character in the middle of the payload
    const i = Math.floor(payload.length / 2);
    const flipped = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    // or rewrite the payload to become the stranger (owner of p4), keeping the signature
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const impersonated = b64({ ...claims, sub: stranger.id, email: stranger.email });
    const now = Math.floor(Date.now() / 1000);
    return [
      ['tampered payload', `${header}.${flipped}.${signature}`],
      ['payload swapped to another user', `${header}.${impersonated}.${signature}`],
      ['expired', await signAccessToken(user, { expiresInSeconds: -120 })],
      ['wrong secret', await signAccessToken(user, { secret: 'another-project-secret-0123456789abcdef' })],
      ['wrong audience', await signAccessToken(user, { audience: 'somebody-else' })],
      ['role anon', await signAccessToken(user, { role: 'anon' })],
      ['role service_role', await signAccessToken(user, { role: 'service_role' })],
      ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now + 3600 })}.`],
      ['no signature', `${header}.${payload}.`],
      ['not a JWT', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln'],
    ];
  }

  it('refuses each bad token in the session cookie', async () => {
    for (const [what, token] of await badTokens()) {
      const res = await api('GET', '/api/v1/projects', { headers: { cookie: cookieHeader(sessionCookies(token, user)) } });
      expect(res.status, `${what}: ${res.text}`).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.text).not.toContain(p4);
    }
  });

  it('refuses each bad token as a bearer token, and writes nothing with it', async () => {
    const before = await projectRowCounts(sql, p4);
    for (const [what, token] of await badTokens()) {
      const read = await api('GET', `/api/v1/runs?projectId=${p4}`, { headers: bearerAuth(token) });
      expect(read.status, `${what}: ${read.text}`).toBe(401);
      const write = await api('POST', '/api/v1/runs', { headers: bearerAuth(token), json: validRun({ projectId: p4 }) });
      expect(write.status, `${what}: ${write.text}`).toBe(401);
    }
    expect(await projectRowCounts(sql, p4)).toEqual(before);
  });

  it('refuses a session cookie that does not hold a session', async () => {
    for (const value of ['base64-not*base64', 'base64-' + stringToBase64URL('{"no_token":true}'), 'garbage', 'base64-' + stringToBase64URL('[1,2')]) {
      const res = await api('GET', '/api/v1/projects', { headers: { cookie: `${TEST_STORAGE_KEY}=${value}` } });
      expect(res.status, value).toBe(401);
    }
    // a cookie of another Supabase project (another storage key) is not ours
    const foreign = sessionCookies(await signAccessToken(user), user).map((c) => ({ ...c, name: c.name.replace(TEST_STORAGE_KEY, 'sb-otherproject-auth-token') }));
    expectStatus(await api('GET', '/api/v1/projects', { headers: { cookie: cookieHeader(foreign) } }), 401);
  });
});

describe('cross-site requests with the session cookie', () => {
  it('refuses a cookie-authenticated write from another Origin with 403, writing nothing', async () => {
    const headers = { ...(await sessionAuth(user)), origin: 'http://evil.example' };
    const before = await projectRowCounts(sql, p1);
    const run = await createRun(sql, p1, { run_name: 'target', status: 'running' });
    const create = await api('POST', '/api/v1/runs', { headers, json: validRun({ projectId: p1 }) });
    expectStatus(create, 403);
    expect(create.body.error.code).toBe('forbidden');
    expectStatus(await api('PATCH', `/api/v1/runs/${run}`, { headers, json: { status: 'cancelled' } }), 403);
    expectStatus(await api('DELETE', `/api/v1/runs/${run}`, { headers }), 403);
    expectStatus(await api('POST', `/api/v1/runs/${run}/iterations`, { headers, json: { iteration: 1 } }), 403);
    expectStatus(await api('POST', `/api/v1/runs/${run}/samples`, { headers, json: [{ iteration: 1, sampleIndex: 0 }] }), 403);
    expectStatus(await api('POST', '/api/v1/analytics/refresh', { headers }), 403);
    expect(await projectRowCounts(sql, p1)).toEqual({ ...before, runs: before.runs + 1 });
    const [row] = await sql`select status from optimization_runs where id = ${run}`;
    expect(row!.status).toBe('running');
  });

  it('refuses an opaque Origin ("null", as sandboxed frames send) and a malformed one', async () => {
    for (const origin of ['null', 'not a url', `${inject('baseUrl')}.evil.example`]) {
      const res = await api('POST', '/api/v1/runs', { headers: { ...(await sessionAuth(user)), origin }, json: validRun({ projectId: p1 }) });
      expect(res.status, `Origin: ${origin}`).toBe(403);
    }
  });

  it('accepts the same write from its own origin (control)', async () => {
    const headers = { ...(await sessionAuth(user)), origin: inject('baseUrl') };
    expectStatus(await api('POST', '/api/v1/runs', { headers, json: validRun({ projectId: p1 }) }), 201);
  });

  it('still lets another origin read with the cookie only through GET (no write happens)', async () => {
    const headers = { ...(await sessionAuth(user)), origin: 'http://evil.example' };
    const res = await api('GET', '/api/v1/projects', { headers });
    expectStatus(res, 200);
    // the browser keeps the answer from the other site: no CORS grant
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('a viewer', () => {
  it('reads the project but every write answers 403 and writes nothing', async () => {
    const headers = await sessionAuth(user);
    expectStatus(await api('GET', `/api/v1/runs/${p3Run}`, { headers }), 200);
    const before = await projectRowCounts(sql, p3);
    const create = await api('POST', '/api/v1/runs', { headers, json: validRun({ projectId: p3 }) });
    expectStatus(create, 403);
    expect(create.body.error.code).toBe('forbidden');
    expectStatus(await api('PATCH', `/api/v1/runs/${p3Run}`, { headers, json: { status: 'cancelled' } }), 403);
    expectStatus(await api('DELETE', `/api/v1/runs/${p3Run}`, { headers }), 403);
    expectStatus(await api('POST', `/api/v1/runs/${p3Run}/iterations`, { headers, json: { iteration: 1, score: 0.5 } }), 403);
    expectStatus(await api('POST', `/api/v1/runs/${p3Run}/iterations`, { headers, json: [{ iteration: 2 }] }), 403);
    expectStatus(await api('POST', `/api/v1/runs/${p3Run}/samples`, { headers, json: { samples: [{ iteration: 1, sampleIndex: 0 }] } }), 403);
    expectStatus(await api('POST', '/api/v1/runs', { headers, json: validRun({ projectId: p3, id: randomUUID() }) }), 403);
    expect(await projectRowCounts(sql, p3)).toEqual(before);
    const [row] = await sql`select status from optimization_runs where id = ${p3Run}`;
    expect(row!.status).toBe('running');
  });
});
