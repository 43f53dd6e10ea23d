import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { createProject, createRun } from '../helpers/fixtures.ts';
import {
  api,
  createTenant,
  expectIssueAt,
  expectStatus,
  keyAuth,
  sessionAuth,
  superuserSql,
  uniqueId,
  validRun,
  type Tenant,
} from './helpers.ts';

// /api/v1/runs and /api/v1/runs/{id}: create (idempotent with a client-chosen id), list
// with filters and cursor paging, get, update (status moves forward only), delete.

let sql: Sql;
let a: Tenant;

beforeAll(async () => {
  sql = superuserSql();
  a = await createTenant(sql, 'runs');
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

describe('POST /api/v1/runs', () => {
  it("creates a run in the API key's project and returns it with a Location", async () => {
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ status: 'running', initialScore: 0.41 }) });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      projectId: a.projectId,
      runName: 'MIPROv2 on HotpotQA',
      optimizerType: 'miprov2',
      status: 'running',
      initialScore: 0.41,
      config: { model: 'gpt-4o-mini', miprov2: { num_candidates: 10 } },
      tags: ['hotpotqa'],
      createdBy: null,
    });
    expect(res.body.startedAt).not.toBeNull(); // a running run has started
    expect(res.headers.get('location')).toBe(`/api/v1/runs/${res.body.id}`);
    const [row] = await sql`select project_id, run_name, status from optimization_runs where id = ${res.body.id}`;
    expect(row).toEqual({ project_id: a.projectId, run_name: 'MIPROv2 on HotpotQA', status: 'running' });
  });

  it('accepts the key\'s own projectId in the body', async () => {
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ projectId: a.projectId }) });
    expectStatus(res, 201);
    expect(res.body.projectId).toBe(a.projectId);
    expect(res.body.status).toBe('pending');
  });

  it('returns the first run when a create with the same client-chosen id and body is retried', async () => {
    const id = randomUUID();
    const first = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id, runName: 'first attempt' }) });
    expectStatus(first, 201);
    const retry = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id, runName: 'first attempt' }) });
    expectStatus(retry, 201);
    expect(retry.body.id).toBe(id);
    expect(retry.body.createdAt).toBe(first.body.createdAt);
    // a retry with another name is refused, naming the field, and changes nothing
    const differs = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id, runName: 'retried attempt' }) });
    expectStatus(differs, 409);
    expect(differs.body.error.details).toEqual({ fields: ['runName'] });
    const rows = await sql`select run_name from optimization_runs where id = ${id}`;
    expect(rows).toEqual([{ run_name: 'first attempt' }]);
  });

  it('leaves one run when retries of one create overlap; those that differ from the winner get 409', async () => {
    const id = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id, runName: `attempt ${i % 2}` }) })),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(created.length + refused.length).toBe(6);
    expect(new Set(created.map((r) => r.body.runName)).size).toBe(1);
    const rows = await sql`select run_name from optimization_runs where id = ${id}`;
    expect(rows).toHaveLength(1);
    // the three attempts with the winner's body got the run; the three others were refused
    expect(created).toHaveLength(3);
    expect(created[0]!.body.runName).toBe(rows[0]!.run_name);
    for (const r of refused) expect(r.body.error.details).toEqual({ fields: ['runName'] });
  });

  it('records the signed-in user as the creator of a run created with a session', async () => {
    const res = await api('POST', '/api/v1/runs', {
      headers: await sessionAuth(a.owner),
      json: validRun({ projectId: a.projectId, runName: 'from the dashboard' }),
    });
    expectStatus(res, 201);
    expect(res.body.createdBy).toBe(a.owner.id);
    expect(res.body.projectId).toBe(a.projectId);
  });

  it('needs a projectId when the caller is a user (422 naming projectId)', async () => {
    const res = await api('POST', '/api/v1/runs', { headers: await sessionAuth(a.owner), json: validRun() });
    expectIssueAt(res, 'projectId');
  });

  it('creates (201) a run whose id another project already uses, and leaves that run alone (issue 12)', async () => {
    const other = await createProject(sql, uniqueId('runs-other'));
    const taken = await createRun(sql, other, { run_name: 'belongs to another tenant' });
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun({ id: taken }) });
    expectStatus(res, 201);
    expect(res.text).not.toContain('belongs to another tenant');
    const rows = await sql`select project_id, run_name from optimization_runs where id = ${taken} order by project_id = ${other}`;
    expect(rows.map((r) => r.project_id)).toEqual([a.projectId, other]);
    expect(rows[1]).toEqual({ project_id: other, run_name: 'belongs to another tenant' });
  });

  it('creates (201) a run id of one of the user\'s projects in another of them; the same project still 409s', async () => {
    const second = await createProject(sql, uniqueId('runs-second'), [[a.owner, 'owner']]);
    const id = await createRun(sql, a.projectId, { run_name: 'lives in A' });
    const res = await api('POST', '/api/v1/runs', {
      headers: await sessionAuth(a.owner),
      json: validRun({ id, projectId: second }),
    });
    expectStatus(res, 201);
    const rows = await sql`select project_id from optimization_runs where id = ${id} order by project_id = ${second}`;
    expect(rows).toEqual([{ project_id: a.projectId }, { project_id: second }]);
    // in one project an id still names one run: a create that differs is refused
    const again = await api('POST', '/api/v1/runs', {
      headers: await sessionAuth(a.owner),
      json: validRun({ id, projectId: second, runName: 'a different name' }),
    });
    expectStatus(again, 409);
  });
});

