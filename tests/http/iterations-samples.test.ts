import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import {
  api,
  createTenant,
  expectIssueAt,
  expectStatus,
  keyAuth,
  superuserSql,
  validRun,
  type Tenant,
} from './helpers.ts';

// /api/v1/runs/{id}/iterations and /api/v1/runs/{id}/samples: one or many, upserts (a
// retried write leaves no duplicates), all-or-nothing batches, filters and cursors.

let sql: Sql;
let t: Tenant;

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'its');
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

async function newRun(): Promise<string> {
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ status: 'running' }) });
  expectStatus(res, 201);
  return res.body.id;
}

const count = async (table: 'optimization_iterations' | 'optimization_samples', runId: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)} where run_id = ${runId}`)[0]!.n;

describe('POST and GET /api/v1/runs/{id}/iterations', () => {
  it('logs one iteration (an object) and returns it', async () => {
    const runId = await newRun();
    const res = await api('POST', `/api/v1/runs/${runId}/iterations`, {
      headers: keyAuth(t.key),
      json: { iteration: 0, score: 0.42, params: { instructions: 'Answer briefly.' }, tokens: 1200, costUsd: 0.01, latencyMs: 850 },
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      runId,
      projectId: t.projectId,
      iteration: 0,
      score: 0.42,
      isBest: true,
      params: { instructions: 'Answer briefly.' },
      tokens: 1200,
    });
    expect(await count('optimization_iterations', runId)).toBe(1);
  });

  it('logs an array of iterations in one call; run statistics and the best iteration follow', async () => {
    const runId = await newRun();
    const res = await api('POST', `/api/v1/runs/${runId}/iterations`, {
      headers: keyAuth(t.key),
      json: [
        { iteration: 1, score: 0.5, tokens: 100, costUsd: 0.5 },
        { iteration: 2, score: 0.8, tokens: 200, costUsd: 0.25, runId },
        { iteration: 3, score: 0.6, tokens: 300, costUsd: 0.25 },
      ],
    });
    expectStatus(res, 201);
    expect(res.body.data.map((i: { iteration: number; isBest: boolean }) => [i.iteration, i.isBest])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    const run = await api('GET', `/api/v1/runs/${runId}`, { headers: keyAuth(t.key) });
    expect(run.body).toMatchObject({ iterations: 3, bestScore: 0.8, totalTokens: 600, totalCostUsd: 1 });
    const list = await api('GET', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.readKey) });
    expectStatus(list, 200);
    expect(list.body.data.map((i: { iteration: number }) => i.iteration)).toEqual([1, 2, 3]);
  });

  it('upserts a retried iteration: one row, updated in place', async () => {
    const runId = await newRun();
    const first = await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 7, score: 0.3 } });
    expectStatus(first, 201);
    const again = await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 7, score: 0.9 } });
    expectStatus(again, 201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.score).toBe(0.9);
    const rows = await sql`select score from optimization_iterations where run_id = ${runId}`;
    expect(rows).toEqual([{ score: 0.9 }]);
    const batchRetry = await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: [{ iteration: 7, score: 0.9 }] });
    expectStatus(batchRetry, 201);
    expect(await count('optimization_iterations', runId)).toBe(1);
  });

  it('refuses a runId in the body that differs from the path, a repeated number and an empty batch (422, nothing written)', async () => {
    const runId = await newRun();
    const headers = keyAuth(t.key);
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: { iteration: 1, runId: randomUUID() } }), '0.runId');
    expectIssueAt(
      await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: [{ iteration: 1 }, { iteration: 2, runId: randomUUID() }] }),
      '1.runId',
    );
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: [{ iteration: 1 }, { iteration: 1 }] }), '1.iteration');
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: [] }), 422);
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: [{ iteration: 1, score: 0.5 }, 'two'] }), '1');
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ iteration: i }));
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers, json: tooMany }), 422);
    expect(await count('optimization_iterations', runId)).toBe(0);
  });

  it('answers 404 for iterations of an unknown run', async () => {
    const missing = randomUUID();
    expectStatus(await api('GET', `/api/v1/runs/${missing}/iterations`, { headers: keyAuth(t.key) }), 404);
    expectStatus(await api('POST', `/api/v1/runs/${missing}/iterations`, { headers: keyAuth(t.key), json: { iteration: 1 } }), 404);
    expectStatus(await api('POST', `/api/v1/runs/${missing}/iterations`, { headers: keyAuth(t.key), json: [{ iteration: 1 }] }), 404);
    expectIssueAt(await api('GET', '/api/v1/runs/nope/iterations', { headers: keyAuth(t.key) }), 'runId');
  });
});

describe('POST /api/v1/runs/{id}/samples', () => {
  const samples = (n: number, iteration = 1) =>
    Array.from({ length: n }, (_, i) => ({
      iteration,
      sampleIndex: i,
      input: { question: `q${i}` },
      output: { answer: `a${i}` },
      expected: { answer: `a${i}` },
      score: i % 2 ? 1 : 0,
      tokens: 10,
    }));

  it('accepts an array and the {samples: [...]} form, linking samples to their iteration', async () => {
    const runId = await newRun();
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 1, score: 0.5 } }), 201);
    const plain = await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: samples(3) });
    expectStatus(plain, 201);
    expect(plain.body).toEqual({ inserted: 3, updated: 0 });
    const wrapped = await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: { samples: samples(2, 2) } });
    expectStatus(wrapped, 201);
    expect(wrapped.body).toEqual({ inserted: 2, updated: 0 });
    const rows = await sql<{ iteration: number; linked: boolean; project_id: string }[]>`
      select iteration, iteration_id is not null as linked, project_id from optimization_samples
      where run_id = ${runId} order by iteration, sample_index
    `;
    expect(rows.map((r) => [r.iteration, r.linked])).toEqual([[1, true], [1, true], [1, true], [2, false], [2, false]]);
    expect(new Set(rows.map((r) => r.project_id))).toEqual(new Set([t.projectId]));
    // samples posted before their iteration are linked when it arrives
    expectStatus(await api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 2, score: 0.6 } }), 201);
    const [linked] = await sql`select count(*)::int as n from optimization_samples where run_id = ${runId} and iteration = 2 and iteration_id is not null`;
    expect(linked!.n).toBe(2);
  });

  it('reports a retried batch as {inserted: 0, updated: n} and keeps the row count', async () => {
    const runId = await newRun();
    const batch = samples(50);
    const first = await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: batch });
    expect(first.body).toEqual({ inserted: 50, updated: 0 });
    const retry = await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: batch });
    expectStatus(retry, 201);
    expect(retry.body).toEqual({ inserted: 0, updated: 50 });
    expect(await count('optimization_samples', runId)).toBe(50);
    // a partly new batch counts both
    const mixed = await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: { samples: samples(60) } });
    expect(mixed.body).toEqual({ inserted: 10, updated: 50 });
    expect(await count('optimization_samples', runId)).toBe(60);
  });

  it('leaves no duplicates when retries of one batch overlap', async () => {
    const runId = await newRun();
    const batch = samples(200);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: batch })),
    );
    for (const res of results) expectStatus(res, 201);
    // every sample was inserted exactly once across the four answers
    expect(results.reduce((n, r) => n + r.body.inserted, 0)).toBe(200);
    expect(results.reduce((n, r) => n + r.body.updated, 0)).toBe(600);
    expect(await count('optimization_samples', runId)).toBe(200);
    const iterations = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api('POST', `/api/v1/runs/${runId}/iterations`, { headers: keyAuth(t.key), json: { iteration: 1, score: 0.5 + i / 10 } })),
    );
    for (const res of iterations) expectStatus(res, 201);
    expect(new Set(iterations.map((r) => r.body.id)).size).toBe(1);
    expect(await count('optimization_iterations', runId)).toBe(1);
    const [run] = await sql`select iterations from optimization_runs where id = ${runId}`;
    expect(run!.iterations).toBe(1);
  });

  it('writes a batch all or nothing: one bad sample refuses the batch (422 naming it)', async () => {
    const runId = await newRun();
    const batch: Array<Record<string, unknown>> = samples(20);
    batch[13] = { ...batch[13], score: 1.5 };
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: batch }), '13.score');
    const twice = [...samples(3), { iteration: 1, sampleIndex: 1 }];
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: twice }), '3.sampleIndex');
    const elsewhere = [...samples(3), { iteration: 1, sampleIndex: 9, runId: randomUUID() }];
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: elsewhere }), '3.runId');
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: { samples: 'none' } }), 'samples');
    expectIssueAt(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: { sample: [] } }), 'samples');
    expectStatus(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: [] }), 422);
    expect(await count('optimization_samples', runId)).toBe(0);
  });

  it('refuses more than 5,000 samples in one request with 413, writing nothing', async () => {
    const runId = await newRun();
    const res = await api('POST', `/api/v1/runs/${runId}/samples`, {
      headers: keyAuth(t.key),
      json: Array.from({ length: 5001 }, (_, i) => ({ iteration: 0, sampleIndex: i })),
    });
    expectStatus(res, 413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(res.body.error.message).toMatch(/5000/);
    expect(await count('optimization_samples', runId)).toBe(0);
    // exactly 5,000 is fine
    const max = await api('POST', `/api/v1/runs/${runId}/samples`, {
      headers: keyAuth(t.key),
      json: { samples: Array.from({ length: 5000 }, (_, i) => ({ iteration: 0, sampleIndex: i })) },
    });
    expectStatus(max, 201);
    expect(max.body).toEqual({ inserted: 5000, updated: 0 });
  });

  it('answers 404 for samples of an unknown run', async () => {
    const missing = randomUUID();
    expectStatus(await api('POST', `/api/v1/runs/${missing}/samples`, { headers: keyAuth(t.key), json: samples(2) }), 404);
    expectStatus(await api('GET', `/api/v1/runs/${missing}/samples`, { headers: keyAuth(t.key) }), 404);
  });
});

describe('GET /api/v1/runs/{id}/samples', () => {
  let runId: string;

  beforeAll(async () => {
    runId = await newRun();
    // iterations 1..3 × sample 0..9; score = index / 10; every fourth sample failed
    const batch = [1, 2, 3].flatMap((iteration) =>
      Array.from({ length: 10 }, (_, i) => ({
        iteration,
        sampleIndex: i,
        score: i % 4 === 3 ? null : i / 10,
        error: i % 4 === 3 ? 'TimeoutError: model did not answer' : null,
      })),
    );
    expectStatus(await api('POST', `/api/v1/runs/${runId}/samples`, { headers: keyAuth(t.key), json: batch }), 201);
  });

  const get = async (query: string) => {
    const res = await api('GET', `/api/v1/runs/${runId}/samples${query}`, { headers: keyAuth(t.readKey) });
    expectStatus(res, 200);
    return res.body as { data: Array<{ iteration: number; sampleIndex: number; score: number | null; error: string | null }>; nextCursor: string | null };
  };
  const keys = (page: Awaited<ReturnType<typeof get>>) => page.data.map((s) => `${s.iteration}.${s.sampleIndex}`);

  it('lists samples in (iteration, sampleIndex) order', async () => {
    const page = await get('');
    expect(page.data).toHaveLength(30);
    expect(keys(page).slice(0, 3)).toEqual(['1.0', '1.1', '1.2']);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by iteration, score range and errors only', async () => {
    expect(keys(await get('?iteration=2'))).toEqual(Array.from({ length: 10 }, (_, i) => `2.${i}`));
    expect(keys(await get('?iteration=3&minScore=0.5'))).toEqual(['3.5', '3.6', '3.8', '3.9']);
    expect(keys(await get('?iteration=1&maxScore=0.2'))).toEqual(['1.0', '1.1', '1.2']);
    expect(keys(await get('?iteration=1&minScore=0.4&maxScore=0.6'))).toEqual(['1.4', '1.5', '1.6']);
    const errors = await get('?errorsOnly=true');
    expect(keys(errors)).toEqual(['1.3', '1.7', '2.3', '2.7', '3.3', '3.7']);
    expect(errors.data.every((s) => s.error?.startsWith('TimeoutError'))).toBe(true);
    expect((await get('?errorsOnly=false')).data).toHaveLength(30);
  });

  it('pages with nextCursor through every sample exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...keys(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    // the cursor composes with filters
    const filtered = await get('?iteration=2&limit=4&cursor=2.5');
    expect(keys(filtered)).toEqual(['2.6', '2.7', '2.8', '2.9']);
  });

  it('refuses bad filters with 422 naming the parameter', async () => {
    const headers = keyAuth(t.readKey);
    const path = `/api/v1/runs/${runId}/samples`;
    expectIssueAt(await api('GET', `${path}?errorsOnly=yes`, { headers }), 'errorsOnly');
    expectIssueAt(await api('GET', `${path}?minScore=abc`, { headers }), 'minScore');
    expectIssueAt(await api('GET', `${path}?maxScore=2`, { headers }), 'maxScore');
    expectIssueAt(await api('GET', `${path}?iteration=-1`, { headers }), 'iteration');
    expectIssueAt(await api('GET', `${path}?iteration=1.5`, { headers }), 'iteration');
    expectIssueAt(await api('GET', `${path}?limit=501`, { headers }), 'limit');
    expectIssueAt(await api('GET', `${path}?cursor=abc`, { headers }), 'cursor');
    expectIssueAt(await api('GET', `${path}?sort=score`, { headers }), 'sort');
  });
});
