import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import {
  api,
  assertNoLeak,
  createTenant,
  expectIssueAt,
  expectStatus,
  keyAuth,
  projectRowCounts,
  superuserSql,
  validRun,
  type ApiResponse,
  type Tenant,
} from './helpers.ts';

// Bad input gets a clear 4xx (400 malformed JSON or empty body, 413 too large, 415 not
// JSON, 422 invalid with details.issues naming the field) and writes nothing: after every
// test the project's runs, iterations and samples are counted with the superuser
// connection and compared with the counts before it.

const MAX_BODY_BYTES = 4 * 1024 * 1024; // API_MAX_BODY_BYTES of the test server (global-setup.ts)

let sql: Sql;
let t: Tenant;
let runId: string;
let runBefore: Record<string, unknown>;
let before: Awaited<ReturnType<typeof projectRowCounts>>;

const runSnapshot = async () => (await sql`select * from optimization_runs where id = ${runId}`)[0]!;

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'bad');
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ status: 'running' }) });
  expectStatus(res, 201);
  runId = res.body.id;
  expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 1, score: 0.5 } }), 201);
  expectStatus(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: [{ iteration: 1, sampleIndex: 0, score: 1 }] }), 201);
});

beforeEach(async () => {
  before = await projectRowCounts(sql, t.projectId);
  runBefore = await runSnapshot();
});

