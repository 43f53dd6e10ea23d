import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { api, createTenant, expectIssueAt, expectStatus, keyAuth, superuserSql, validRun, type Tenant } from './helpers.ts';

// GET /api/v1/openapi.json: a valid OpenAPI 3.1 document that describes every route the
// app serves, with request schemas generated from the zod input schemas.

const root = path.resolve(import.meta.dirname, '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// The versioned API's route handlers on disk (app/api/v1), as OpenAPI paths with the methods they export.
function routesOnDisk(): Map<string, string[]> {
  const routes = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      // the catch-all (app/api/v1/[...path]) answers 404 for paths no route serves: not an endpoint
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('[...')) walk(full);
      } else if (entry.name === 'route.ts') {
        const source = readFileSync(full, 'utf8');
        // methods bound to methodNotAllowed (`= unsupported`) are refusals, not endpoints
        const methods = [...source.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b(?!\s*=\s*unsupported\b)/g)].map((m) => m[1]!.toLowerCase());
        const apiPath = '/' + path.relative(path.join(root, 'app'), path.dirname(full)).split(path.sep).join('/').replace(/\[(\w+)\]/g, '{$1}');
        routes.set(apiPath, methods);
      }
    }
  };
  walk(path.join(root, 'app/api/v1'));
  return routes;
}

// The document is arbitrary JSON walked by path: one loosely typed node type for it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonNode = any;
type Doc = Record<string, JsonNode>;

function resolveRef(doc: Doc, ref: string): JsonNode {
  expect(ref.startsWith('#/'), `external or malformed $ref ${ref}`).toBe(true);
  let node: JsonNode = doc;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function deref(doc: Doc, schema: JsonNode): JsonNode {
  return schema?.$ref ? deref(doc, resolveRef(doc, schema.$ref)) : schema;
}

function collect(node: unknown, visit: (key: string, value: JsonNode, parent: JsonNode) => void): void {
  if (Array.isArray(node)) node.forEach((item) => collect(item, visit));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      visit(key, value, node);
      collect(value, visit);
    }
  }
}

