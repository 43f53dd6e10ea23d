import { beforeAll, describe, expect, it } from 'vitest';
import {
  addProjectMember,
  batchCreateOptimizationSamples,
  createApiKey,
  createOptimizationIteration,
  createOptimizationIterations,
  createOptimizationRun,
  createProject,
  getOptimizationAnalytics,
  getOptimizationRun,
  getOptimizationRunSummary,
  getTopRunsByScore,
  listOptimizationRuns,
  listOptimizationSamples,
  listProjectMembers,
  revokeApiKey,
  updateOptimizationRun,
  ValidationError,
  type JsonObject,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject as insertProject, createUser } from '../helpers/fixtures.ts';
import { count, rejection, scopeOf, useDatabase } from './helpers.ts';

const P = 'val-main';

// n nested objects: {"a": {"a": ... 1}}
const nested = (n: number): JsonObject => (n === 1 ? { a: 1 } : { a: nested(n - 1) });

async function issues(promise: Promise<unknown>) {
  return (await rejection(promise, ValidationError)).issues;
}

describe.each(ENGINES)('validation errors name the field on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let runId: string;

  beforeAll(async () => {
    const user = await createUser(db().sql, 'validator');
    await insertProject(db().sql, P, [[user, 'owner']]);
    scope = scopeOf(db(), user);
    runId = (await createOptimizationRun(scope, { projectId: P, runName: 'valid', optimizerType: 'miprov2' })).id;
  });

  const run = (extra: Record<string, unknown>) =>
    createOptimizationRun(scope, { projectId: P, runName: 'r', optimizerType: 'miprov2', ...extra } as never);

  it('a score of 1.5 names finalScore, and nothing is written', async () => {
    const before = await count(db(), 'optimization_runs');
    const found = await issues(run({ finalScore: 1.5 }));
    expect(found).toContainEqual({ path: 'finalScore', message: 'must be between 0 and 1' });
    expect((await issues(run({ initialScore: -0.1, bestScore: 2 }))).map((i) => i.path).sort()).toEqual(['bestScore', 'initialScore']);
    expect((await issues(updateOptimizationRun(scope, runId, { finalScore: 1.0001 })))[0]!.path).toBe('finalScore');
    expect((await issues(run({ finalScore: Number.NaN })))[0]!.path).toBe('finalScore');
    expect(await count(db(), 'optimization_runs')).toBe(before);
  });

  it('an unknown field is named in the message', async () => {
    const error = await rejection(run({ bogus: 1 }), ValidationError);
    expect(error.message).toContain('unknown field "bogus"');
    const update = await rejection(updateOptimizationRun(scope, runId, { bogus: true } as never), ValidationError);
    expect(update.message).toContain('unknown field "bogus"');
    const list = await rejection(listOptimizationRuns(scope, { projectId: P, bogus: 1 } as never), ValidationError);
    expect(list.message).toContain('unknown field "bogus"');
    const sample = await rejection(
      batchCreateOptimizationSamples(scope, [{ runId, iteration: 0, sampleIndex: 0, bogus: 1 } as never]),
      ValidationError,
    );
    expect(sample.issues[0]).toEqual({ path: '0', message: 'unknown field "bogus"' });
  });

  it('a bad uuid names the argument', async () => {
    expect((await issues(getOptimizationRun(scope, 'not-a-uuid')))[0]!.path).toBe('id');
    expect((await issues(updateOptimizationRun(scope, '123', { runName: 'x' })))[0]!.path).toBe('id');
    expect((await issues(run({ id: 'nope' })))[0]!.path).toBe('id');
    expect((await issues(createOptimizationIteration(scope, { runId: 'x', iteration: 1 })))[0]!.path).toBe('runId');
    expect((await issues(createOptimizationIterations(scope, 'x', [{ iteration: 1 }])))[0]!.path).toBe('runId');
    expect((await issues(batchCreateOptimizationSamples(scope, [{ runId: 'x', iteration: 0, sampleIndex: 0 }])))[0]!.path).toBe('0.runId');
    expect((await issues(listOptimizationSamples(scope, { runId: 'x' })))[0]!.path).toBe('runId');
    expect((await issues(getOptimizationRunSummary(scope, 'x')))[0]!.path).toBe('runId');
    expect((await issues(revokeApiKey(scope, 'x')))[0]!.path).toBe('keyId');
  });

  it('a bad projectId format names projectId', async () => {
    for (const bad of ['Proj 1', 'ab', 'x'.repeat(64), '-leading', "p'; drop table x; --"]) {
      expect((await issues(run({ projectId: bad })))[0]!.path).toBe('projectId');
    }
    expect((await issues(listOptimizationRuns(scope, { projectId: 'UPPER' })))[0]!.path).toBe('projectId');
    expect((await issues(getTopRunsByScore(scope, 'UPPER')))[0]!.path).toBe('projectId');
    expect((await issues(getOptimizationAnalytics(scope, { projectId: 'UPPER' })))[0]!.path).toBe('projectId');
    expect((await issues(listProjectMembers(scope, 'UPPER')))[0]!.path).toBe('projectId');
    expect((await issues(addProjectMember(scope, { projectId: 'UPPER', email: 'a@b.test' })))[0]!.path).toBe('projectId');
    expect((await issues(createApiKey(scope, { projectId: 'UPPER', name: 'k' })))[0]!.path).toBe('projectId');
    expect((await issues(createProject(scope, { id: 'Has Space', name: 'x' })))[0]!.path).toBe('id');
  });

  it('NUL characters are refused in text fields and anywhere inside JSON', async () => {
    const name = await issues(run({ runName: 'a\u0000b' }));
    expect(name[0]).toMatchObject({ path: 'runName', message: expect.stringContaining('NUL') });
    const value = await issues(run({ config: { model: 'gpt\u00004', nested: { ok: 1 } } }));
    expect(value[0]).toMatchObject({ path: 'config.model', message: expect.stringContaining('NUL') });
    const key = await issues(run({ metadata: { 'bad\u0000key': 1 } }));
    expect(key[0]).toMatchObject({ path: 'metadata', message: expect.stringContaining('NUL') });
    const deep = await issues(batchCreateOptimizationSamples(scope, [
      { runId, iteration: 0, sampleIndex: 0 },
      { runId, iteration: 0, sampleIndex: 1, input: { messages: [{ text: 'x\u0000' }] } },
    ]));
    expect(deep[0]).toMatchObject({ path: '1.input.messages.0.text', message: expect.stringContaining('NUL') });
    expect((await issues(run({ tags: ['ok', 'b\u0000d'] })))[0]!.path).toBe('tags.1');
  });

  it('unpaired surrogates inside JSON are refused by field, not by the database', async () => {
    const found = await issues(batchCreateOptimizationSamples(scope, [
      { runId, iteration: 0, sampleIndex: 0, output: 'fine' },
      { runId, iteration: 0, sampleIndex: 1, output: { text: 'half an emoji \ud83d' } },
    ]));
    expect(found[0]).toMatchObject({ path: '1.output.text', message: expect.stringContaining('surrogate') });
    expect((await issues(run({ config: { ['\udc00']: 1 } })))[0]!.path).toBe('config');
    // a well-formed pair is fine
    const ok = await run({ config: { emoji: '\ud83d\ude00' } });
    expect(ok.config).toEqual({ emoji: '😀' });
  });

  it('JSON nested deeper than 20 levels is refused; 20 levels are fine', async () => {
    // the leaf value is a level too: 19 nested objects around it make 20
    const fine = await run({ config: nested(19) });
    expect(fine.config).toEqual(nested(19));
    const tooDeep = await issues(run({ config: nested(20) }));
    expect(tooDeep[0]).toMatchObject({ path: `config${'.a'.repeat(20)}`, message: expect.stringContaining('deeper than 20') });
    const arrays = await issues(createOptimizationIteration(scope, { runId, iteration: 1, programState: JSON.parse('['.repeat(25) + ']'.repeat(25)) }));
    expect(arrays[0]!.path).toBe(`programState${'.0'.repeat(20)}`);
  });

  it('config, metadata and params must be JSON objects', async () => {
    for (const config of [[1, 2], 'string', 42, null, true]) {
      expect((await issues(run({ config })))[0]!.path).toBe('config');
    }
    expect((await issues(run({ metadata: ['x'] })))[0]!.path).toBe('metadata');
    expect((await issues(createOptimizationIteration(scope, { runId, iteration: 1, params: [] as never })))[0]!.path).toBe('params');
    expect((await issues(run({ config: { x: Number.POSITIVE_INFINITY } })))[0]!.path).toBe('config.x');
  });

  it('list limits: 0 and 201 are refused, 1 and 200 accepted', async () => {
    expect((await issues(listOptimizationRuns(scope, { projectId: P, limit: 0 })))[0]!.path).toBe('limit');
    expect((await issues(listOptimizationRuns(scope, { projectId: P, limit: 201 })))[0]!.path).toBe('limit');
    expect((await issues(listOptimizationRuns(scope, { projectId: P, limit: 2.5 })))[0]!.path).toBe('limit');
    expect((await listOptimizationRuns(scope, { projectId: P, limit: 1 })).data.length).toBeLessThanOrEqual(1);
    expect((await listOptimizationRuns(scope, { projectId: P, limit: 200 })).totalIsExact).toBe(true);
    expect((await issues(listOptimizationSamples(scope, { runId, limit: 501 })))[0]!.path).toBe('limit');
  });

  it('a cursor from another ordering, a forged cursor or cursor+offset name cursor', async () => {
    for (let i = 0; i < 3; i++) await run({ runName: `page ${i}`, finalScore: i / 10 });
    const page = await listOptimizationRuns(scope, { projectId: P, orderBy: 'final_score', orderDirection: 'desc', limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    const cursor = page.nextCursor!;
    expect((await listOptimizationRuns(scope, { projectId: P, orderBy: 'final_score', orderDirection: 'desc', limit: 1, cursor })).data).toHaveLength(1);
    for (const input of [
      { orderBy: 'created_at', orderDirection: 'desc', cursor },
      { orderBy: 'final_score', orderDirection: 'asc', cursor },
      { orderBy: 'improvement', orderDirection: 'desc', cursor },
      { cursor: 'garbage!' },
      { cursor: Buffer.from(JSON.stringify({ o: 'created_at', d: 'desc', v: "x'; --", id: 'not-an-id' })).toString('base64url') },
      { orderBy: 'final_score', orderDirection: 'desc', cursor, offset: 5 },
    ] as const) {
      const found = await issues(listOptimizationRuns(scope, { projectId: P, ...input }));
      expect(found[0]!.path).toBe('cursor');
    }
  });

  it('other list filters name their field', async () => {
    const list = (f: Record<string, unknown>) => listOptimizationRuns(scope, { projectId: P, ...f } as never);
    expect((await issues(list({ status: 'done' })))[0]!.path).toBe('status');
    expect((await issues(list({ status: [] })))[0]!.path).toBe('status');
    expect((await issues(list({ optimizerType: 'MIPRO v2' })))[0]!.path).toBe('optimizerType');
    expect((await issues(list({ minScore: 0.9, maxScore: 0.1 })))[0]!.path).toBe('minScore');
    expect((await issues(list({ orderBy: 'runName' })))[0]!.path).toBe('orderBy');
    expect((await issues(list({ orderDirection: 'up' })))[0]!.path).toBe('orderDirection');
    expect((await issues(list({ createdAfter: 'yesterday' })))[0]!.path).toBe('createdAfter');
    expect((await issues(list({ config: { 'bad path!': 1 } })))[0]!.path).toMatch(/^config/);
    expect((await issues(list({ config: { model: { nested: 'object' } } })))[0]!.path).toMatch(/^config/);
    expect((await issues(list({ tags: [''] })))[0]!.path).toBe('tags.0');
  });

  it('run fields: names, types, timestamps, and checks the database makes', async () => {
    expect((await issues(run({ runName: '   ' })))[0]!.path).toBe('runName');
    expect((await issues(run({ optimizerType: 'MIPRO v2' })))[0]!.path).toBe('optimizerType');
    expect((await issues(run({ status: 'done' })))[0]!.path).toBe('status');
    expect((await issues(run({ startedAt: 'yesterday' })))[0]!.path).toBe('startedAt');
    expect((await issues(run({ samplesEvaluated: -1 })))[0]!.path).toBe('samplesEvaluated');
    expect((await issues(run({ tags: Array.from({ length: 51 }, (_, i) => `t${i}`) })))[0]!.path).toBe('tags');
    expect((await issues(updateOptimizationRun(scope, runId, {})))[0]!.message).toContain('at least one field');
    expect((await issues(updateOptimizationRun(scope, runId, { totalCostUsd: -1 })))[0]!.path).toBe('totalCostUsd');
    const order = await issues(updateOptimizationRun(scope, runId, { startedAt: '2026-01-02T00:00:00Z', endedAt: '2026-01-01T00:00:00Z' }));
    expect(order[0]!.path).toBe('endedAt');
    const counts = await issues(updateOptimizationRun(scope, runId, { samplesEvaluated: 1, samplesFailed: 2 }));
    expect(counts[0]!.path).toBe('samplesEvaluated');
    expect(await getOptimizationRun(scope, runId)).toMatchObject({ startedAt: null, samplesFailed: 0 });
  });

  it('batches: empty, too large, and rows with bad fields', async () => {
    expect((await issues(createOptimizationIterations(scope, runId, [])))[0]!.path).toBe('');
    expect((await issues(createOptimizationIterations(scope, runId, Array.from({ length: 1001 }, (_, i) => ({ iteration: i })))))[0]!.path).toBe('');
    expect((await issues(createOptimizationIterations(scope, runId, [{ iteration: 0 }, { iteration: -1 }])))[0]!.path).toBe('1.iteration');
    expect((await issues(batchCreateOptimizationSamples(scope, [])))[0]!.path).toBe('');
    const tooMany = Array.from({ length: 5001 }, (_, i) => ({ runId, iteration: 0, sampleIndex: i }));
    expect((await issues(batchCreateOptimizationSamples(scope, tooMany)))[0]!.path).toBe('');
    expect((await issues(batchCreateOptimizationSamples(scope, [{ runId, iteration: 0, sampleIndex: 1.5 }])))[0]!.path).toBe('0.sampleIndex');
    expect((await issues(batchCreateOptimizationSamples(scope, [{ runId, iteration: 0, sampleIndex: 0, latencyMs: -1 }])))[0]!.path).toBe('0.latencyMs');
    expect(await count(db(), 'optimization_samples')).toBe(0);
    expect(await count(db(), 'optimization_iterations')).toBe(0);
  });

  it('projects, members and keys name their fields', async () => {
    expect((await issues(createProject(scope, { id: 'val-new', name: '' })))[0]!.path).toBe('name');
    expect((await issues(addProjectMember(scope, { projectId: P, email: 'not-an-email' })))[0]!.path).toBe('email');
    expect((await issues(addProjectMember(scope, { projectId: P, email: 'a@b.test', role: 'boss' as never })))[0]!.path).toBe('role');
    expect((await issues(createApiKey(scope, { projectId: P, name: 'k', scopes: ['admin' as never] })))[0]!.path).toBe('scopes.0');
    expect((await issues(createApiKey(scope, { projectId: P, name: 'k', scopes: [] })))[0]!.path).toBe('scopes');
  });
});
