import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { createUser, type TestUser } from '../helpers/fixtures.ts';
import {
  api,
  createTenant,
  expectIssueAt,
  expectStatus,
  keyAuth,
  sessionAuth,
  superuserSql,
  validRun,
  type Tenant,
} from './helpers.ts';

// Read models: run summary, leaderboard (plain, by optimizer, by tag), analytics and its
// refresh (owners and admins only), and the caller's projects.

let sql: Sql;
let t: Tenant;
let admin: TestUser;
let member: TestUser;
let viewer: TestUser;
const runs: Record<string, string> = {};

async function makeRun(name: string, extra: Record<string, unknown>): Promise<string> {
  const res = await api('POST', '/api/v1/runs', { headers: keyAuth(t.key), json: validRun({ runName: name, ...extra }) });
  expectStatus(res, 201);
  runs[name] = res.body.id;
  return res.body.id;
}

beforeAll(async () => {
  sql = superuserSql();
  admin = await createUser(sql, 'rm-admin');
  member = await createUser(sql, 'rm-member');
  viewer = await createUser(sql, 'rm-viewer');
  t = await createTenant(sql, 'rm', [[admin, 'admin'], [member, 'member'], [viewer, 'viewer']]);
  // created one after another so created_at orders them
  await makeRun('mipro-90', { status: 'completed', optimizerType: 'miprov2', initialScore: 0.5, finalScore: 0.9, tags: ['a'] });
  await makeRun('mipro-80', { status: 'completed', optimizerType: 'miprov2', initialScore: 0.4, finalScore: 0.8, tags: ['b'] });
  await makeRun('copro-95', { status: 'completed', optimizerType: 'copro', initialScore: 0.5, finalScore: 0.95, tags: ['a', 'b'] });
  await makeRun('gepa-null', { status: 'completed', optimizerType: 'gepa', tags: ['a'] });
  await makeRun('mipro-running', { status: 'running', optimizerType: 'miprov2', finalScore: 0.99, tags: ['a'] });
  await makeRun('mipro-failed', { status: 'failed', optimizerType: 'miprov2', finalScore: 0.97, tags: ['a'] });
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const names = (data: Array<{ id: string }>) => data.map((r) => Object.entries(runs).find(([, id]) => id === r.id)?.[0] ?? r.id);

describe('GET /api/v1/runs/{id}/summary', () => {
  it('summarizes scores, the best iteration, samples and cost', async () => {
    const runId = await makeRun('summarized', { status: 'running', initialScore: 0.4, optimizerType: 'bootstrapfewshot' });
    expectStatus(
      await api('POST', `/api/v1/runs/${runId}/iterations`, {
        headers: keyAuth(t.key),
        json: [
          { iteration: 1, score: 0.45, tokens: 100, costUsd: 0.25, latencyMs: 100 },
          { iteration: 2, score: 0.72, tokens: 200, costUsd: 0.5, latencyMs: 300 },
          { iteration: 3, score: 0.6, tokens: 300, costUsd: 0.25, latencyMs: 200 },
        ],
      }),
      201,
    );
    expectStatus(
      await api('PATCH', `/api/v1/runs/${runId}`, {
        headers: keyAuth(t.key),
        json: { status: 'completed', finalScore: 0.7, samplesEvaluated: 10, samplesSuccessful: 8, samplesFailed: 2 },
      }),
      200,
    );
    const res = await api('GET', `/api/v1/runs/${runId}/summary`, { headers: keyAuth(t.readKey) });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      runId,
      projectId: t.projectId,
      status: 'completed',
      initialScore: 0.4,
      finalScore: 0.7,
      bestScore: 0.72,
      improvement: 0.3,
      improvementPct: 75,
      iterations: 3,
      bestIteration: 2,
      bestIterationScore: 0.72,
      samplesEvaluated: 10,
      successRate: 0.8,
      totalTokens: 600,
      totalCostUsd: 1,
      avgLatencyMs: 200,
    });
  });

  it('answers 404 for an unknown run and 422 for a malformed id', async () => {
    expectStatus(await api('GET', `/api/v1/runs/${randomUUID()}/summary`, { headers: keyAuth(t.key) }), 404);
    expectIssueAt(await api('GET', '/api/v1/runs/123/summary', { headers: keyAuth(t.key) }), 'runId');
  });
});