describe('GET /api/v1/openapi.json', () => {
  let doc: Doc;
  let contentType: string;

  beforeAll(async () => {
    // no credentials: the description of the API is public
    const res = await api('GET', '/api/v1/openapi.json');
    expectStatus(res, 200);
    contentType = res.headers.get('content-type') ?? '';
    doc = res.body;
  });

  it('is an OpenAPI 3.1 document served as JSON without credentials', () => {
    expect(contentType).toMatch(/^application\/json/);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(typeof doc.paths).toBe('object');
    expect(Array.isArray(doc.servers)).toBe(true);
    // 3.1 uses JSON Schema 2020-12: the 3.0-only `nullable` keyword has no meaning there
    collect(doc, (key, _value, parent) => {
      if (key === 'nullable' && parent && typeof parent === 'object' && 'type' in parent) {
        throw new Error('OpenAPI 3.0 keyword "nullable" found in a 3.1 document');
      }
    });
  });

  it('has a structurally valid path item and operation for every path', () => {
    const operationIds = new Set<string>();
    for (const [route, item] of Object.entries<JsonNode>(doc.paths)) {
      expect(route.startsWith('/'), route).toBe(true);
      const ops = METHODS.filter((m) => item[m]);
      expect(ops.length, `${route} has no operations`).toBeGreaterThan(0);
      const templated = [...route.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      for (const method of ops) {
        const op = item[method];
        expect(typeof op.summary, `${method} ${route} summary`).toBe('string');
        if (op.operationId) {
          expect(operationIds.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
          operationIds.add(op.operationId);
        }
        const responses = Object.entries<JsonNode>(op.responses ?? {});
        expect(responses.length, `${method} ${route} has no responses`).toBeGreaterThan(0);
        for (const [status, response] of responses) {
          expect(status, `${method} ${route}`).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
          expect(typeof deref(doc, response).description, `${method} ${route} ${status} description`).toBe('string');
        }
        expect(responses.some(([s]) => s.startsWith('2')), `${method} ${route} has no success response`).toBe(true);
        // every {param} in the path is declared as a required path parameter
        const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => deref(doc, p));
        for (const name of templated) {
          const declared = params.find((p) => p.in === 'path' && p.name === name);
          expect(declared, `${method} ${route} does not declare path parameter ${name}`).toBeDefined();
          expect(declared.required).toBe(true);
        }
        for (const p of params) {
          expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
          expect(typeof p.name).toBe('string');
          if (p.in === 'path') expect(templated).toContain(p.name);
        }
        for (const requirement of op.security ?? doc.security ?? []) {
          for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes[scheme], scheme).toBeDefined();
        }
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    let refs = 0;
    collect(doc, (key, value) => {
      if (key === '$ref') {
        refs += 1;
        expect(resolveRef(doc, value), `unresolved $ref ${value}`).toBeDefined();
      }
    });
    expect(refs).toBeGreaterThan(10);
  });

  it('lists every route of the brief with its methods', () => {
    const expected: Record<string, string[]> = {
      '/api/v1/runs': ['get', 'post'],
      '/api/v1/runs/{id}': ['get', 'patch', 'delete'],
      '/api/v1/runs/{id}/iterations': ['get', 'post'],
      '/api/v1/runs/{id}/samples': ['get', 'post'],
      '/api/v1/runs/{id}/summary': ['get'],
      '/api/v1/leaderboard': ['get'],
      '/api/v1/analytics': ['get'],
      '/api/v1/analytics/refresh': ['post'],
      '/api/v1/projects': ['get'],
      '/api/v1/openapi.json': ['get'],
    };
    for (const [route, methods] of Object.entries(expected)) {
      expect(doc.paths[route], `${route} missing from paths`).toBeDefined();
      for (const method of methods) expect(doc.paths[route][method], `${method} ${route}`).toBeDefined();
    }
  });

  it('documents every route handler on disk (a new route cannot go undocumented)', () => {
    const routes = routesOnDisk();
    expect(routes.size).toBeGreaterThanOrEqual(10);
    for (const [route, methods] of routes) {
      expect(doc.paths[route], `${route} (app/api/v1) missing from the OpenAPI paths`).toBeDefined();
      for (const method of methods) expect(doc.paths[route][method], `${method.toUpperCase()} ${route} undocumented`).toBeDefined();
    }
    for (const route of Object.keys(doc.paths)) expect(routes.has(route), `${route} is documented but has no handler`).toBe(true);
  });

  it('has JSON request schemas for every write, generated from the zod input schemas', () => {
    const bodySchema = (route: string, method: string) => {
      const op = doc.paths[route][method];
      expect(op.requestBody?.required, `${method} ${route} requestBody.required`).toBe(true);
      const schema = op.requestBody.content?.['application/json']?.schema;
      expect(schema, `${method} ${route} has no application/json request schema`).toBeDefined();
      return schema;
    };

    const createRun = deref(doc, bodySchema('/api/v1/runs', 'post'));
    expect(createRun.type).toBe('object');
    expect(createRun.additionalProperties).toBe(false);
    expect(createRun.required).toEqual(expect.arrayContaining(['runName', 'optimizerType']));
    expect(createRun.required).not.toContain('projectId'); // an API key's project is the default
    expect(createRun.properties.id).toMatchObject({ type: 'string', format: 'uuid' });
    expect(createRun.properties.finalScore.anyOf ?? [createRun.properties.finalScore]).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'number', minimum: 0, maximum: 1 })]),
    );
    expect(createRun.properties.status.enum).toEqual(['pending', 'running', 'completed', 'failed', 'cancelled']);

    const updateRun = deref(doc, bodySchema('/api/v1/runs/{id}', 'patch'));
    expect(updateRun.type).toBe('object');
    expect(updateRun.additionalProperties).toBe(false);
    expect(Object.keys(updateRun.properties)).toEqual(expect.arrayContaining(['status', 'finalScore', 'endedAt', 'runName']));
    expect(updateRun.properties.projectId).toBeUndefined(); // a run never moves project

    const iterations = bodySchema('/api/v1/runs/{id}/iterations', 'post');
    const iterationVariants = iterations.oneOf.map((s: JsonNode) => deref(doc, s));
    const iteration = iterationVariants.find((s: JsonNode) => s.type === 'object');
    expect(iteration.required).toContain('iteration');
    expect(iteration.additionalProperties).toBe(false);
    expect(iterationVariants.find((s: JsonNode) => s.type === 'array')).toMatchObject({ maxItems: 1000 });

    const samples = bodySchema('/api/v1/runs/{id}/samples', 'post');
    const sampleVariants = samples.oneOf.map((s: JsonNode) => deref(doc, s));
    const asArray = sampleVariants.find((s: JsonNode) => s.type === 'array');
    const asObject = sampleVariants.find((s: JsonNode) => s.type === 'object');
    expect(asArray.maxItems).toBe(5000);
    expect(asObject.required).toEqual(['samples']);
    expect(asObject.additionalProperties).toBe(false);
    const sample = deref(doc, asArray.items);
    expect(sample.required).toEqual(expect.arrayContaining(['iteration', 'sampleIndex']));
    expect(sample.additionalProperties).toBe(false);
  });

  it('documents the error responses of writes with the shared Error schema', () => {
    const writes: Array<[string, string]> = [
      ['/api/v1/runs', 'post'],
      ['/api/v1/runs/{id}', 'patch'],
      ['/api/v1/runs/{id}/iterations', 'post'],
      ['/api/v1/runs/{id}/samples', 'post'],
    ];
    for (const [route, method] of writes) {
      const responses = doc.paths[route][method].responses;
      for (const status of ['400', '401', '403', '404', '409', '413', '415', '422', '429']) {
        expect(responses[status], `${method} ${route} does not document ${status}`).toBeDefined();
        expect(responses[status].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
      }
    }
    const error = doc.components.schemas.Error;
    expect(error.properties.error.required).toEqual(['code', 'message']);
    expect(error.properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['invalid_json', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'validation_failed', 'rate_limited']),
    );
    expect(doc.paths['/api/v1/openapi.json'].get.security).toEqual([]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents exactly the query parameters the list endpoints accept', async () => {
    const sql = superuserSql();
    const t = await createTenant(sql, 'openapi-params');
    await sql.end({ timeout: 5 });
    const run = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun() });
    expectStatus(run, 201);
    // a value each documented parameter accepts, by its schema
    // a union (orderBy: a column or "config.<path>") is sampled by its first variant
    const sample = (p: { name: string; schema: JsonNode }): string =>
      p.schema.anyOf ? sample({ name: p.name, schema: p.schema.anyOf[0] }) :
      p.name === 'projectId' ? t.projectId : p.name === 'cursor' ? '' : p.schema.enum ? p.schema.enum[0] : p.schema.type === 'integer' || p.schema.type === 'number' ? String(p.schema.minimum ?? 1) : p.schema.type === 'boolean' ? 'true' : p.schema.format === 'date-time' ? '2026-01-01T00:00:00Z' : 'x';
    for (const [path, base] of [['/api/v1/runs', '/api/v1/runs'], ['/api/v1/runs/{id}/samples', `/api/v1/runs/${run.body.id}/samples`]] as const) {
      const params = (doc.paths[path].get.parameters as Array<{ name: string; in: string; schema: JsonNode }>).filter((p) => p.in === 'query');
      expect(params.length).toBeGreaterThan(4);
      for (const p of params) {
        const name = p.name === 'config.<path>' ? 'config.model' : p.name;
        const res = await api('GET', `${base}?${name}=${encodeURIComponent(sample(p))}`, { headers: keyAuth(t.key) });
        expect(res.status, `${path} ?${name}: ${res.text.slice(0, 200)}`).toBe(200);
      }
      // and nothing else
      const res = await api('GET', `${base}?notAParameter=1`, { headers: keyAuth(t.key) });
      expectIssueAt(res, 'notAParameter', /not a parameter/);
    }
  });
});

