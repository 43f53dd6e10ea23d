import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { api, expectStatus } from './helpers.ts';

// npm start with WEB_CONCURRENCY=2: the launcher (scripts/start.ts) runs `next start` in two
// node:cluster workers on one port (lib/server/workers.ts). A server of its own, so that a
// worker can be killed without disturbing the shared server of global-setup.ts.

const WORKERS = 2;
// lib/server/workers.ts: a worker that dies sooner than this after starting stops them all
const CRASH_WINDOW_MS = 10_000;

let server: TestServer;
// every worker pid seen, so that afterAll can check that none outlives the launcher
const seen = new Set<number>();

beforeAll(async () => {
  server = await startTestServer({ mode: 'supabase', workers: WORKERS });
});

afterAll(async () => {
  if (!server) return;
  for (const pid of workerPids(server.pid)) seen.add(pid);
  await server.stop();
  // the launcher takes its workers with it
  const left = await pollUntil(() => [...seen].filter(isAlive), (pids) => pids.length === 0, 5000);
  expect(left, `worker processes still running after the launcher stopped: ${left.join(', ')}`).toEqual([]);
  expect(server.logs()).not.toMatch(/\[api\].*unexpected error/);
});

describe(`npm start with WEB_CONCURRENCY=${WORKERS}`, () => {
  it('serves the API', async () => {
    const doc = await api('GET', '/api/v1/openapi.json', { baseUrl: server.baseUrl });
    expectStatus(doc, 200);
    expect(doc.body.openapi).toMatch(/^3\./);
    // api() checks the error shape of every 4xx
    const runs = await api('GET', '/api/v1/runs', { baseUrl: server.baseUrl });
    expectStatus(runs, 401);
    expect(runs.body.error.code).toBe('unauthorized');
  });

  it(`runs ${WORKERS} worker processes under the launcher`, () => {
    const pids = workerPids(server.pid);
    for (const pid of pids) seen.add(pid);
    expect(pids, `children of the launcher (pid ${server.pid})`).toHaveLength(WORKERS);
    for (const pid of pids) expect(commandLine(pid)).toMatch(/next/);
  });

  it('gives each worker a listening socket of its own', () => {
    const pids = workerPids(server.pid);
    expect(pids).toHaveLength(WORKERS);
    const listening = tcpSockets(Number(new URL(server.baseUrl).port), LISTEN);
    const owners = pids.map((pid) => socketInodes(pid).filter((inode) => listening.has(inode)));
    // one socket each, all different, none of them shared with the launcher
    for (const [i, inodes] of owners.entries()) expect(inodes, `listening sockets of worker ${pids[i]}`).toHaveLength(1);
    expect(new Set(owners.flat()).size).toBe(WORKERS);
    expect(socketInodes(server.pid).filter((inode) => listening.has(inode)), 'listening sockets of the launcher').toEqual([]);
  });

  it('spreads connections opened at once over the workers', async () => {
    // 32 keep-alive connections at once, as a load generator opens them: with one socket
    // shared by the workers, the first to wake accepted all 32
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    try {
      const clientPorts = new Set<number>();
      const answers = await Promise.all(
        Array.from({ length: 32 }, () => status(`${server.baseUrl}/api/v1/openapi.json`, agent, clientPorts)),
      );
      expect(answers).toEqual(answers.map(() => 200));
      expect(clientPorts.size, 'connections opened').toBe(32);
      // the server's ends of those connections, and which worker holds each
      const established = tcpSockets(Number(new URL(server.baseUrl).port), ESTABLISHED, clientPorts);
      const perWorker = workerPids(server.pid).map((pid) => socketInodes(pid).filter((inode) => established.has(inode)).length);
      expect(perWorker.reduce((a, b) => a + b, 0), 'connections held by the workers').toBe(32);
      // the kernel picks a socket by a hash of the client's port: fewer than 4 of 32 on one
      // of two workers has a probability of about one in a million
      for (const n of perWorker) expect(n, `connections per worker: ${perWorker.join(', ')}`).toBeGreaterThanOrEqual(4);
    } finally {
      agent.destroy();
    }
  });

  it('replaces a killed worker and keeps serving throughout', async () => {
    const before = workerPids(server.pid);
    expect(before).toHaveLength(WORKERS);
    for (const pid of before) seen.add(pid);
    // a worker killed within the crash window would stop the launcher: wait it out
    const youngest = Math.min(...before.map(ageMs));
    if (youngest < CRASH_WINDOW_MS + 500) await sleep(CRASH_WINDOW_MS + 500 - youngest);

    const [victim, survivor] = before as [number, number];
    expect(readyLines()).toBe(WORKERS);
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now();
    const within15s = () => Date.now() - killedAt < 15_000;
    // A connection that reached the victim's own socket (lib/server/reuse-port.ts) in the
    // instant before the kernel closed it is reset with it, like those it had accepted.
    // From then on the kernel sends every new connection to the survivor.
    // Waits for the launcher to reap the victim: a process whose main thread is a zombie may
    // still have threads exiting, and its sockets close only with the last of them.
    await pollUntil(() => procStat(victim), (stat) => stat === undefined, 5000);
    expect(procStat(victim), `worker ${victim} not reaped after SIGKILL:\n${server.logs()}`).toBeUndefined();

    // requests on fresh connections while one worker serves and the replacement starts:
    // each is answered (with the primary handing connections over, one handed to the victim
    // just after it died was never answered at all)
    const during: Array<number | string> = [];
    while (within15s() && readyLines() < WORKERS + 1) {
      during.push(await status(`${server.baseUrl}/api/v1/openapi.json`));
    }
    expect(server.logs()).toMatch(/A server process exited with signal SIGKILL: starting another\./);
    const replacedMs = Date.now() - killedAt;
    expect(isAlive(server.pid), `the launcher exited:\n${server.logs()}`).toBe(true);
    expect(readyLines(), `no replacement ready ${replacedMs} ms after killing ${victim}:\n${server.logs()}`).toBe(WORKERS + 1);
    const after = workerPids(server.pid);
    expect(after, `workers after killing ${victim}`).toHaveLength(WORKERS);
    expect(after).not.toContain(victim);
    expect(after).toContain(survivor);
    const replacement = after.find((pid) => pid !== survivor)!;
    seen.add(replacement);
    expect(before).not.toContain(replacement);
    expect(during.length, 'no request while the replacement started').toBeGreaterThan(0);
    expect(during, `answers while a worker was down: ${JSON.stringify(during)}`).toEqual(during.map(() => 200));

    // fresh connections go round the workers: the replacement serves its share
    const statuses: Array<number | string> = [];
    for (let i = 0; i < 20; i++) statuses.push(await status(`${server.baseUrl}/api/v1/openapi.json`));
    expect(statuses, 'answers after the replacement started').toEqual(statuses.map(() => 200));
    expect(workerPids(server.pid).sort()).toEqual(after.sort());
  });
});