// nothing written: no row added anywhere in the project, the run untouched
afterEach(async () => {
  expect(await projectRowCounts(sql, t.projectId)).toEqual(before);
  expect(await runSnapshot()).toEqual(runBefore);
  const [sample] = await sql`select score from optimization_samples where run_id = ${runId}`;
  expect(sample).toEqual({ score: 1 });
  const [iteration] = await sql`select score from optimization_iterations where run_id = ${runId}`;
  expect(iteration).toEqual({ score: 0.5 });
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const postRun = (json: unknown) => api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json });
const patchRun = (json: unknown) => api('PATCH', `/api/v1/runs/${runId}`, { headers: keyAuth(t.key), json });
const postIterations = (json: unknown) => api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json });
const postSamples = (json: unknown) => api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json });
const raw = (method: string, path: string, body: string | Buffer, contentType = 'application/json') =>
  api(method, path, { headers: { ...keyAuth(t.key), 'content-type': contentType }, body });

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('wrong types and out-of-range values (422 naming the field)', () => {
  it('refuses wrong types in a new run', async () => {
    expectIssueAt(await postRun(validRun({ runName: 42 })), 'runName');
    expectIssueAt(await postRun(validRun({ tags: 'prod' })), 'tags');
    expectIssueAt(await postRun(validRun({ tags: ['ok', 7] })), 'tags.1');
    expectIssueAt(await postRun(validRun({ config: ['not', 'an', 'object'] })), 'config');
    expectIssueAt(await postRun(validRun({ finalScore: '0.5' })), 'finalScore');
    expectIssueAt(await postRun(validRun({ samplesEvaluated: 1.5 })), 'samplesEvaluated');
    expectIssueAt(await postRun(validRun({ startedAt: 'yesterday' })), 'startedAt');
    expectIssueAt(await postRun(validRun({ status: 'finished' })), 'status');
    expectIssueAt(await postRun(validRun({ id: 'run-1' })), 'id');
    expectIssueAt(await postRun(validRun({ optimizerType: 'MIPRO v2' })), 'optimizerType');
    expectIssueAt(await postRun(validRun({ runName: '   ' })), 'runName');
    expectIssueAt(await postRun({ optimizerType: 'miprov2' }), 'runName');
    expectIssueAt(await postRun(validRun({ projectId: 'Not A Project!' })), 'projectId');
  });

  it('refuses scores outside [0, 1] in runs, iterations and samples', async () => {
    expectIssueAt(await postRun(validRun({ finalScore: 1.5 })), 'finalScore', /between 0 and 1/);
    expectIssueAt(await postRun(validRun({ initialScore: -0.1 })), 'initialScore', /between 0 and 1/);
    expectIssueAt(await patchRun({ bestScore: 1.5 }), 'bestScore');
    expectIssueAt(await patchRun({ finalScore: -0.1 }), 'finalScore');
    expectIssueAt(await postIterations({ iteration: 2, score: 1.5 }), 'score');
    expectIssueAt(await postIterations([{ iteration: 2, score: 0.5 }, { iteration: 3, score: -0.1 }]), '1.score');
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 5, score: 1.5 }]), '0.score');
    expectIssueAt(await postSamples({ samples: [{ iteration: 1, sampleIndex: 5, score: -0.1 }] }), '0.score');
    // 1e999 parses as Infinity: not a finite score
    expectIssueAt(await raw('POST', '/api/v1/runs', '{"runName":"x","optimizerType":"miprov2","finalScore":1e999}'), 'finalScore');
  });

  it('refuses wrong types in iterations, samples and patches', async () => {
    expectIssueAt(await postIterations({ iteration: 'one' }), 'iteration');
    expectIssueAt(await postIterations({ iteration: -1 }), 'iteration');
    expectIssueAt(await postIterations({ iteration: 2, tokens: 1.5 }), 'tokens');
    expectIssueAt(await postIterations({ iteration: 2, params: 'fast' }), 'params');
    expectIssueAt(await postSamples([{ iteration: 1 }]), '0.sampleIndex');
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 9, error: 500 }]), '0.error');
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 9, metadata: [1, 2] }]), '0.metadata');
    expectIssueAt(await postSamples([7]), '0');
    expectIssueAt(await patchRun({ status: 42 }), 'status');
    expectIssueAt(await patchRun({ iterations: -3 }), 'iterations');
    expectIssueAt(await patchRun({ endedAt: '2026-13-45' }), 'endedAt');
    // a JSON value that is not an object where an object is expected
    expectStatus(await postRun([validRun()]), 422);
    expectStatus(await postRun('a string'), 422);
    expectStatus(await postRun(null), 422);
    expectStatus(await patchRun([{ runName: 'x' }]), 422);
  });

  it('refuses unknown fields, naming them', async () => {
    const res = await postRun(validRun({ colour: 'red' }));
    expectIssueAt(res, '', /unknown field "colour"/);
    expectIssueAt(await patchRun({ runName: 'renamed', colour: 'red' }), '', /colour/);
    expectIssueAt(await postIterations({ iteration: 2, colour: 'red' }), '', /colour/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 3, colour: 'red' }]), '0', /colour/);
    // fields the server owns cannot be sent
    expectIssueAt(await postRun(validRun({ createdBy: t.owner.id })), '', /createdBy/);
    expectIssueAt(await postRun(validRun({ improvement: 0.5 })), '', /improvement/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 3, projectId: t.projectId }]), '0', /projectId/);
    // the {"samples": [...]} wrapper takes nothing beside the samples
    expectIssueAt(await postSamples({ samples: [{ iteration: 1, sampleIndex: 3 }], colour: 'red' }), '', /colour/);
    expectIssueAt(await postSamples({ samples: [{ iteration: 1, sampleIndex: 3 }], runId }), '', /runId/);
  });
});

describe('NUL characters (PostgreSQL cannot store them)', () => {
  it('refuses NUL in text fields with 422', async () => {
    expectIssueAt(await postRun(validRun({ runName: 'a\u0000b' })), 'runName', /NUL/);
    expectIssueAt(await postRun(validRun({ description: 'x\u0000' })), 'description', /NUL/);
    expectIssueAt(await postRun(validRun({ tags: ['ok', 'b\u0000d'] })), 'tags.1', /NUL/);
    expectIssueAt(await patchRun({ errorMessage: 'boom\u0000' }), 'errorMessage', /NUL/);
    expectIssueAt(await postIterations({ iteration: 2, programHash: 'abc\u0000' }), 'programHash', /NUL/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 4, error: 'bad\u0000' }]), '0.error', /NUL/);
  });

  it('refuses NUL inside JSON documents, in values and in keys', async () => {
    expectIssueAt(await postRun(validRun({ config: { prompt: { text: 'a\u0000b' } } })), 'config.prompt.text', /NUL/);
    expectIssueAt(await postRun(validRun({ config: { 'k\u0000': 1 } })), 'config', /NUL/);
    expectIssueAt(await postRun(validRun({ metadata: { list: ['x', 'y\u0000'] } })), 'metadata.list.1', /NUL/);
    expectIssueAt(await patchRun({ config: { deep: { deeper: 'z\u0000' } } }), 'config.deep.deeper', /NUL/);
    expectIssueAt(await postIterations({ iteration: 2, programState: { demos: ['\u0000'] } }), 'programState.demos.0', /NUL/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 4, input: { q: 'what\u0000' } }]), '0.input.q', /NUL/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 4, output: '\u0000' }]), '0.output', /NUL/);
  });

  it('refuses NUL in query parameters', async () => {
    expectIssueAt(await api('GET', '/api/v1/runs?search=a%00b', { headers: keyAuth(t.key) }), 'search');
    expectIssueAt(await api('GET', '/api/v1/runs?tags=a%00b', { headers: keyAuth(t.key) }), 'tags.0');
    expectIssueAt(await api('GET', '/api/v1/leaderboard?tag=%00', { headers: keyAuth(t.key) }), 'tag');
    expectStatus(await api('GET', '/api/v1/runs?config.model=a%00b', { headers: keyAuth(t.key) }), 422);
    expectStatus(await api('GET', `/api/v1/analytics?projectId=${t.projectId}%00`, { headers: keyAuth(t.key) }), 422);
  });
});

