import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { createRun, createUser } from '../helpers/fixtures.ts';
import { api, createTenant, expectStatus, keyAuth, sessionAuth, superuserSql, type Headers, type Tenant } from './helpers.ts';

// Live updates (GET /api/live): server-sent events naming the runs that changed. A stream's
// "ready" promises that no later change is missed; a stream hears only what it watches.

// A notification arrives in milliseconds; the bound is for a busy machine.
const EVENT_BOUND_MS = 20_000;

interface LiveEvent {
  event: string;
  data: Record<string, unknown>;
}

interface LiveStream {
  status: number;
  next(): Promise<LiveEvent>;
  close(): void;
}

async function openStream(path: string, headers: Headers): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${inject('baseUrl')}${path}`, { headers, signal: abort.signal });
  const events: LiveEvent[] = [];
  const waiters: Array<() => void> = [];
  if (res.ok && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!event) continue; // a keep-alive comment
            events.push({ event, data: data ? (JSON.parse(data) as Record<string, unknown>) : {} });
            waiters.splice(0).forEach((wake) => wake());
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  } else {
    await res.text();
  }
  return {
    status: res.status,
    async next() {
      const deadline = Date.now() + EVENT_BOUND_MS;
      while (events.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event on ${path} within ${EVENT_BOUND_MS} ms`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, left);
        });
      }
      return events.shift()!;
    },
    close: () => abort.abort(),
  };
}

let sql: Sql;
let t: Tenant;
let runId: string;
let otherRunId: string;
const streams: LiveStream[] = [];

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'live');
  runId = await createRun(sql, t.projectId, { run_name: 'watched', status: 'running' });
  otherRunId = await createRun(sql, t.projectId, { run_name: 'not watched', status: 'running' });
});

afterAll(async () => {
  for (const stream of streams) stream.close();
  await sql.end({ timeout: 5 });
});

async function watch(query: string, headers: Headers): Promise<LiveStream> {
  const stream = await openStream(`/api/live?${query}`, headers);
  streams.push(stream);
  return stream;
}

const logIteration = async (run: string, iteration: number) =>
  expectStatus(await api('POST', `/api/v1/runs/${run}/iterations`, { headers: keyAuth(t.key), json: { iteration, score: 0.5 } }), 201);

describe('GET /api/live', () => {
  it('delivers the change written right after "ready" (the first stream of a server starts its listener)', async () => {
    const stream = await watch(`projectId=${t.projectId}&runId=${runId}`, await sessionAuth(t.owner));
    expect(stream.status).toBe(200);
    expect(await stream.next()).toEqual({ event: 'ready', data: { transport: 'notify' } });
    await logIteration(runId, 0);
    expect(await stream.next()).toEqual({ event: 'change', data: { runId, op: 'update' } });
  });

  it('a stream watching one run hears nothing of another run of the project', async () => {
    const stream = await watch(`projectId=${t.projectId}&runId=${runId}`, await sessionAuth(t.owner));
    expect((await stream.next()).event).toBe('ready');
    await logIteration(otherRunId, 0);
    await logIteration(runId, 1);
    // notifications arrive in commit order: the other run's would have come first
    expect(await stream.next()).toEqual({ event: 'change', data: { runId, op: 'update' } });
  });

  it('a stream watching the project hears about each of its runs', async () => {
    const stream = await watch(`projectId=${t.projectId}`, await sessionAuth(t.owner));
    expect((await stream.next()).event).toBe('ready');
    await logIteration(otherRunId, 1);
    expect(await stream.next()).toEqual({ event: 'change', data: { runId: otherRunId, op: 'update' } });
  });

  it('answers 401 without a session and 404 to a stranger, for the project and for its run', async () => {
    expect((await watch(`projectId=${t.projectId}`, {})).status).toBe(401);
    const stranger = await sessionAuth(await createUser(sql, 'live-stranger'));
    expect((await watch(`projectId=${t.projectId}`, stranger)).status).toBe(404);
    expect((await watch(`projectId=${t.projectId}&runId=${runId}`, stranger)).status).toBe(404);
  });
});
