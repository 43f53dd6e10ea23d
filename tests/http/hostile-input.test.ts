import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { api, createTenant, expectStatus, keyAuth, projectRowCounts, superuserSql, validRun, type Tenant } from './helpers.ts';

// Hostile input from every side — bodies, paths, query strings, headers, methods — generated
// as a few hundred cases. Each must be answered below 500; every 4xx from a handler carries
// the error shape (api() asserts it); a refused write leaves the project exactly as it was.

let sql: Sql;
let t: Tenant;
let runId: string;

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'hostile');
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ status: 'running' }) });
  expectStatus(res, 201);
  runId = res.body.id;
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const LONG = 'x'.repeat(20_000);
const deep = (n: number): unknown => (n === 0 ? 1 : { a: deep(n - 1) });
const deepArray = (n: number): unknown => (n === 0 ? 1 : [deepArray(n - 1)]);

// Values that break naive code: wrong types, edge numbers, invalid text, injection payloads.
const HOSTILE_VALUES: Array<[string, unknown]> = [
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['negative', -1],
  ['float', 1.5],
  ['huge number', 1e308],
  ['max safe + 1', Number.MAX_SAFE_INTEGER + 1],
  ['empty string', ''],
  ['spaces', '   '],
  ['NUL', 'a\u0000b'],
  ['lone surrogate', 'a\ud800b'],
  ['reversed surrogates', '\udc00\ud800'],
  ['long string', LONG],
  ['SQL injection', "'; drop table optimization_runs; --"],
  ['SQL comment', "x' or '1'='1"],
  ['path traversal', '../../etc/passwd'],
  ['HTML', '<script>alert(1)</script>'],
  ['format string', '%s%s%s%n'],
  ['RTL override', '\u202egnp.exe'],
  ['array', [1, 2, 3]],
  ['empty object', {}],
  ['__proto__ object', JSON.parse('{"__proto__":{"polluted":true}}')],
  ['constructor object', { constructor: { prototype: { polluted: true } } }],
  ['deep object', deep(40)],
  ['deep array', deepArray(40)],
  ['emoji', '😀'.repeat(10)],
];

type Json = Record<string, unknown>;
interface Case {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  raw?: () => Buffer | string;
  headers?: () => Record<string, string>;
}