describe('deeply nested JSON', () => {
  it('refuses JSON nested 30 levels deep with 422', async () => {
    expectIssueAt(await postRun(validRun({ config: nested(30) })), `config${'.a'.repeat(20)}`, /nested deeper than 20/);
    expectIssueAt(await patchRun({ metadata: nested(30) }), `metadata${'.a'.repeat(20)}`, /nested deeper/);
    expectIssueAt(await postIterations({ iteration: 2, programState: nested(30) }), `programState${'.a'.repeat(20)}`, /nested deeper/);
    expectIssueAt(await postSamples([{ iteration: 1, sampleIndex: 8, input: nested(30) }]), `0.input${'.a'.repeat(20)}`, /nested deeper/);
    // 20 levels are fine (checked on a scratch run that is removed again)
    const ok = await postRun(validRun({ config: nested(19) }));
    expectStatus(ok, 201);
    expectStatus(await api('DELETE', `/api/v1/runs/${ok.body.id}`, { headers: keyAuth(t.key) }), 204);
  });

  it('refuses JSON nested 100,000 levels deep with 400 or 422, and keeps serving', async () => {
    const depth = 100_000;
    const deepObject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const deepArray = '['.repeat(depth) + ']'.repeat(depth);
    const attempts: ApiResponse[] = [
      await raw('POST', '/api/v1/runs', `{"runName":"deep","optimizerType":"miprov2","config":${deepObject}}`),
      await raw('POST', '/api/v1/runs', deepArray),
      await raw('PATCH', `/api/v1/runs/${runId}`, `{"metadata":${deepObject}}`),
      await raw('POST', `/api/v1/runs/${runId}/iterations`, `{"iteration":2,"programState":${deepArray}}`),
      await raw('POST', `/api/v1/runs/${runId}/iterations`, deepArray),
      await raw('POST', `/api/v1/runs/${runId}/samples`, `[{"iteration":1,"sampleIndex":9,"input":${deepObject}}]`),
      await raw('POST', `/api/v1/runs/${runId}/samples`, `{"samples":${deepArray}}`),
    ];
    for (const res of attempts) expect([400, 422], res.text.slice(0, 200)).toContain(res.status);
    const alive = await api('GET', '/api/v1/projects', { headers: keyAuth(t.key) });
    expectStatus(alive, 200);
    expect(alive.body.data.map((p: { id: string }) => p.id)).toEqual([t.projectId]);
  });
});