describe('GET /api/v1/runs', () => {
  let project: Tenant;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    project = await createTenant(sql, 'runs-list');
    const t0 = Date.now() - 60_000;
    const specs: Array<[string, Parameters<typeof createRun>[2]]> = [
      ['mipro-a', { run_name: 'mipro alpha', optimizer_type: 'miprov2', status: 'completed', final_score: 0.9, tags: ['prod', 'qa'], config: { model: 'gpt-4', miprov2: { num_candidates: 10 } } }],
      ['mipro-b', { run_name: 'mipro beta', optimizer_type: 'miprov2', status: 'completed', final_score: 0.7, tags: ['qa'], config: { model: 'gpt-4', miprov2: { num_candidates: 20 } } }],
      ['copro', { run_name: 'copro gamma', optimizer_type: 'copro', status: 'failed', final_score: null, tags: ['prod'], config: { model: 'claude' } }],
      ['gepa', { run_name: 'gepa 100%_done', optimizer_type: 'gepa', status: 'running', final_score: 0.5, tags: [], config: { model: 'gpt-4', miprov2: { num_candidates: '10' } } }],
      ['simba', { run_name: 'simba delta', optimizer_type: 'simba', status: 'completed', final_score: 0.95, tags: ['prod'], config: {} }],
    ];
    let i = 0;
    for (const [name, values] of specs) {
      ids[name] = await createRun(sql, project.projectId, { ...values, created_at: new Date(t0 + 1000 * i++) });
    }
  });

  const list = async (query = '') => {
    const res = await api('GET', `/api/v1/runs${query}`, { headers: keyAuth(project.readKey) });
    expectStatus(res, 200);
    return res.body as { data: Array<{ id: string }>; total: number; totalIsExact: boolean; nextCursor: string | null };
  };
  const names = (page: { data: Array<{ id: string }> }) =>
    page.data.map((r) => Object.entries(ids).find(([, id]) => id === r.id)?.[0] ?? `foreign:${r.id}`);

  it("lists the key's project, newest first, with an exact total", async () => {
    const page = await list();
    expect(names(page)).toEqual(['simba', 'gepa', 'copro', 'mipro-b', 'mipro-a']);
    expect(page.total).toBe(5);
    expect(page.totalIsExact).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by status, optimizer type, tags, score range and name', async () => {
    expect(names(await list('?status=completed'))).toEqual(['simba', 'mipro-b', 'mipro-a']);
    expect(names(await list('?status=failed,running'))).toEqual(['gepa', 'copro']);
    expect(names(await list('?optimizerType=miprov2'))).toEqual(['mipro-b', 'mipro-a']);
    expect(names(await list('?tags=prod,qa'))).toEqual(['mipro-a']);
    expect(names(await list('?tag=prod'))).toEqual(['simba', 'copro', 'mipro-a']);
    expect(names(await list('?minScore=0.7&maxScore=0.9'))).toEqual(['mipro-b', 'mipro-a']);
    expect(names(await list('?search=' + encodeURIComponent('100%_')))).toEqual(['gepa']);
    expect((await list('?status=completed&optimizerType=miprov2')).total).toBe(2);
  });

  it('filters on config values keeping their JSON type', async () => {
    expect(names(await list('?config.model=gpt-4'))).toEqual(['gepa', 'mipro-b', 'mipro-a']);
    expect(names(await list('?config.miprov2.num_candidates=10'))).toEqual(['mipro-a']);
    expect(names(await list('?config.miprov2.num_candidates=%2210%22'))).toEqual(['gepa']);
  });

  it('orders by final score and pages with cursors through every run exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?orderBy=final_score&orderDirection=desc&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...names(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['simba', 'mipro-a', 'mipro-b', 'gepa', 'copro']);
    expect(pages).toBe(3);
  });

  it('orders by name, status, optimizer and a config value, and pages those with cursors', async () => {
    expect(names(await list('?orderBy=run_name&orderDirection=asc'))).toEqual(['copro', 'gepa', 'mipro-a', 'mipro-b', 'simba']);
    expect(names(await list('?orderBy=run_name'))).toEqual(['simba', 'mipro-b', 'mipro-a', 'gepa', 'copro']);
    const byStatus = names(await list('?orderBy=status&orderDirection=asc'));
    expect(new Set(byStatus.slice(0, 3))).toEqual(new Set(['mipro-a', 'mipro-b', 'simba']));
    expect(byStatus.slice(3)).toEqual(['copro', 'gepa']);
    const byOptimizer = names(await list('?orderBy=optimizer_type'));
    expect([byOptimizer[0], new Set(byOptimizer.slice(1, 3)), ...byOptimizer.slice(3)]).toEqual(['simba', new Set(['mipro-a', 'mipro-b']), 'gepa', 'copro']);
    // a config value sorts as jsonb does (numbers above strings), runs without the key last
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?orderBy=config.miprov2.num_candidates&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.total).toBe(5);
      seen.push(...names(page));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen.slice(0, 3)).toEqual(['mipro-b', 'mipro-a', 'gepa']);
    expect(new Set(seen.slice(3))).toEqual(new Set(['copro', 'simba']));
    const byModel = names(await list('?orderBy=config.model&orderDirection=asc&status=completed,failed'));
    expect([byModel[0], new Set(byModel.slice(1, 3)), byModel[3]]).toEqual(['copro', new Set(['mipro-a', 'mipro-b']), 'simba']);
    // the same ordering from the last page backwards by offset
    expect(names(await list('?orderBy=run_name&orderDirection=asc&limit=2&offset=4'))).toEqual(['simba']);
  });

  it('pages by created_at (the default order) both ways without losing or repeating runs of one instant', async () => {
    // runs written in one transaction share created_at to the microsecond; two more differ
    // from them only below the millisecond
    const same = await createTenant(sql, 'runs-instant');
    await sql`
      insert into optimization_runs (project_id, run_name, optimizer_type, created_at)
      select ${same.projectId}, 'same ' || g, 'miprov2', '2026-01-01 00:00:00.123456+00'::timestamptz from generate_series(1, 5) g
      union all
      select ${same.projectId}, 'near ' || g, 'miprov2', ('2026-01-01 00:00:00.12320' || g || '+00')::timestamptz from generate_series(1, 2) g
    `;
    for (const direction of ['desc', 'asc']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await api('GET', `/api/v1/runs?limit=2&orderDirection=${direction}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
          headers: keyAuth(same.readKey),
        });
        expectStatus(res, 200);
        seen.push(...res.body.data.map((r: { runName: string }) => r.runName));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(seen, direction).toHaveLength(7);
      expect(new Set(seen).size, `${direction}: ${seen.join(', ')}`).toBe(7);
      const near = direction === 'asc' ? seen.slice(0, 2) : seen.slice(5);
      expect(near.sort()).toEqual(['near 1', 'near 2']);
    }
  });

  it('answers a forged cursor with 422, never 500', async () => {
    const forge = (payload: Record<string, unknown>) => encodeURIComponent(Buffer.from(JSON.stringify(payload)).toString('base64url'));
    const id = '00000000-0000-4000-8000-000000000000';
    const headers = keyAuth(project.readKey);
    for (const v of ['notadate', '2026-13-45 00:00:00+00', 'x\u0000y', '1e400000']) {
      const byDate = await api('GET', `/api/v1/runs?cursor=${forge({ o: 'created_at', d: 'desc', v, id })}`, { headers });
      expect(byDate.status, `created_at cursor ${v}: ${byDate.text}`).toBe(422);
    }
    for (const v of ['abc', '1,5', 'NaN; drop table x']) {
      const byScore = await api('GET', `/api/v1/runs?orderBy=final_score&cursor=${forge({ o: 'final_score', d: 'desc', v, id })}`, { headers });
      expect(byScore.status, `final_score cursor ${v}: ${byScore.text}`).toBe(422);
    }
    expectStatus(await api('GET', `/api/v1/runs?cursor=${forge({ o: 'created_at', d: 'desc', v: '2026-01-01 00:00:00+00', id: '-'.repeat(36) })}`, { headers }), 422);
  });

  it('rejects unknown filters, bad numbers and foreign cursors with 422 naming the parameter', async () => {
    const headers = keyAuth(project.readKey);
    expectIssueAt(await api('GET', '/api/v1/runs?colour=red', { headers }), 'colour');
    expectIssueAt(await api('GET', '/api/v1/runs?limit=0', { headers }), 'limit');
    expectIssueAt(await api('GET', '/api/v1/runs?limit=201', { headers }), 'limit');
    expectIssueAt(await api('GET', '/api/v1/runs?minScore=high', { headers }), 'minScore');
    expectIssueAt(await api('GET', '/api/v1/runs?minScore=1.5', { headers }), 'minScore');
    expectIssueAt(await api('GET', '/api/v1/runs?status=finished', { headers }), 'status');
    expectIssueAt(await api('GET', '/api/v1/runs?orderBy=name', { headers }), 'orderBy');
    expectIssueAt(await api('GET', '/api/v1/runs?orderBy=config.', { headers }), 'orderBy');
    expectIssueAt(await api('GET', '/api/v1/runs?orderBy=config.a%20b', { headers }), 'orderBy');
    expectIssueAt(await api('GET', '/api/v1/runs?cursor=not-a-cursor', { headers }), 'cursor');
    expectIssueAt(await api('GET', '/api/v1/runs?createdAfter=yesterday', { headers }), 'createdAfter');
    const page = await list('?orderBy=final_score&limit=1');
    // a cursor is tied to its ordering
    expectIssueAt(await api('GET', `/api/v1/runs?orderBy=created_at&cursor=${encodeURIComponent(page.nextCursor!)}`, { headers }), 'cursor');
  });
});

describe('GET, PATCH and DELETE /api/v1/runs/{id}', () => {
  const create = async (extra: Record<string, unknown> = {}) => {
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(a.key), json: validRun(extra) });
    expectStatus(res, 201);
    return res.body as { id: string; createdAt: string };
  };

  it('gets a run by id', async () => {
    const run = await create({ runName: 'to read', description: 'a description' });
    const res = await api('GET', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.readKey) });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id: run.id, runName: 'to read', description: 'a description', projectId: a.projectId });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for an unknown id and 422 for an id that is not a UUID', async () => {
    const unknown = await api('GET', `/api/v1/runs/${randomUUID()}`, { headers: keyAuth(a.key) });
    expectStatus(unknown, 404);
    expect(unknown.body.error.code).toBe('not_found');
    expectIssueAt(await api('GET', '/api/v1/runs/not-a-uuid', { headers: keyAuth(a.key) }), 'id');
    expectIssueAt(await api('PATCH', '/api/v1/runs/not-a-uuid', { headers: keyAuth(a.key), json: { runName: 'x' } }), 'id');
    expectIssueAt(await api('DELETE', '/api/v1/runs/not-a-uuid', { headers: keyAuth(a.key) }), 'id');
    expectStatus(await api('PATCH', `/api/v1/runs/${randomUUID()}`, { headers: keyAuth(a.key), json: { runName: 'x' } }), 404);
    expectStatus(await api('DELETE', `/api/v1/runs/${randomUUID()}`, { headers: keyAuth(a.key) }), 404);
  });

  it('updates fields and finishes a run, setting endedAt', async () => {
    const run = await create({ status: 'running', initialScore: 0.5 });
    const res = await api('PATCH', `/api/v1/runs/${run.id}`, {
      headers: keyAuth(a.key),
      json: { status: 'completed', finalScore: 0.75, tags: ['done'], metadata: { host: 'gpu-1' } },
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ status: 'completed', finalScore: 0.75, improvement: 0.25, improvementPct: 50, tags: ['done'], metadata: { host: 'gpu-1' } });
    expect(res.body.endedAt).not.toBeNull();
    const [row] = await sql`select status, final_score from optimization_runs where id = ${run.id}`;
    expect(row).toEqual({ status: 'completed', final_score: 0.75 });
  });

  it('refuses with 409 to move a finished run back to running, changing nothing', async () => {
    const run = await create({ status: 'completed', finalScore: 0.8 });
    const res = await api('PATCH', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key), json: { status: 'running', finalScore: 0.1 } });
    expectStatus(res, 409);
    expect(res.body.error).toMatchObject({ code: 'conflict', details: { from: 'completed', to: 'running' } });
    const [row] = await sql`select status, final_score from optimization_runs where id = ${run.id}`;
    expect(row).toEqual({ status: 'completed', final_score: 0.8 });
    // a pending run cannot be reached from running either
    const running = await create({ status: 'running' });
    expectStatus(await api('PATCH', `/api/v1/runs/${running.id}`, { headers: keyAuth(a.key), json: { status: 'pending' } }), 409);
  });

  it('refuses an empty or unknown-field patch with 422', async () => {
    const run = await create();
    const empty = await api('PATCH', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key), json: {} });
    expectStatus(empty, 422);
    expect(empty.body.error.message).toMatch(/at least one field/);
    const moved = await api('PATCH', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key), json: { projectId: 'somewhere-else' } });
    expectIssueAt(moved, '', /unknown field "projectId"/);
    const [row] = await sql`select project_id from optimization_runs where id = ${run.id}`;
    expect(row!.project_id).toBe(a.projectId);
  });

  it('deletes a run with its iterations and samples (204), then answers 404', async () => {
    const run = await create();
    expectStatus(await api('POST', `/api/v1/runs/${run.id}/iterations`, { headers: keyAuth(a.key), json: { iteration: 1, score: 0.5 } }), 201);
    expectStatus(await api('POST', `/api/v1/runs/${run.id}/samples`, { headers: keyAuth(a.key), json: [{ iteration: 1, sampleIndex: 0, score: 1 }] }), 201);
    const res = await api('DELETE', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key) });
    expectStatus(res, 204);
    expect(res.text).toBe('');
    expectStatus(await api('GET', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key) }), 404);
    expectStatus(await api('DELETE', `/api/v1/runs/${run.id}`, { headers: keyAuth(a.key) }), 404);
    const [counts] = await sql`
      select (select count(*)::int from optimization_runs where id = ${run.id}) as runs,
             (select count(*)::int from optimization_iterations where run_id = ${run.id}) as iterations,
             (select count(*)::int from optimization_samples where run_id = ${run.id}) as samples
    `;
    expect(counts).toEqual({ runs: 0, iterations: 0, samples: 0 });
  });
});
