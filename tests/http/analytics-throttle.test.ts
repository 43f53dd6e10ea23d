import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { api, expectStatus, sessionAuth, uniqueId } from './helpers.ts';

// POST /api/v1/analytics/refresh is throttled in the database: one refresh at a time and
// ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS between two, for every caller and every server
// process. A server of its own (npm start with two workers) with an interval of an hour.

const INTERVAL = 3600;
let server: TestServer;
let alice: TestUser; // owner of her project
let bob: TestUser; // owner of another project: any signed-in user can become one
let carol: TestUser; // only a member

beforeAll(async () => {
  server = await startTestServer({ mode: 'supabase', workers: 2, env: { ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS: String(INTERVAL) } });
  const sql = server.db.sql;
  alice = await createUser(sql, 'at-alice');
  bob = await createUser(sql, 'at-bob');
  carol = await createUser(sql, 'at-carol');
  await createProject(sql, uniqueId('at-a'), [[alice, 'owner'], [carol, 'member']]);
  await createProject(sql, uniqueId('at-b'), [[bob, 'owner']]);
});

afterAll(async () => {
  if (!server) return;
  const logs = server.logs();
  await server.stop();
  expect(logs).not.toMatch(/\[api\].*unexpected error/);
});

const refresh = async (user: TestUser) => api('POST', '/api/v1/analytics/refresh', { baseUrl: server.baseUrl, headers: await sessionAuth(user) });
const refreshCount = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from optimization_analytics_refreshes`)[0]!.n;

describe('the analytics refresh throttle', () => {
  it('refreshes once, then answers 429 with Retry-After to every owner on every worker', async () => {
    const first = await refresh(alice);
    expectStatus(first, 200);
    expect(first.body).toMatchObject({ refreshed: true, refreshedAt: expect.any(String) });
    // several requests, each on a new connection, which the two workers share between them
    for (const user of [bob, alice, bob, alice, bob, alice]) {
      const res = await refresh(user);
      expectStatus(res, 429);
      expect(res.body.error.code).toBe('rate_limited');
      expect(res.body.error.message).toMatch(/retry in \d+s/);
      const retryAfter = Number(res.headers.get('retry-after'));
      // the interval minus the few seconds this test has taken so far
      expect(retryAfter).toBeGreaterThan(INTERVAL - 300);
      expect(retryAfter).toBeLessThanOrEqual(INTERVAL);
      expect(res.body.error.details).toEqual({ lastRefreshedAt: first.body.refreshedAt, retryAfterSeconds: retryAfter });
    }
    expect(await refreshCount()).toBe(1);
  });

  it('a caller who may not refresh gets 403, not 429', async () => {
    expectStatus(await refresh(carol), 403);
  });

  it('answers 429 at once while another process holds the refresh', async () => {
    await server.db.sql`update optimization_analytics_refreshes set refreshed_at = refreshed_at - interval '2 hours'`;
    const holder = await server.db.sql.reserve();
    try {
      await holder`select pg_advisory_lock(hashtext('public.refresh_optimization_analytics'))`;
      const res = await refresh(bob);
      expectStatus(res, 429);
      expect(Number(res.headers.get('retry-after'))).toBe(INTERVAL);
    } finally {
      await holder`select pg_advisory_unlock(hashtext('public.refresh_optimization_analytics'))`;
      holder.release();
    }
    // free again and the interval long past: the next one refreshes
    expectStatus(await refresh(bob), 200);
    expect(await refreshCount()).toBe(2);
  });
});
