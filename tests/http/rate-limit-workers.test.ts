import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { createTenant, type Tenant } from './helpers.ts';

// The rate limit with several server processes: npm start with WEB_CONCURRENCY=2 and a
// limit of 30 requests a minute. Every request goes over a connection of its own, which
// the kernel hands to either worker (SO_REUSEPORT), so a limit counted per process would
// let a caller through about twice as often; the limit is one for the whole server.

const LIMIT = 30;
const WORKERS = 2;
let server: TestServer;
let t: Tenant;

beforeAll(async () => {
  server = await startTestServer({ mode: 'supabase', workers: WORKERS, env: { API_RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  t = await createTenant(server.db.sql, 'rlw');
});

afterAll(async () => {
  if (!server) return;
  const logs = server.logs();
  await server.stop();
  expect(logs).not.toMatch(/\[api\].*unexpected error/);
});

// GET on a new TCP connection (no keep-alive), so that requests spread over the workers.
function getOnNewConnection(path: string, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.baseUrl}${path}`, { agent: false, headers: { ...headers, connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`the rate limit with ${WORKERS} server processes`, () => {
  it(`lets a key make ${LIMIT} requests a minute in all, not ${LIMIT} per process`, async () => {
    const headers = { authorization: `Bearer ${t.key.key}` };
    const started = Date.now();
    const statuses: number[] = [];
    let firstLimited = -1;
    // up to the first 429, then as many again: each of those must be refused too, by
    // whichever worker answers it
    for (let i = 0; i < LIMIT * 3; i++) {
      const res = await getOnNewConnection('/api/v1/projects', headers);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.retryAfter).toMatch(/^\d+$/);
        if (firstLimited < 0) firstLimited = i;
      }
      if (firstLimited >= 0 && i >= firstLimited + 20) break;
    }
    const ms = Date.now() - started;
    expect(firstLimited, `no 429 in ${statuses.length} requests`).toBeGreaterThanOrEqual(0);
    expect(new Set(statuses.slice(0, firstLimited))).toEqual(new Set([200]));
    // the bucket holds 30 and refills one every 2 s: a slow machine earns a few more
    const refilled = Math.ceil(ms / (60_000 / LIMIT)) + 1;
    expect(firstLimited).toBeGreaterThanOrEqual(LIMIT);
    expect(firstLimited).toBeLessThanOrEqual(LIMIT + refilled);
    // after the first refusal, at most the refills get through, not the other worker's 30
    const after = statuses.slice(firstLimited);
    expect(after.filter((s) => s === 200).length).toBeLessThanOrEqual(refilled);
    expect(after.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });
});