describe('GET /api/v1/leaderboard', () => {
  const board = async (query = '', headers = keyAuth(t.readKey)) => {
    const res = await api('GET', `/api/v1/leaderboard${query}`, { headers });
    expectStatus(res, 200);
    return names(res.body.data);
  };

  it('ranks completed runs by final score, unscored last', async () => {
    const top = await board();
    expect(top.filter((n) => n !== 'summarized')).toEqual(['copro-95', 'mipro-90', 'mipro-80', 'gepa-null']);
    expect(await board('?limit=2')).toEqual(['copro-95', 'mipro-90']);
    const res = await api('GET', '/api/v1/leaderboard?limit=1', { headers: keyAuth(t.key) });
    expect(res.body.data[0]).toMatchObject({ id: runs['copro-95'], finalScore: 0.95, improvement: 0.45, status: 'completed' });
  });

  it('filters by optimizer type', async () => {
    expect(await board('?optimizerType=miprov2')).toEqual(['mipro-90', 'mipro-80']);
    expect(await board('?optimizerType=copro')).toEqual(['copro-95']);
    expect(await board('?optimizerType=simba')).toEqual([]);
  });

  it('filters by tag, and by tag and optimizer together', async () => {
    expect(await board('?tag=a')).toEqual(['copro-95', 'mipro-90', 'gepa-null']);
    expect(await board('?tag=b&optimizerType=miprov2')).toEqual(['mipro-80']);
    expect(await board('?tag=b&limit=1')).toEqual(['copro-95']);
  });

  it('takes projectId for a signed-in user and requires it', async () => {
    const headers = await sessionAuth(viewer);
    expect((await board(`?projectId=${t.projectId}&optimizerType=miprov2`, headers))).toEqual(['mipro-90', 'mipro-80']);
    expectIssueAt(await api('GET', '/api/v1/leaderboard', { headers }), 'projectId');
  });

  it('refuses bad parameters with 422 naming them', async () => {
    const headers = keyAuth(t.readKey);
    expectIssueAt(await api('GET', '/api/v1/leaderboard?limit=0', { headers }), 'limit');
    expectIssueAt(await api('GET', '/api/v1/leaderboard?limit=101', { headers }), 'limit');
    expectIssueAt(await api('GET', '/api/v1/leaderboard?limit=ten&tag=a', { headers }), 'limit');
    expectStatus(await api('GET', '/api/v1/leaderboard?limit=ten', { headers }), 422);
    expectIssueAt(await api('GET', '/api/v1/leaderboard?optimizerType=Not%20Valid', { headers }), 'optimizerType');
    expectIssueAt(await api('GET', '/api/v1/leaderboard?orderBy=cost', { headers }), 'orderBy');
    expectIssueAt(await api('GET', '/api/v1/leaderboard?projectId=NOPE!', { headers }), 'projectId');
  });
});