// The document's response schemas against what the handlers return: a seeded project's run
// with iterations, samples, optimizer structure, a note and a saved view, and every
// documented GET route (and the seeding writes) checked against the schema the document
// gives for that status. The schemas close their objects, so a field a handler adds or
// drops, or a type that drifts, fails here.
describe('responses match the document', () => {
  let doc: Doc;
  const checked = new Set<string>();

  // the document's schema with its $refs inlined, as zod (JSON Schema 2020-12)
  function inline(node: JsonNode): JsonNode {
    if (Array.isArray(node)) return node.map(inline);
    if (node && typeof node === 'object') {
      if (node.$ref) return inline(resolveRef(doc, node.$ref));
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    }
    return node;
  }

  function expectDocumented(route: string, method: string, res: { status: number; body: unknown; text: string }) {
    const response = doc.paths[route]?.[method]?.responses?.[String(res.status)];
    expect(response, `${method.toUpperCase()} ${route} answered ${res.status}, which it does not document: ${res.text.slice(0, 300)}`).toBeDefined();
    const schema = response.content?.['application/json']?.schema;
    expect(schema, `${method.toUpperCase()} ${route} ${res.status} has no JSON schema`).toBeDefined();
    const result = z.fromJSONSchema(inline(schema)).safeParse(res.body);
    expect(result.success, `${method.toUpperCase()} ${route} ${res.status}: ${result.error?.message}\n${res.text.slice(0, 500)}`).toBe(true);
    checked.add(`${method} ${route}`);
  }

  let t: Tenant;
  let runId: string;

  beforeAll(async () => {
    doc = (await api('GET', '/api/v1/openapi.json')).body;
    const sql = superuserSql();
    t = await createTenant(sql, 'openapi-shapes');
    await sql.end({ timeout: 5 });
    const headers = keyAuth(t.key);
    const write = async (method: string, route: string, path: string, json: unknown, status: number) => {
      const res = await api(method.toUpperCase(), path, { headers, json });
      expectStatus(res, status);
      expectDocumented(route, method, res);
      return res;
    };
    const run = await write('post', '/api/v1/runs', '/api/v1/runs', validRun({ projectId: t.projectId, status: 'running', description: null }), 201);
    runId = run.body.id;
    const base = `/api/v1/runs/${runId}`;
    await write('post', '/api/v1/runs/{id}/iterations', `${base}/iterations`, [
      { iteration: 0, score: 0.5, evalKind: 'full', params: { instruction: 'a' }, programState: { demos: [] }, candidateId: 'c0', usageByRole: { task: { calls: 2 } } },
      { iteration: 1, score: 0.75, params: { eval_type: 'minibatch' }, candidateId: 'c1', parentCandidateIds: ['c0'], trial: 1, dataset: 'val' },
    ], 201);
    await write('post', '/api/v1/runs/{id}/iterations', `${base}/iterations`, { iteration: 2, score: 0.8, evalKind: 'full', selected: true }, 201);
    await write('post', '/api/v1/runs/{id}/samples', `${base}/samples`, [
      { iteration: 0, sampleIndex: 0, input: { q: 'x' }, output: { a: 'y' }, expected: { a: 'y' }, score: 1, exampleId: 'e0', feedback: 'ok' },
      { iteration: 0, sampleIndex: 1, input: { q: 'z' }, score: 0, error: 'boom' },
    ], 201);
    await write('post', '/api/v1/runs/{id}/candidates', `${base}/candidates`, [
      { candidateId: 'c0', origin: 'seed', score: 0.5, instanceScores: { e0: 1 } },
      { candidateId: 'c1', parentIds: ['c0'], origin: 'reflective', iteration: 1 },
    ], 201);
    await write('post', '/api/v1/runs/{id}/candidate-pool', `${base}/candidate-pool`, [
      { predictorIndex: 0, predictorName: 'predict', kind: 'instruction', candidateIndex: 0, text: 'Answer.' },
      { predictorIndex: 0, predictorName: 'predict', kind: 'demos', candidateIndex: 0, content: [{ q: 'x' }] },
    ], 201);
    await write('post', '/api/v1/runs/{id}/pareto', `${base}/pareto`, [{ step: 0, iteration: 0, front: { e0: ['c0'] }, bestScores: { e0: 1 } }], 201);
    await write('post', '/api/v1/runs/{id}/proposals', `${base}/proposals`, [
      { proposalIndex: 0, kind: 'reflective', parentIds: ['c0'], candidateId: 'c1', accepted: true, subsampleIds: ['e0'], scoresBefore: [0], scoresAfter: [1] },
    ], 201);
    await write('put', '/api/v1/runs/{id}/note', `${base}/note`, { body: '# Findings' }, 200);
    await write('patch', '/api/v1/runs/{id}/labels', `${base}/labels`, { runName: 'renamed', addTags: ['shape'] }, 200);
    await write('patch', '/api/v1/runs/{id}', base, { status: 'completed', finalScore: 0.8, endedAt: new Date().toISOString() }, 200);
    await write('post', '/api/v1/views', '/api/v1/views', { name: 'shapes', definition: { filters: { status: 'completed' }, columns: ['final_score'] } }, 201);
  });

  it('every documented GET route answers a body its 200 schema accepts', async () => {
    const headers = keyAuth(t.key);
    const gets = Object.keys(doc.paths).filter((route) => doc.paths[route].get && route !== '/api/v1/openapi.json');
    expect(gets.length).toBeGreaterThan(15);
    for (const route of gets) {
      const path = route.replace('{id}', runId);
      expect(path, `${route}: no value for its path parameters`).not.toMatch(/\{/);
      const res = await api('GET', path, { headers });
      expectStatus(res, 200);
      expectDocumented(route, 'get', res);
      // lists are seeded, so their item schemas are checked too
      const items = (res.body as { data?: unknown[] }).data;
      if (Array.isArray(items) && route !== '/api/v1/leaderboard') expect(items.length, `${route} returned no items to check`).toBeGreaterThan(0);
    }
    const leaderboard = await api('GET', '/api/v1/leaderboard?optimizerType=miprov2', { headers });
    expect(leaderboard.body.data.length).toBeGreaterThan(0);
    expectDocumented('/api/v1/leaderboard', 'get', leaderboard);
  });

  it('error answers match the Error schema under their documented status', async () => {
    const headers = keyAuth(t.key);
    expectDocumented('/api/v1/runs/{id}', 'get', await api('GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000', { headers }));
    expectDocumented('/api/v1/runs/{id}/samples', 'get', await api('GET', `/api/v1/runs/${runId}/samples?minScore=0.9&maxScore=0.1`, { headers }));
    expectDocumented('/api/v1/runs', 'post', await api('POST', '/api/v1/runs', { headers, json: { runName: '' } }));
    expectDocumented('/api/v1/runs', 'get', await api('GET', '/api/v1/runs', { headers: {} }));
  });

  it("a run route's GET answers a malformed or unknown run id with a status it documents", async () => {
    const headers = keyAuth(t.key);
    for (const route of Object.keys(doc.paths).filter((r) => r.includes('{id}') && doc.paths[r].get)) {
      for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
        const res = await api('GET', route.replace('{id}', id), { headers });
        expect(res.status, `${route} with ${id}`).toBeGreaterThanOrEqual(400);
        expectDocumented(route, 'get', res);
      }
    }
  });

  it('checked every documented GET route', () => {
    const gets = Object.keys(doc.paths).filter((route) => doc.paths[route].get && route !== '/api/v1/openapi.json');
    for (const route of gets) expect(checked.has(`get ${route}`), route).toBe(true);
  });
});
