import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateOptimizationRun, userScope } from '../../lib/supabase-optimization/index.ts';
import { createProject, createRun, createUser, type TestUser } from '../helpers/fixtures.ts';
import { signAccessToken } from '../support/auth.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { api, expectStatus, sessionAuth, uniqueId, type Headers } from './helpers.ts';

// GET /api/live (server-sent events) with two Supabase sessions over HTTP. A server of its
// own, with the access re-check every second (LIVE_RECHECK_SECONDS) instead of every 30 s,
// so that revocation is seen while the test waits for it. The database has no notify
// trigger (the schema without it): changes are announced by the data layer after commit,
// here from this test process (another process than the server's) and from a second
// server process on the same database.

// generous bound for an event the server should send within about a second
const EVENT_WAIT_MS = 20_000;

let server: TestServer;
// a second server process on the same database, as behind a load balancer
let second: TestServer;
let alice: TestUser; // owner of A, member of C
let bob: TestUser; // owner of B, member of A (removed in a test)
let projectA: string;
let projectB: string;
let projectC: string;
let runA: string;
let runB: string;
let runC: string;
const open: LiveStream[] = [];

beforeAll(async () => {
  server = await startTestServer({ mode: 'supabase', env: { LIVE_RECHECK_SECONDS: '1' } });
  const sql = server.db.sql;
  await sql`drop trigger if exists trigger_notify_run_change on public.optimization_runs`;
  second = await startTestServer({ mode: 'supabase', databaseUrl: server.db.url, env: { LIVE_RECHECK_SECONDS: '1' } });
  alice = await createUser(sql, 'live-alice');
  bob = await createUser(sql, 'live-bob');
  projectA = await createProject(sql, uniqueId('live-a'), [[alice, 'owner'], [bob, 'member']]);
  projectB = await createProject(sql, uniqueId('live-b'), [[bob, 'owner']]);
  projectC = await createProject(sql, uniqueId('live-c'), [[bob, 'owner'], [alice, 'member']]);
  runA = await createRun(sql, projectA, { run_name: 'a', status: 'running' });
  runB = await createRun(sql, projectB, { run_name: 'b', status: 'running' });
  runC = await createRun(sql, projectC, { run_name: 'c', status: 'running' });
});

afterAll(async () => {
  for (const stream of open) stream.close();
  if (second) {
    const logs = second.logs();
    await second.stop();
    expect(logs).not.toMatch(/\[api\].*unexpected error|\[live\]/);
  }
  if (!server) return;
  const logs = server.logs();
  await server.stop();
  expect(logs).not.toMatch(/\[api\].*unexpected error/);
});

interface LiveEvent {
  event: string;
  data: unknown;
}

interface LiveStream {
  status: number;
  // the next event (comments skipped), or 'end' when the server closed the stream
  next(): Promise<LiveEvent | 'end'>;
  close(): void;
}

async function openLive(query: Record<string, string>, headers: Headers): Promise<LiveStream> {
  const controller = new AbortController();
  const res = await fetch(`${server.baseUrl}/api/live?${new URLSearchParams(query)}`, { headers, signal: controller.signal });
  const stream: LiveStream = { status: res.status, next: async () => 'end', close: () => controller.abort() };
  open.push(stream);
  if (res.status !== 200) {
    await res.text();
    return stream;
  }
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  stream.next = async () => {
    for (;;) {
      const at = buffer.indexOf('\n\n');
      if (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const lines = block.split('\n').filter((l) => !l.startsWith(':'));
        if (!lines.length) continue;
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        return { event, data: data === undefined ? undefined : JSON.parse(data) };
      }
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return 'end';
      buffer += chunk.value;
    }
  };
  return stream;
}

