import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { api, createTenant, expectStatus, keyAuth, projectRowCounts, sessionAuth, validRun, type ApiResponse, type Tenant } from './helpers.ts';

// 429 Too Many Requests: a server of its own (its own database) with a limit of 30 requests
// a minute per caller, so the shared server's generous limit stays out of the way.

const LIMIT = 30;
let server: TestServer;
let t: Tenant;

beforeAll(async () => {
  server = await startTestServer({ mode: 'supabase', env: { API_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  t = await createTenant(server.db.sql, 'rl');
});

afterAll(async () => {
  await server?.stop();
  // as on the shared server (global-setup.ts): no request may have hit an unexpected error
  expect(server?.logs() ?? '').not.toMatch(/\[api\].*unexpected error/);
});

const call = (method: string, path: string, headers: Record<string, string>, json?: unknown) =>
  api(method, path, { headers, json, baseUrl: server.baseUrl });

// Requests until the first 429 (or 2 × the limit): the successes, the 429 and how long it took.
async function exhaust(headers: Record<string, string>): Promise<{ ok: number; limited: ApiResponse | undefined; ms: number }> {
  const started = Date.now();
  let ok = 0;
  for (let i = 0; i < LIMIT * 2; i++) {
    const res = await call('GET', '/api/v1/projects', headers);
    if (res.status === 429) return { ok, limited: res, ms: Date.now() - started };
    expectStatus(res, 200);
    ok += 1;
  }
  return { ok, limited: undefined, ms: Date.now() - started };
}

// The bucket refills one token every 60 s / LIMIT: a slow machine earns a few more requests.
const refilled = (ms: number) => Math.ceil(ms / (60_000 / LIMIT)) + 1;

describe('the rate limit per caller', () => {
  it(`answers 429 with Retry-After once a key has made ${LIMIT} requests in a minute`, async () => {
    const { ok, limited, ms } = await exhaust(keyAuth(t.key));
    expect(limited, `no 429 after ${ok} requests`).toBeDefined();
    // a token bucket of 30: 30 requests, plus the tokens that came back while they ran
    expect(ok).toBeGreaterThanOrEqual(LIMIT);
    expect(ok).toBeLessThanOrEqual(LIMIT + refilled(ms));
    expect(limited!.body.error.code).toBe('rate_limited');
    const retryAfter = limited!.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it('refuses writes while limited, writing nothing', async () => {
    const before = await projectRowCounts(server.db.sql, t.projectId);
    expect((await exhaust(keyAuth(t.key))).limited).toBeDefined();
    const res = await call('POST', '/api/v1/runs', keyAuth(t.key), validRun());
    expectStatus(res, 429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await projectRowCounts(server.db.sql, t.projectId)).toEqual(before);
  });

  it('limits each caller separately: another key and a user still get through', async () => {
    expectStatus(await call('GET', '/api/v1/runs', keyAuth(t.readKey)), 200);
    const user = await createUser(server.db.sql, 'rl-user');
    expectStatus(await call('GET', '/api/v1/projects', await sessionAuth(user)), 200);
  });

  it('lets the caller in again after Retry-After seconds', async () => {
    const { limited } = await exhaust(keyAuth(t.key));
    expect(limited).toBeDefined();
    const wait = Number(limited!.headers.get('retry-after'));
    expect(wait).toBeLessThanOrEqual(5); // one token refills in 60 s / 30 = 2 s
    // Retry-After is whole seconds counted from the 429; waiting one second more than it says
    // (a stated margin, not a guess at timing) keeps a slow machine's timers out of the answer
    await new Promise((r) => setTimeout(r, (wait + 1) * 1000));
    expectStatus(await call('GET', '/api/v1/runs', keyAuth(t.key)), 200);
  });

  it('limits a signed-in user too', async () => {
    const user = await createUser(server.db.sql, 'rl-busy');
    const { ok, limited, ms } = await exhaust(await sessionAuth(user));
    expect(limited, `no 429 after ${ok} requests`).toBeDefined();
    expect(ok).toBeGreaterThanOrEqual(LIMIT);
    expect(ok).toBeLessThanOrEqual(LIMIT + refilled(ms));
    expect(limited!.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
