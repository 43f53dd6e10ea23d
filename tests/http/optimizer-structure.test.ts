import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { api, createTenant, expectIssueAt, expectStatus, keyAuth, superuserSql, validRun, type Tenant } from './helpers.ts';

// Issue 14 over HTTP: what a DSPy MIPROv2 or GEPA compile logs — kinds, selection, raw
// scores, usage — and the four structure resources, with the best iteration, /summary and
// the run agreeing; another project's key is answered 404, a read-only key 403.

let sql: Sql;
let t: Tenant;
let other: Tenant;

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'dsp');
  other = await createTenant(sql, 'dspo');
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

async function newRun(optimizerType = 'miprov2'): Promise<string> {
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ status: 'running', optimizerType }) });
  expectStatus(res, 201);
  return res.body.id;
}

describe('a MIPROv2 compile over HTTP', () => {
  it('crowns the selected full evaluation, not the higher minibatch; run, /summary and iterations agree', async () => {
    const runId = await newRun();
    const headers = keyAuth(t.key);
    // DSPy's percentages, normalised by the client: 62.0 / 100 etc.
    const trials = [
      { iteration: 0, score: 0.62, rawScore: 62, scoreScale: 100, evalKind: 'full', trial: 0, params: { chosen: { '0': { instruction: 0, demos: 0 } } } },
      { iteration: 1, score: 0.9, rawScore: 90, scoreScale: 100, evalKind: 'minibatch', trial: 1, params: { chosen: { '0': { instruction: 1, demos: 2 } } } },
      { iteration: 2, score: 0.84, rawScore: 84, scoreScale: 100, evalKind: 'full', trial: 2, params: { chosen: { '0': { instruction: 1, demos: 2 } } } },
    ];
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: trials }), 201);
    // later, a richer write of one field: the program MIPROv2 returned
    const selected = await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: { iteration: 2, selected: true } });
    expectStatus(selected, 201);
    expect(selected.body).toMatchObject({ iteration: 2, score: 0.84, rawScore: 84, scoreScale: 100, evalKind: 'full', trial: 2, isSelected: true, isBest: true });
    expect(selected.body.params).toEqual({ chosen: { '0': { instruction: 1, demos: 2 } } });

    const run = await api('GET', `/api/v1/runs/${runId}`, { headers });
    expect(run.body.bestScore).toBe(0.84);
    const summary = await api('GET', `/api/v1/runs/${runId}/summary`, { headers });
    expect(summary.body).toMatchObject({ bestScore: 0.84, bestIteration: 2, bestIterationScore: 0.84 });
    const list = await api('GET', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.readKey) });
    expect(list.body.data.filter((i: { isBest: boolean }) => i.isBest).map((i: { iteration: number }) => i.iteration)).toEqual([2]);
  });

  it('refuses a percentage as a score, naming the field', async () => {
    const runId = await newRun();
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 0, score: 84 } }), 'score');
  });

  it('samples with exampleId and feedback roll their tokens into an iteration that reported none', async () => {
    const runId = await newRun();
    const headers = keyAuth(t.key);
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: { iteration: 0, score: 0.5, evalKind: 'full' } }), 201);
    const samples = [0, 1, 2, 3].map((i) => ({ iteration: 0, sampleIndex: i, exampleId: `ex${i % 2}`, feedback: `fb${i}`, tokens: 25 * (i + 1), costUsd: 0.25 }));
    expectStatus(await api('POST', `/api/v1/runs/${runId}/samples`, { headers, json: samples }), 201);
    const [iteration] = (await api('GET', `/api/v1/runs/${runId}/iterations`, { headers })).body.data;
    // 25 + 50 + 75 + 100 tokens, 4 x 0.25 USD
    expect(iteration).toMatchObject({ tokens: 250, costUsd: 1, reportedTokens: null, sampleTokens: 250 });
    expect((await api('GET', `/api/v1/runs/${runId}`, { headers })).body).toMatchObject({ totalTokens: 250, totalCostUsd: 1 });
    const ex1 = await api('GET', `/api/v1/runs/${runId}/samples?exampleId=ex1`, { headers });
    expectStatus(ex1, 200);
    expect(ex1.body.data.map((s: { sampleIndex: number; feedback: string }) => [s.sampleIndex, s.feedback])).toEqual([
      [1, 'fb1'],
      [3, 'fb3'],
    ]);
  });
});