describe('malformed, empty and non-JSON bodies', () => {
  it('refuses malformed JSON with 400 invalid_json', async () => {
    for (const body of ['{"runName": ', '{runName: "x"}', "{'runName': 'x'}", '{"runName":"x",}', 'undefined', '{"a":NaN}', '[1,2', '"unterminated']) {
      const res = await raw('POST', '/api/v1/runs', body);
      expectStatus(res, 400);
      expect(res.body.error.code).toBe('invalid_json');
    }
    expectStatus(await raw('PATCH', `/api/v1/runs/${runId}`, '{"status":'), 400);
    expectStatus(await raw('POST', `/api/v1/runs/${runId}/iterations`, '[{"iteration":1}'), 400);
    expectStatus(await raw('POST', `/api/v1/runs/${runId}/samples`, '[{"iteration":1,"sampleIndex":1}]]'), 400);
  });

  it('refuses an empty body with 400', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/runs'],
      ['PATCH', `/api/v1/runs/${runId}`],
      ['POST', `/api/v1/runs/${runId}/iterations`],
      ['POST', `/api/v1/runs/${runId}/samples`],
    ] as const) {
      const empty = await raw(method, path, '');
      expectStatus(empty, 400);
      expect(empty.body.error.message).toMatch(/empty/);
      expectStatus(await raw(method, path, '  \n\t '), 400);
    }
  });

  it('refuses bodies that are not declared as JSON with 415', async () => {
    const body = JSON.stringify(validRun());
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/xml']) {
      const res = await raw('POST', '/api/v1/runs', body, type);
      expectStatus(res, 415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    expectStatus(await raw('PATCH', `/api/v1/runs/${runId}`, '{"runName":"x"}', 'text/plain'), 415);
    expectStatus(await raw('POST', `/api/v1/runs/${runId}/iterations`, '{"iteration":2}', 'text/plain'), 415);
    expectStatus(await raw('POST', `/api/v1/runs/${runId}/samples`, '[]', 'text/plain'), 415);
    // no content type at all
    const res = await fetch(`${inject('baseUrl')}/api/v1/runs`, {
      method: 'POST',
      headers: keyAuth(t.key),
      body: new Blob([body]), // a Blob without a type sends no Content-Type
    });
    expect(res.status).toBe(415);
  });

  it('accepts "application/json; charset=utf-8" (control: refused by validation, not by type)', async () => {
    const res = await raw('POST', '/api/v1/runs', JSON.stringify(validRun({ colour: 'red' })), 'application/json; charset=utf-8');
    expectIssueAt(res, '', /colour/);
  });
});

describe('bodies larger than API_MAX_BODY_BYTES (413)', () => {
  const oversized = () => JSON.stringify(validRun({ description: null, metadata: { blob: 'x'.repeat(MAX_BODY_BYTES) } }));

  it('refuses a body whose Content-Length is over the limit', async () => {
    const body = oversized();
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await raw('POST', '/api/v1/runs', body);
    expectStatus(res, 413);
    expect(res.body.error.code).toBe('payload_too_large');
    expectStatus(await raw('POST', `/api/v1/runs/${runId}/samples`, JSON.stringify([{ iteration: 1, sampleIndex: 2, input: 'x'.repeat(MAX_BODY_BYTES) }])), 413);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    const bytes = Buffer.from(oversized());
    const chunk = 256 * 1024;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.subarray(i, i + chunk));
        controller.close();
      },
    });
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), body: stream });
    expectStatus(res, 413);
    // just under the limit is accepted (then refused by validation, not by size)
    const under = JSON.stringify(validRun({ metadata: { blob: 'x'.repeat(MAX_BODY_BYTES - 500) }, colour: 'red' }));
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expectIssueAt(await raw('POST', '/api/v1/runs', under), '', /colour/);
  });
});

describe('the leak scan applied to every error body (helpers.ts)', () => {
  it('flags stack traces, source locations and SQL, and passes honest messages', () => {
    const leaks = [
      JSON.stringify({ error: { message: 'RangeError: Invalid time value\n    at cachedError (file:///app/node_modules/postgres/src/query.js:170:23)' } }),
      JSON.stringify({ error: { message: 'failed at handler (lib/api/handler.ts:88:13)' } }),
      JSON.stringify({ error: { message: 'syntax error in select * from optimization_runs where id = $1' } }),
      JSON.stringify({ error: { message: 'insert into api_keys failed' } }),
      JSON.stringify({ error: { message: 'PostgresError: relation "x" does not exist' } }),
    ];
    for (const text of leaks) expect(() => assertNoLeak(text), text).toThrow();
    assertNoLeak(JSON.stringify({ error: { code: 'payload_too_large', message: 'at most 5000 samples per request; got 5001' } }));
    assertNoLeak(JSON.stringify({ error: { code: 'validation_failed', message: 'invalid input: runName: must be at most 500 characters' } }));
  });
});