const cases: Case[] = [];
const runFields = ['runName', 'description', 'optimizerType', 'status', 'config', 'metadata', 'tags', 'startedAt', 'finalScore', 'samplesEvaluated', 'errorMessage', 'id', 'projectId'];
for (const field of runFields) {
  for (const [label, value] of HOSTILE_VALUES) {
    cases.push({ name: `POST run ${field} = ${label}`, method: 'POST', path: () => '/api/v1/runs', body: () => ({ ...validRun(), [field]: value }) });
  }
}
for (const field of ['runName', 'status', 'config', 'tags', 'finalScore', 'iterations']) {
  for (const [label, value] of HOSTILE_VALUES.slice(0, 16)) {
    cases.push({ name: `PATCH run ${field} = ${label}`, method: 'PATCH', path: () => `/api/v1/runs/${runId}`, body: () => ({ [field]: value }) });
  }
}
for (const field of ['iteration', 'score', 'params', 'programState', 'tokens']) {
  for (const [label, value] of HOSTILE_VALUES.slice(0, 14)) {
    cases.push({
      name: `POST iteration ${field} = ${label}`,
      method: 'POST',
      path: () => `/api/v1/runs/${runId}/iterations`,
      body: () => ({ iteration: 900, [field]: value }),
    });
  }
}
for (const field of ['sampleIndex', 'input', 'output', 'error', 'metadata', 'score']) {
  for (const [label, value] of HOSTILE_VALUES.slice(0, 14)) {
    cases.push({
      name: `POST samples ${field} = ${label} (second of two: all-or-nothing)`,
      method: 'POST',
      path: () => `/api/v1/runs/${runId}/samples`,
      body: () => [
        { iteration: 900, sampleIndex: 1, score: 0.5 },
        { iteration: 900, sampleIndex: 2, [field]: value },
      ],
    });
  }
}
const QUERY_VALUES = ['%FF', '%00', '%ED%A0%80', '-1', '1e999', 'NaN', 'null', '%27%20or%201%3D1--', '..%2F..%2F', 'a'.repeat(5000), '%C0%AE', '[]', '{}', '%E2%80%AE'];
for (const param of ['limit', 'status', 'search', 'tags', 'minScore', 'orderBy', 'cursor', 'config.model', 'config', 'createdAfter', 'projectId', 'config.__proto__.x']) {
  for (const value of QUERY_VALUES) {
    cases.push({ name: `GET runs ?${param}=${value.slice(0, 20)}`, method: 'GET', path: () => `/api/v1/runs?${param}=${value}` });
  }
}
for (const value of QUERY_VALUES) {
  cases.push({ name: `GET samples ?iteration=${value.slice(0, 20)}`, method: 'GET', path: () => `/api/v1/runs/${runId}/samples?iteration=${value}` });
  cases.push({ name: `GET leaderboard ?limit=${value.slice(0, 20)}`, method: 'GET', path: () => `/api/v1/leaderboard?limit=${value}` });
}
const PATHS = [
  '/api/v1/runs/not-a-uuid',
  '/api/v1/runs/00000000-0000-0000-0000-000000000000',
  '/api/v1/runs/%2e%2e%2f%2e%2e%2fprojects',
  '/api/v1/runs/..%2F..%2Fprojects',
  '/api/v1/runs/%00',
  '/api/v1/runs/%ZZ',
  '/api/v1/runs/%C0%AE%C0%AE%2Fprojects',
  '/api/v1/runs/x/iterations',
  '/api/v1/runs/x/samples',
  '/api/v1/runs/x/summary',
  '/api/v1//runs',
  '/api/v1/runs/;select%201',
  `/api/v1/runs/${'a'.repeat(3000)}`,
  '/api/v1/runs/%F0%9F%98%80',
];
for (const path of PATHS) {
  for (const method of ['GET', 'POST', 'PATCH', 'DELETE']) {
    cases.push({ name: `${method} ${path.slice(0, 60)}`, method, path: () => path, body: method === 'GET' || method === 'DELETE' ? undefined : () => ({}) });
  }
}
const RAW_BODIES: Array<[string, Buffer | string]> = [
  ['not JSON', 'runName=x'],
  ['truncated JSON', '{"runName":"x"'],
  ['trailing garbage', '{"runName":"x","optimizerType":"miprov2"} xx'],
  ['two documents', '{}{}'],
  ['BOM', '\ufeff{"runName":"x","optimizerType":"miprov2"}'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ['UTF-16LE', Buffer.from('{"runName":"x","optimizerType":"miprov2"}', 'utf16le')],
  ['empty', ''],
  ['whitespace', '   \n'],
  ['number', '42'],
  ['string', '"run"'],
  ['deep nesting', '['.repeat(100_000) + ']'.repeat(100_000)],
  ['duplicate keys', '{"runName":"a","runName":"b","optimizerType":"miprov2","status":"x"}'],
  ['1e999', '{"runName":"x","optimizerType":"miprov2","finalScore":1e999}'],
  ['escaped NUL key', '{"runName":"x","optimizerType":"miprov2","config":{"\\u0000":1}}'],
  ['escaped lone surrogate', '{"runName":"\\ud800","optimizerType":"miprov2"}'],
];
for (const [label, body] of RAW_BODIES) {
  for (const path of ['/api/v1/runs', '/api/v1/runs/__RUN__/iterations', '/api/v1/runs/__RUN__/samples']) {
    cases.push({ name: `POST raw ${label} to ${path}`, method: 'POST', path: () => path.replace('__RUN__', runId), raw: () => body });
  }
}
const HEADERS: Array<[string, Record<string, string>]> = [
  ['no content type', { 'content-type': '' }],
  ['text/plain', { 'content-type': 'text/plain' }],
  ['form', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['json latin1', { 'content-type': 'application/json; charset=latin1' }],
  ['bearer without key', { authorization: 'Bearer' }],
  ['basic auth', { authorization: 'Basic YTpi' }],
  ['bearer garbage', { authorization: 'Bearer osk_' + 'A'.repeat(500) }],
  ['bearer with spaces', { authorization: 'Bearer osk_a osk_b' }],
  ['JWT-looking garbage', { authorization: 'Bearer a.b.c' }],
  ['foreign origin', { origin: 'https://evil.example' }],
  ['x-forwarded-host', { 'x-forwarded-host': 'evil.example' }],
  ['huge header', { 'x-filler': 'y'.repeat(8000) }],
  ['content-length lie', { 'content-length': '999999999' }],
];
for (const [label, headers] of HEADERS) {
  for (const method of ['GET', 'POST']) {
    cases.push({
      name: `${method} runs with ${label}`,
      method,
      path: () => '/api/v1/runs',
      headers: () => headers,
      body: method === 'POST' ? () => validRun({ runName: 'hostile header run' }) : undefined,
    });
  }
}
for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PURGE', 'REPORT', 'SEARCH', 'LINK', 'PROPPATCH']) {
  cases.push({ name: `${method} /api/v1/runs`, method, path: () => '/api/v1/runs' });
}

// node:http sends what fetch would refuse or rewrite (methods, raw paths, lying headers).
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; type: string; text: string }> {
  const url = new URL(inject('baseUrl'));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${method} ${path} within 30 s`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // a server may close early on a body it refused (content-length lie): that is an answer
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 400, type: 'closed', text: '' });
      else reject(error);
    });
    if (body && !headers['content-length']) req.setHeader('content-length', body.length);
    if (body) req.end(body);
    else req.end();
  });
}

describe('hostile input', () => {
  it(`has at least 300 cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
  });

  it('answers every case below 500, in the error shape, and never writes half', { timeout: 600_000 }, async () => {
    const problems: string[] = [];
    for (const c of cases) {
      const before = await projectRowCounts(sql, t.projectId);
      const [runBefore] = await sql`select run_name, status, config, tags, final_score, iterations from optimization_runs where id = ${runId}`;
      const headers: Record<string, string> = { ...keyAuth(t.key) };
      let body: Buffer | undefined;
      if (c.raw) body = Buffer.from(c.raw());
      else if (c.body) body = Buffer.from(JSON.stringify(c.body()));
      if (body) headers['content-type'] = 'application/json';
      for (const [k, v] of Object.entries(c.headers?.() ?? {})) {
        if (v === '') delete headers[k];
        else headers[k] = v;
      }
      let res: { status: number; type: string; text: string };
      try {
        res = await send(c.method, c.path(), headers, body);
      } catch (error) {
        problems.push(`${c.name}: ${(error as Error).message}`);
        continue;
      }
      if (res.status >= 500) problems.push(`${c.name}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status >= 400 && res.type !== 'closed') {
        let parsed: { error?: { code?: unknown; message?: unknown } } | undefined;
        try {
          parsed = JSON.parse(res.text) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        if (!res.type.startsWith('application/json') || typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') {
          problems.push(`${c.name}: ${res.status} without the error shape: ${res.text.slice(0, 200)}`);
        }
        const after = await projectRowCounts(sql, t.projectId);
        const [runAfter] = await sql`select run_name, status, config, tags, final_score, iterations from optimization_runs where id = ${runId}`;
        if (JSON.stringify(after) !== JSON.stringify(before) || JSON.stringify(runAfter) !== JSON.stringify(runBefore)) {
          problems.push(`${c.name}: refused with ${res.status} but the project changed`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('left no prototype polluted in the server: a plain create and list still work', async () => {
    const created = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ runName: 'after hostile input' }) });
    expectStatus(created, 201);
    const list = await api('GET', '/api/v1/runs?limit=200', { headers: keyAuth(t.key) });
    expectStatus(list, 200);
    expect(list.body.data.some((r: Json) => r.id === created.body.id)).toBe(true);
  });
});
