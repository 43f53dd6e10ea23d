import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import {
  api,
  assertErrorShape,
  createTenant,
  expectIssueAt,
  expectStatus,
  keyAuth,
  projectRowCounts,
  sessionAuth,
  superuserSql,
  validRun,
  type ApiResponse,
  type Tenant,
} from './helpers.ts';

// Issue 12's attacks, each kept as a test: prototype pollution through filter paths and JSON
// keys, paths and methods Next.js cannot route, the one rule for invalid text, and retried
// creates that differ.

let sql: Sql;
let a: Tenant;
let b: Tenant;
let aRun: string;

beforeAll(async () => {
  sql = superuserSql();
  a = await createTenant(sql, 'harden-a');
  b = await createTenant(sql, 'harden-b');
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ status: 'running' }) });
  expectStatus(res, 201);
  aRun = res.body.id;
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

// A request sent byte for byte (fetch refuses methods such as TRACE and normalises paths).
function rawRequest(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<ApiResponse> {
  const url = new URL(inject('baseUrl'));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text, body: parsed });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// Answered by the request guard before Next.js, in the same shape as a handler's errors.
function expectGuardError(res: ApiResponse, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  assertErrorShape(res);
  expect(res.body.error.code, res.text).toBe(code);
}

describe('prototype pollution', () => {
  it('a config filter through __proto__ is refused and leaves every other tenant working', async () => {
    const paths = [
      '/api/v1/runs?limit=1&config.__proto__.zzpolluted=1',
      '/api/v1/runs?limit=1&config.a.__proto__.zzpolluted=1',
      '/api/v1/runs?limit=1&config.__proto__=1',
      `/api/v1/runs?limit=1&config=${encodeURIComponent('{"__proto__.zzpolluted":1}')}`,
      `/api/v1/runs?limit=1&config=${encodeURIComponent('{"__proto__":{"zzpolluted":1}}')}`,
    ];
    // several times each, so every server process would get it
    for (let i = 0; i < 3; i++) {
      for (const path of paths) {
        const res = await api('GET', path, { headers: keyAuth(a.readKey) });
        expectStatus(res, 422);
        expect(res.text).toContain('__proto__');
      }
    }
    expect(({} as Record<string, unknown>).zzpolluted).toBeUndefined();
    // another tenant lists and creates as before
    const list = await api('GET', '/api/v1/runs?limit=5', { headers: keyAuth(b.key) });
    expectStatus(list, 200);
    const created = await api('POST', '/api/v1/runs', { headers: keyAuth(b.key), json: validRun({ runName: 'after the attack' }) });
    expectStatus(created, 201);
    expect(created.body.runName).toBe('after the attack');
    const filtered = await api('GET', '/api/v1/runs?limit=5&config.model=gpt-4o-mini', { headers: keyAuth(b.key) });
    expectStatus(filtered, 200);
    expect(filtered.body.data.map((r: { id: string }) => r.id)).toContain(created.body.id);
  });

  it('the same path in a dashboard URL shows a filter error, and the page still renders afterwards', async () => {
    const cookie = await sessionAuth(a.owner);
    const attack = await fetch(`${inject('baseUrl')}/projects/${a.projectId}/runs?config.__proto__.x=1`, { headers: cookie });
    expect(attack.status).toBe(200);
    expect(await attack.text()).toContain('__proto__');
    const page = await fetch(`${inject('baseUrl')}/projects/${a.projectId}/runs`, { headers: cookie });
    expect(page.status).toBe(200);
  });

  it('"__proto__" as a JSON key is refused with 422 naming where it is; "constructor" and "prototype" are stored as sent', async () => {
    const before = await projectRowCounts(sql, a.projectId);
    const bodies: Array<[string, string]> = [
      ['{"runName":"x","optimizerType":"miprov2","config":{"__proto__":{"admin":true}}}', 'config.__proto__'],
      ['{"runName":"x","optimizerType":"miprov2","metadata":{"a":[{"__proto__":1}]}}', 'metadata.a.0.__proto__'],
      ['{"runName":"x","optimizerType":"miprov2","__proto__":{"status":"completed"}}', ''],
    ];
    for (const [body, path] of bodies) {
      const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), body });
      expectIssueAt(res, path, /__proto__/);
    }
    const iter = await api('POST', `/api/v1/runs/${aRun}/iterations`, {
      headers: keyAuth(a.key),
      body: '{"iteration":3,"params":{"x":{"__proto__":{"polluted":1}}}}',
    });
    expectIssueAt(iter, 'params.x.__proto__', /__proto__/);
    const sample = await api('POST', `/api/v1/runs/${aRun}/samples`, {
      headers: keyAuth(a.key),
      body: '[{"iteration":3,"sampleIndex":0,"input":{"__proto__":"q"}}]',
    });
    expectIssueAt(sample, '0.input.__proto__', /__proto__/);
    expect(await projectRowCounts(sql, a.projectId)).toEqual(before);

    const config = { constructor: { name: 'x' }, prototype: 1, toString: 'y', hasOwnProperty: false };
    const ok = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ config }) });
    expectStatus(ok, 201);
    const read = await api('GET', `/api/v1/runs/${ok.body.id}`, { headers: keyAuth(a.key) });
    expect(read.body.config).toEqual(config);
    const [row] = await sql<{ config: unknown }[]>`select config from optimization_runs where id = ${ok.body.id}`;
    expect(row!.config).toEqual(config);
    // and they work as filter paths: an ordinary key, nothing inherited
    const filtered = await api('GET', '/api/v1/runs?limit=5&config.constructor.name=x&config.prototype=1', { headers: keyAuth(a.key) });
    expectStatus(filtered, 200);
    expect(filtered.body.data.map((r: { id: string }) => r.id)).toEqual([ok.body.id]);
  });
});