// --- processes, from /proc (Linux) ---------------------------------------------------------

interface ProcStat {
  state: string;
  ppid: number;
  // field 22: clock ticks after boot
  startTicks: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ppid: Number(fields[1]), startTicks: Number(fields[19]) };
}

function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

// The live (not yet reaped is not live) child processes of pid: the launcher's workers.
function workerPids(parent: number): number[] {
  const pids: number[] = [];
  for (const line of execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' }).split('\n')) {
    const pid = Number(line.trim());
    if (line.trim() && procStat(pid)?.ppid === parent && isAlive(pid)) pids.push(pid);
  }
  return pids;
}

// Each `next start` prints "✓ Ready in …" once it serves.
function readyLines(): number {
  return server.logs().match(/Ready in \d/g)?.length ?? 0;
}

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function ageMs(pid: number): number {
  const stat = procStat(pid);
  if (!stat) return 0;
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return (uptime - stat.startTicks / CLOCK_TICKS) * 1000;
}

// --- sockets, from /proc/net (Linux) --------------------------------------------------------

const LISTEN = '0A';
const ESTABLISHED = '01';

// Inodes of the TCP sockets (IPv4 and IPv6) whose local port is port, in the given state
// (and, if given, whose remote port is one of remotePorts).
function tcpSockets(port: number, state: string, remotePorts?: Set<number>): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode"
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const localPort = parseInt(fields[1]!.split(':')[1]!, 16);
      const remotePort = parseInt(fields[2]!.split(':')[1]!, 16);
      if (localPort === port && fields[3] === state && (!remotePorts || remotePorts.has(remotePort))) inodes.add(fields[9]!);
    }
  }
  return inodes;
}

// Inodes of the sockets a process has open.
function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.push(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

// --- requests --------------------------------------------------------------------------------

// A GET on a connection of its own (no keep-alive pool that might hold a socket to the
// killed worker) unless an agent is given: the status, or the error that stood in for one.
function status(url: string, agent: http.Agent | false = false, clientPorts?: Set<number>): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, timeout: 5000 }, (res) => {
      if (res.socket.localPort) clientPorts?.add(res.socket.localPort);
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 'no status'));
      res.on('error', (error) => resolve(`response error: ${error.message}`));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve(`request error: ${error.message}`));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pollUntil<T>(fn: () => T, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}