describe('GET /api/v1/analytics and POST /api/v1/analytics/refresh', () => {
  async function refreshAs(headers: Record<string, string>) {
    // a refresh already running elsewhere answers refreshed=false at once: try again
    for (let attempt = 0; ; attempt++) {
      const res = await api('POST', '/api/v1/analytics/refresh', { headers });
      expectStatus(res, 200);
      if (res.body.refreshed || attempt === 10) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('an owner (session) refreshes; then analytics hold the project\'s numbers per optimizer and status', async () => {
    const res = await refreshAs(await sessionAuth(t.owner));
    expect(res.body).toMatchObject({ refreshed: true, refreshedAt: expect.any(String), durationMs: expect.any(Number) });
    const analytics = await api('GET', '/api/v1/analytics', { headers: keyAuth(t.readKey) });
    expectStatus(analytics, 200);
    expect(Date.parse(analytics.body.lastRefreshedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.refreshedAt) - 1);
    const rows = analytics.body.rows as Array<{ projectId: string; optimizerType: string; status: string; runCount: number; avgFinalScore: number | null; bestFinalScore: number | null }>;
    expect(new Set(rows.map((r) => r.projectId))).toEqual(new Set([t.projectId]));
    const row = (optimizer: string, status: string) => rows.find((r) => r.optimizerType === optimizer && r.status === status);
    expect(row('miprov2', 'completed')).toMatchObject({ runCount: 2, avgFinalScore: 0.85, bestFinalScore: 0.9 });
    expect(row('miprov2', 'failed')).toMatchObject({ runCount: 1 });
    expect(row('miprov2', 'running')).toMatchObject({ runCount: 1 });
    expect(row('copro', 'completed')).toMatchObject({ runCount: 1, bestFinalScore: 0.95 });
  });

  it('an admin may refresh too', async () => {
    const res = await refreshAs(await sessionAuth(admin));
    expect(res.body.refreshed).toBe(true);
  });

  it('an API key (even with the write scope) gets 403', async () => {
    const res = await api('POST', '/api/v1/analytics/refresh', { headers: keyAuth(t.key) });
    expectStatus(res, 403);
    expect(res.body.error.code).toBe('forbidden');
    expectStatus(await api('POST', '/api/v1/analytics/refresh', { headers: keyAuth(t.readKey) }), 403);
  });

  it('a viewer or a member gets 403', async () => {
    for (const user of [viewer, member]) {
      const res = await api('POST', '/api/v1/analytics/refresh', { headers: await sessionAuth(user) });
      expectStatus(res, 403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it("a signed-in user's analytics cover the user's projects; projectId narrows them", async () => {
    const mine = await createTenant(sql, 'rm-viewer-own');
    await sql`insert into project_members (project_id, user_id, role) values (${mine.projectId}, ${viewer.id}, 'owner')`;
    expectStatus(await api('POST', '/api/v1/runs', { headers: keyAuth(mine.key), json: validRun({ optimizerType: 'simba' }) }), 201);
    await refreshAs(await sessionAuth(viewer)); // an owner of some project may refresh
    const all = await api('GET', '/api/v1/analytics', { headers: await sessionAuth(viewer) });
    expectStatus(all, 200);
    expect(new Set(all.body.rows.map((r: { projectId: string }) => r.projectId))).toEqual(new Set([t.projectId, mine.projectId]));
    const one = await api('GET', `/api/v1/analytics?projectId=${mine.projectId}`, { headers: await sessionAuth(viewer) });
    expect(one.body.rows).toEqual([expect.objectContaining({ projectId: mine.projectId, optimizerType: 'simba', status: 'pending', runCount: 1 })]);
  });

  it('refuses bad parameters with 422', async () => {
    expectIssueAt(await api('GET', '/api/v1/analytics?projectId=Bad%20Id', { headers: keyAuth(t.key) }), 'projectId');
    expectIssueAt(await api('GET', '/api/v1/analytics?from=2026-01-01', { headers: keyAuth(t.key) }), 'from');
  });
});

describe('GET /api/v1/projects', () => {
  it("lists a key's project with the role it acts as", async () => {
    const res = await api('GET', '/api/v1/projects', { headers: keyAuth(t.key) });
    expectStatus(res, 200);
    expect(res.body.data).toEqual([
      { id: t.projectId, name: `Project ${t.projectId}`, description: null, role: 'member', createdAt: expect.any(String) },
    ]);
  });

  it("lists a user's projects with the user's role", async () => {
    const res = await api('GET', '/api/v1/projects', { headers: await sessionAuth(admin) });
    expectStatus(res, 200);
    expect(res.body.data).toEqual([expect.objectContaining({ id: t.projectId, role: 'admin' })]);
  });
});