describe('paths and methods Next.js cannot route', () => {
  it.each([
    ['/api/v1/runs/%ZZ'],
    ['/api/v1/runs/%C0%AE%C0%AE%2Fprojects'],
    ['/api/v1/runs/%FF'],
    ['/api/v1/runs/abc%E0%80'],
    ['/api/v1/%ED%A0%80/runs'],
  ])('GET %s → 400 in the error shape', async (path) => {
    expectGuardError(await rawRequest('GET', path, keyAuth(a.key)), 400, 'bad_request');
  });

  it.each([['TRACE'], ['PROPFIND'], ['MKCOL'], ['LOCK'], ['PURGE'], ['SEARCH']])('%s /api/v1/runs → 405 in the error shape', async (method) => {
    const res = await rawRequest(method, '/api/v1/runs', keyAuth(a.key));
    expectGuardError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('an unknown path under /api/v1 is a JSON 404', async () => {
    for (const path of ['/api/v1/nope', `/api/v1/runs/${aRun}/nope`, '/api/v1/runs/a/b/c/d']) {
      const res = await api('GET', path, { headers: keyAuth(a.key) });
      expectStatus(res, 404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('a page path that is not UTF-8 is a 400, not a 500', async () => {
    const res = await rawRequest('GET', `/projects/%ZZ/runs`);
    expect(res.status).toBe(400);
  });
});

describe('one rule for invalid text: 422 naming the field', () => {
  const LONE = '\ud800';
  const post = (path: string, json: unknown) => api('POST', path, { headers: keyAuth(a.key), json });

  it('refuses a lone surrogate in every text field of a run, iteration and sample', async () => {
    const before = await projectRowCounts(sql, a.projectId);
    for (const field of ['runName', 'description', 'errorMessage']) {
      expectIssueAt(await post('/api/v1/runs', validRun({ [field]: `x${LONE}` })), field, /surrogate/);
    }
    expectIssueAt(await post('/api/v1/runs', validRun({ tags: ['ok', `t${LONE}`] })), 'tags.1', /surrogate/);
    expectIssueAt(await post('/api/v1/runs', validRun({ config: { model: `m${LONE}` } })), 'config.model', /surrogate/);
    expectIssueAt(await post('/api/v1/runs', validRun({ metadata: { [`k${LONE}`]: 1 } })), 'metadata', /surrogate.*keys/);
    expectIssueAt(
      await api('PATCH', `/api/v1/runs/${aRun}`, { headers: keyAuth(a.key), json: { runName: `r${LONE}` } }),
      'runName',
      /surrogate/,
    );
    expectIssueAt(await post(`/api/v1/runs/${aRun}/iterations`, { iteration: 4, programHash: `h${LONE}` }), 'programHash', /surrogate/);
    expectIssueAt(await post(`/api/v1/runs/${aRun}/iterations`, { iteration: 4, params: { p: [LONE] } }), 'params.p.0', /surrogate/);
    expectIssueAt(await post(`/api/v1/runs/${aRun}/iterations`, { iteration: 4, programState: { s: LONE } }), 'programState.s', /surrogate/);
    for (const field of ['input', 'output', 'expected']) {
      expectIssueAt(await post(`/api/v1/runs/${aRun}/samples`, [{ iteration: 4, sampleIndex: 0, [field]: { q: LONE } }]), `0.${field}.q`, /surrogate/);
    }
    expectIssueAt(await post(`/api/v1/runs/${aRun}/samples`, [{ iteration: 4, sampleIndex: 0, error: LONE }]), '0.error', /surrogate/);
    expectIssueAt(await post(`/api/v1/runs/${aRun}/samples`, [{ iteration: 4, sampleIndex: 0, metadata: { m: LONE } }]), '0.metadata.m', /surrogate/);
    expect(await projectRowCounts(sql, a.projectId)).toEqual(before);
  });

  it('refuses bytes that are not UTF-8 in a body, naming the field', async () => {
    const before = await projectRowCounts(sql, a.projectId);
    const body = Buffer.concat([Buffer.from('{"runName":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('","optimizerType":"miprov2"}')]);
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), body });
    expectIssueAt(res, 'runName', /UTF-8/);
    const overlong = Buffer.concat([Buffer.from('{"runName":"'), Buffer.from([0xc0, 0xae]), Buffer.from('","optimizerType":"miprov2"}')]);
    expectIssueAt(await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), body: overlong }), 'runName', /UTF-8/);
    // a CESU-8 encoded surrogate is not UTF-8 either
    const cesu = Buffer.concat([Buffer.from('[{"iteration":1,"sampleIndex":0,"error":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}]')]);
    expectIssueAt(await api('POST', `/api/v1/runs/${aRun}/samples`, { headers: keyAuth(a.key), body: cesu }), '0.error', /UTF-8/);
    expect(await projectRowCounts(sql, a.projectId)).toEqual(before);
  });

  it('refuses query strings that are not UTF-8 or hold invalid text', async () => {
    expectIssueAt(await api('GET', '/api/v1/runs?search=%FF%FE', { headers: keyAuth(a.key) }), 'search', /UTF-8/);
    expectIssueAt(await api('GET', '/api/v1/runs?tags=%ED%A0%80', { headers: keyAuth(a.key) }), 'tags', /UTF-8/);
    expectIssueAt(await api('GET', '/api/v1/runs?search=a%00b', { headers: keyAuth(a.key) }), 'search', /NUL/);
    expectIssueAt(await api('GET', `/api/v1/runs/${aRun}/samples?iteration=%C0%B1`, { headers: keyAuth(a.key) }), 'iteration', /UTF-8/);
    // valid UTF-8 beyond ASCII is fine
    expectStatus(await api('GET', `/api/v1/runs?search=${encodeURIComponent('résumé 😀')}`, { headers: keyAuth(a.key) }), 200);
  });

  it('keeps valid non-ASCII text exactly', async () => {
    const name = 'Ωmega 😀 — 東京 \u00e9';
    const res = await post('/api/v1/runs', validRun({ runName: name, tags: ['😀'] }));
    expectStatus(res, 201);
    const [row] = await sql<{ run_name: string; tags: string[] }[]>`select run_name, tags from optimization_runs where id = ${res.body.id}`;
    expect(row).toEqual({ run_name: name, tags: ['😀'] });
  });
});

describe('retried creates', () => {
  it('the same body returns the original run; a different body is a 409 naming the fields', async () => {
    const id = randomUUID();
    const body = validRun({ id, status: 'running', config: { model: 'm', b: 1, a: 2 }, finalScore: null });
    const first = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: body });
    expectStatus(first, 201);
    expect(first.body).not.toHaveProperty('createDigest');
    // same body (keys in another order, null for an absent field): the original
    const same = await api('POST', '/api/v1/runs', {
      headers: keyAuth(a.key),
      json: { ...validRun({ id, status: 'running' }), config: { a: 2, b: 1, model: 'm' } },
    });
    expectStatus(same, 201);
    expect(same.body).toEqual(first.body);

    const differs = await api('POST', '/api/v1/runs', {
      headers: keyAuth(a.key),
      json: validRun({ id, status: 'running', runName: 'renamed', config: { model: 'other' } }),
    });
    expectStatus(differs, 409);
    expect(differs.body.error.code).toBe('conflict');
    expect(differs.body.error.details.fields).toEqual(['config', 'runName']);
    expect(differs.body.error.message).toMatch(/config, runName/);
    const added = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: { ...body, description: 'new' } });
    expectStatus(added, 409);
    expect(added.body.error.details.fields).toEqual(['description']);

    // after the run moved on, a retry of the create still gets the run, as it is now
    expectStatus(await api('PATCH', `/api/v1/runs/${id}`, { headers: keyAuth(a.key), json: { status: 'completed', finalScore: 0.7 } }), 200);
    const late = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: body });
    expectStatus(late, 201);
    expect(late.body).toMatchObject({ id, status: 'completed', finalScore: 0.7 });
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from optimization_runs where id = ${id}`;
    expect(count!.n).toBe(1);
  });

  it('concurrent retries of one create make one run and all get it', async () => {
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id }) })),
    );
    for (const res of results) expectStatus(res, 201);
    expect(new Set(results.map((r) => r.body.id))).toEqual(new Set([id]));
  });

  it('an error answer from the guard is not cached and closes the connection', async () => {
    const res = await rawRequest('TRACE', '/api/v1/runs');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('connection')).toBe('close');
  });
});