// Waits for an event the predicate accepts (or the end of the stream), failing after EVENT_WAIT_MS.
async function waitFor(stream: LiveStream, accept: (e: LiveEvent | 'end') => boolean, what: string): Promise<LiveEvent | 'end'> {
  const seen: Array<LiveEvent | 'end'> = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${EVENT_WAIT_MS} ms; saw ${JSON.stringify(seen)}`)), EVENT_WAIT_MS);
  });
  try {
    for (;;) {
      const e = await Promise.race([stream.next(), timeout]);
      seen.push(e);
      if (accept(e)) return e;
      if (e === 'end') throw new Error(`stream ended before ${what}; saw ${JSON.stringify(seen)}`);
    }
  } finally {
    clearTimeout(timer);
  }
}

// A write through the data layer in this process, as the run's project owner.
let touches = 0;
const touch = async (runId: string) => {
  const owner = runId === runA ? alice : bob;
  await updateOptimizationRun(userScope(owner.claims, server.db.sql), runId, { description: `touched ${++touches}` });
};

describe('subscribing', () => {
  it('a signed-out caller gets 401', async () => {
    const res = await api('GET', `/api/live?projectId=${projectA}`, { baseUrl: server.baseUrl });
    expectStatus(res, 401);
  });

  it("a member of A cannot subscribe to B's project (404)", async () => {
    const res = await api('GET', `/api/live?projectId=${projectB}`, { baseUrl: server.baseUrl, headers: await sessionAuth(alice) });
    expectStatus(res, 404);
  });

  it("a member of A cannot subscribe to B's run through A's project (404)", async () => {
    const res = await api('GET', `/api/live?projectId=${projectA}&runId=${runB}`, { baseUrl: server.baseUrl, headers: await sessionAuth(alice) });
    expectStatus(res, 404);
  });

  it("a member of A and C cannot watch C's run through A's project (404)", async () => {
    const res = await api('GET', `/api/live?projectId=${projectA}&runId=${runC}`, { baseUrl: server.baseUrl, headers: await sessionAuth(alice) });
    expectStatus(res, 404);
    // control: through its own project the same run can be watched
    const own = await openLive({ projectId: projectC, runId: runC }, await sessionAuth(alice));
    expect(own.status).toBe(200);
    own.close();
  });

  it("a stream on A carries A's changes and none of B's", async () => {
    const stream = await openLive({ projectId: projectA }, await sessionAuth(alice));
    expect(stream.status).toBe(200);
    expect(await waitFor(stream, (e) => e !== 'end' && e.event === 'ready', 'ready event')).toMatchObject({ event: 'ready' });
    await touch(runB);
    await touch(runC);
    await touch(runA);
    // B's and C's changes were written first; the first change on this stream must be A's
    const first = await waitFor(stream, (e) => e !== 'end' && e.event === 'change', "A's change");
    expect(first).toEqual({ event: 'change', data: { runId: runA, op: 'update' } });
    stream.close();
  });

  it('a stream on one run carries only that run', async () => {
    const other = await createRun(server.db.sql, projectA, { run_name: 'a2', status: 'running' });
    const stream = await openLive({ projectId: projectA, runId: runA }, await sessionAuth(alice));
    expect(stream.status).toBe(200);
    await waitFor(stream, (e) => e !== 'end' && e.event === 'ready', 'ready event');
    await touch(other);
    await touch(runA);
    expect(await waitFor(stream, (e) => e !== 'end' && e.event === 'change', 'a change')).toEqual({
      event: 'change',
      data: { runId: runA, op: 'update' },
    });
    stream.close();
  });
});

describe('several server processes', () => {
  it('a write through the API of one server process reaches a stream on another', async () => {
    const stream = await openLive({ projectId: projectA, runId: runA }, await sessionAuth(alice));
    expect(stream.status).toBe(200);
    await waitFor(stream, (e) => e !== 'end' && e.event === 'ready', 'ready event');
    const res = await api('PATCH', `/api/v1/runs/${runA}`, {
      baseUrl: second.baseUrl,
      headers: await sessionAuth(alice),
      json: { description: 'written through the second server' },
    });
    expectStatus(res, 200);
    expect(await waitFor(stream, (e) => e !== 'end' && e.event === 'change', 'the change from the other process')).toEqual({
      event: 'change',
      data: { runId: runA, op: 'update' },
    });
    stream.close();
  });

  it('a write that fails sends nothing: the next change heard is the one that committed', async () => {
    const stream = await openLive({ projectId: projectA }, await sessionAuth(alice));
    expect(stream.status).toBe(200);
    await waitFor(stream, (e) => e !== 'end' && e.event === 'ready', 'ready event');
    const other = await createRun(server.db.sql, projectA, { run_name: 'finished', status: 'completed' });
    // a finished run cannot start again: 409, rolled back
    const refused = await api('PATCH', `/api/v1/runs/${other}`, { baseUrl: second.baseUrl, headers: await sessionAuth(alice), json: { status: 'running' } });
    expectStatus(refused, 409);
    await touch(runA);
    expect(await waitFor(stream, (e) => e !== 'end' && e.event === 'change', 'a change')).toEqual({ event: 'change', data: { runId: runA, op: 'update' } });
    stream.close();
  });
});

describe('an open stream ends when access ends', () => {
  it('removing the member ends their stream; the owner keeps theirs', async () => {
    const owners = await openLive({ projectId: projectA }, await sessionAuth(alice));
    const members = await openLive({ projectId: projectA }, await sessionAuth(bob));
    expect([owners.status, members.status]).toEqual([200, 200]);
    await waitFor(members, (e) => e !== 'end' && e.event === 'ready', 'ready event');
    await server.db.sql`delete from project_members where project_id = ${projectA} and user_id = ${bob.id}`;
    await waitFor(members, (e) => e !== 'end' && e.event === 'revoked', 'revoked event');
    expect(await waitFor(members, (e) => e === 'end', 'end of stream')).toBe('end');
    // and no new stream for the removed member
    expectStatus(await api('GET', `/api/live?projectId=${projectA}`, { baseUrl: server.baseUrl, headers: await sessionAuth(bob) }), 404);
    // the owner's stream, re-checked as often, is still open and still delivers
    await touch(runA);
    expect(await waitFor(owners, (e) => e !== 'end' && e.event === 'change', 'change on the owner stream')).toMatchObject({
      data: { runId: runA },
    });
    owners.close();
  });

  it('a run deleted while watched ends the stream on that run', async () => {
    const doomed = await createRun(server.db.sql, projectA, { run_name: 'doomed', status: 'running' });
    const stream = await openLive({ projectId: projectA, runId: doomed }, await sessionAuth(alice));
    expect(stream.status).toBe(200);
    await server.db.sql`delete from optimization_runs where id = ${doomed}`;
    await waitFor(stream, (e) => e !== 'end' && e.event === 'revoked', 'revoked event');
    expect(await waitFor(stream, (e) => e === 'end', 'end of stream')).toBe('end');
  });

  it('a session that expires ends the stream at the next re-check', async () => {
    const token = await signAccessToken(alice, { expiresInSeconds: 2 });
    const stream = await openLive({ projectId: projectA }, await sessionAuth(alice, token));
    expect(stream.status).toBe(200);
    await waitFor(stream, (e) => e !== 'end' && e.event === 'revoked', 'revoked event');
    expect(await waitFor(stream, (e) => e === 'end', 'end of stream')).toBe('end');
  });
});