describe('the structure resources', () => {
  it('POST then GET each of them, paged; a retried batch updates in place', async () => {
    const runId = await newRun('gepa');
    const headers = keyAuth(t.key);
    const cases: Array<[string, Record<string, unknown>[], (row: Record<string, unknown>) => unknown]> = [
      ['candidates', [{ candidateId: '0', origin: 'seed', score: 0.5 }, { candidateId: '1', parentIds: ['0'], origin: 'reflective', instanceScores: { ex0: 1, ex1: 0 } }, { candidateId: '2', parentIds: ['0', '1'], origin: 'merge' }], (r) => [r.candidateId, r.parentIds]],
      ['candidate-pool', [{ predictorIndex: 0, predictorName: 'p', kind: 'instruction', candidateIndex: 0, text: 'A' }, { predictorIndex: 0, predictorName: 'p', kind: 'instruction', candidateIndex: 1, text: 'B' }, { predictorIndex: 0, predictorName: 'p', kind: 'demos', candidateIndex: 0, content: [] }], (r) => [r.kind, r.candidateIndex]],
      ['pareto', [{ step: 0, front: { ex0: ['0'] } }, { step: 1, front: { ex0: ['0', '1'] } }, { step: 2, front: { ex0: ['1'] }, bestScores: { ex0: 1 } }], (r) => [r.step, r.front]],
      ['proposals', [{ proposalIndex: 0, kind: 'reflective', parentIds: ['0'], accepted: true, candidateId: '1' }, { proposalIndex: 1, kind: 'reflective', parentIds: ['1'], accepted: false, scoresBefore: [1, 0], scoresAfter: [0, 0] }, { proposalIndex: 2, kind: 'merge', parentIds: ['0', '1'], accepted: true, candidateId: '2' }], (r) => [r.proposalIndex, r.accepted]],
    ];
    for (const [path, rows, view] of cases) {
      const url = `/api/v1/runs/${runId}/${path}`;
      const first = await api('POST', url, { headers, json: rows });
      expectStatus(first, 201);
      expect(first.body, path).toEqual({ inserted: 3, updated: 0 });
      const again = await api('POST', url, { headers, json: rows });
      expect(again.body, path).toEqual({ inserted: 0, updated: 3 });
      const page1 = await api('GET', `${url}?limit=2`, { headers: keyAuth(t.readKey) });
      expectStatus(page1, 200);
      const page2 = await api('GET', `${url}?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`, { headers: keyAuth(t.readKey) });
      expect(page2.body.nextCursor, path).toBeNull();
      const all = [...page1.body.data, ...page2.body.data];
      expect(all, path).toHaveLength(3);
      expect(all.every((r: { runId: string; projectId: string }) => r.runId === runId && r.projectId === t.projectId), path).toBe(true);
      expect(all.map(view), path).toEqual(
        path === 'candidate-pool'
          ? [['demos', 0], ['instruction', 0], ['instruction', 1]]
          : rows.map((r) => view({ parentIds: [], ...r })),
      );
    }
  });

  it('answers 404 to another project\'s key, 403 to a read-only key, 413 over 1,000 rows, 422 for bad rows; nothing written', async () => {
    const runId = await newRun('gepa');
    const url = `/api/v1/runs/${runId}/candidates`;
    expectStatus(await api('GET', url, { headers: keyAuth(other.key) }), 404);
    expectStatus(await api('POST', url, { headers: keyAuth(other.key), json: [{ candidateId: '0' }] }), 404);
    expectStatus(await api('POST', url, { headers: keyAuth(t.readKey), json: [{ candidateId: '0' }] }), 403);
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ candidateId: String(i) }));
    expectStatus(await api('POST', url, { headers: keyAuth(t.key), json: tooMany }), 413);
    expectIssueAt(await api('POST', url, { headers: keyAuth(t.key), json: [{ candidateId: '0' }, { candidateId: '1', score: 2 }] }), '1.score');
    expectIssueAt(await api('POST', url, { headers: keyAuth(t.key), json: { candidateId: '0' } }), '');
    expectIssueAt(await api('GET', `${url}?cursor=zzz`, { headers: keyAuth(t.key) }), 'cursor');
    expectIssueAt(await api('GET', `${url}?offset=3`, { headers: keyAuth(t.key) }), 'offset');
    expectStatus(await api('GET', `/api/v1/runs/${randomUUID()}/proposals`, { headers: keyAuth(t.key) }), 404);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from optimization_candidates where run_id = ${runId}`;
    expect(row!.n).toBe(0);
  });
});
