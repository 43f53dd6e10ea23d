import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import {
  api,
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

// Tenant isolation with API keys: project A's key never reads or writes project B, whatever
// ids or project names it guesses. B's rows are fingerprinted (counts and a digest of every
// row) after each test, and no response to A may mention B's project id, run ids or run
// names unless the request itself named them.

let sql: Sql;
let a: Tenant;
let b: Tenant;
const B_MARK = `b-secret-${randomUUID().slice(0, 8)}`;
let bRun: string;
let bRunning: string;
let aRun: string;
let bSnapshot: string;

async function fingerprint(projectId: string): Promise<string> {
  const [row] = await sql<{ digest: string }[]>`
    select md5(
      coalesce((select string_agg(r::text, '|' order by r.id) from optimization_runs r where r.project_id = ${projectId}), '') ||
      coalesce((select string_agg(i::text, '|' order by i.id) from optimization_iterations i where i.project_id = ${projectId}), '') ||
      coalesce((select string_agg(s::text, '|' order by s.id) from optimization_samples s where s.project_id = ${projectId}), '')
    ) as digest
  `;
  return `${JSON.stringify(await projectRowCounts(sql, projectId))}:${row!.digest}`;
}

// A's requests: no answer may mention anything of B that the request did not name itself
// (echoing the id that was asked for, "run <id> not found", reveals nothing)
async function asA(method: string, path: string, json?: unknown, key = a.key): Promise<ApiResponse> {
  const res = await api(method, path, { headers: keyAuth(key), json });
  const sent = path + JSON.stringify(json ?? null);
  for (const secret of [B_MARK, b.projectId, bRun, bRunning].filter((s) => !sent.includes(s))) {
    expect(res.text.includes(secret), `${method} ${path} revealed ${secret}: ${res.text.slice(0, 300)}`).toBe(false);
  }
  return res;
}

beforeAll(async () => {
  sql = superuserSql();
  a = await createTenant(sql, 'iso-a');
  b = await createTenant(sql, 'iso-b');
  // B's data, written through the API with B's own key
  const mk = async (tenant: Tenant, extra: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/runs', { headers: keyAuth(tenant.key), json: validRun(extra) });
    expectStatus(res, 201);
    return res.body.id as string;
  };
  bRun = await mk(b, { runName: `${B_MARK} completed`, status: 'completed', finalScore: 0.99, initialScore: 0.1, tags: [B_MARK, 'shared-tag'], optimizerType: 'miprov2' });
  bRunning = await mk(b, { runName: `${B_MARK} running`, status: 'running', tags: ['shared-tag'] });
  for (const run of [bRun, bRunning]) {
    expectStatus(await api('POST', `/api/v1/runs/${run}/iterations`, { headers: keyAuth(b.key), json: [{ iteration: 1, score: 0.5 }, { iteration: 2, score: 0.9 }] }), 201);
    expectStatus(await api('POST', `/api/v1/runs/${run}/samples`, { headers: keyAuth(b.key), json: [{ iteration: 1, sampleIndex: 0, score: 1, input: B_MARK }] }), 201);
  }
  aRun = await mk(a, { runName: 'a completed', status: 'completed', finalScore: 0.5, tags: ['shared-tag'], optimizerType: 'miprov2' });
  // the analytics view holds every tenant's numbers: make sure B's are in it
  await sql`refresh materialized view optimization_run_analytics`;
  bSnapshot = await fingerprint(b.projectId);
});

afterEach(async () => {
  expect(await fingerprint(b.projectId), "B's rows changed").toBe(bSnapshot);
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

describe("A's key and B's run ids", () => {
  it('GET, PATCH and DELETE of a guessed B run id answer 404', async () => {
    for (const key of [a.key, a.readKey]) {
      const res = await asA('GET', `/api/v1/runs/${bRun}`, undefined, key);
      expectStatus(res, 404);
      expect(res.body.error.code).toBe('not_found');
    }
    expectStatus(await asA('PATCH', `/api/v1/runs/${bRun}`, { runName: 'hijacked', finalScore: 0 }), 404);
    expectStatus(await asA('PATCH', `/api/v1/runs/${bRunning}`, { status: 'cancelled' }), 404);
    expectStatus(await asA('DELETE', `/api/v1/runs/${bRun}`), 404);
    // the same answer as for an id that does not exist at all
    const unknown = await asA('GET', `/api/v1/runs/${randomUUID()}`);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it("iterations, samples and the summary of B's run answer 404", async () => {
    expectStatus(await asA('GET', `/api/v1/runs/${bRun}/iterations`), 404);
    expectStatus(await asA('GET', `/api/v1/runs/${bRun}/samples`), 404);
    expectStatus(await asA('GET', `/api/v1/runs/${bRun}/samples?errorsOnly=true&minScore=0`), 404);
    expectStatus(await asA('GET', `/api/v1/runs/${bRun}/summary`), 404);
  });

  it("writing iterations and samples into B's run answers 404 and writes nothing", async () => {
    expectStatus(await asA('POST', `/api/v1/runs/${bRunning}/iterations`, { iteration: 3, score: 1 }), 404);
    expectStatus(await asA('POST', `/api/v1/runs/${bRunning}/iterations`, [{ iteration: 1, score: 0 }, { iteration: 9, score: 1 }]), 404);
    expectStatus(await asA('POST', `/api/v1/runs/${bRunning}/samples`, [{ iteration: 1, sampleIndex: 0, score: 0 }, { iteration: 1, sampleIndex: 1 }]), 404);
    expectStatus(await asA('POST', `/api/v1/runs/${bRunning}/samples`, { samples: [{ iteration: 2, sampleIndex: 5 }] }), 404);
    // a batch aimed at A's run that names B's run inside is refused as a whole
    const mixed = await asA('POST', `/api/v1/runs/${aRun}/samples`, [{ iteration: 1, sampleIndex: 0 }, { iteration: 1, sampleIndex: 1, runId: bRunning }]);
    expectStatus(mixed, 422);
    const [n] = await sql`select count(*)::int as n from optimization_samples where run_id = ${aRun}`;
    expect(n!.n).toBe(0);
  });
});

describe("A's key and B's project id", () => {
  it('creating a run in B answers 403 and writes nothing in either project', async () => {
    const aBefore = await projectRowCounts(sql, a.projectId);
    const res = await asA('POST', '/api/v1/runs', validRun({ projectId: b.projectId }));
    expectStatus(res, 403);
    expect(res.body.error.code).toBe('forbidden');
    // with a client-chosen id too, and with a read-only key
    const id = randomUUID();
    expectStatus(await asA('POST', '/api/v1/runs', validRun({ id, projectId: b.projectId })), 403);
    expectStatus(await asA('POST', '/api/v1/runs', validRun({ projectId: b.projectId }), a.readKey), 403);
    expect(await sql`select 1 from optimization_runs where id = ${id}`).toHaveLength(0);
    expect(await projectRowCounts(sql, a.projectId)).toEqual(aBefore);
  });

  // A key belongs to one project: naming another one is a 403, whether that project is B,
  // does not exist, or is A's own id in another spelling, so a script never reads it as "no runs"
  it('listing runs of B, or of a project that does not exist, answers 403', async () => {
    for (const query of [`projectId=${b.projectId}`, `projectId=${b.projectId}&tags=shared-tag&status=completed,running&search=${B_MARK}`, `projectId=no-such-${randomUUID().slice(0, 8)}`]) {
      for (const key of [a.key, a.readKey]) {
        const res = await asA('GET', `/api/v1/runs?${query}`, undefined, key);
        expectStatus(res, 403);
        expect(res.body.error.code).toBe('forbidden');
        expect(res.body.error.message).toContain(a.projectId);
      }
    }
    // A's own id, named or not, lists A's run only; a malformed id is still a 422 naming the field
    for (const query of ['tags=shared-tag', `tags=shared-tag&projectId=${a.projectId}`]) {
      const own = await asA('GET', `/api/v1/runs?${query}`);
      expectStatus(own, 200);
      expect(own.body.data.map((r: { id: string }) => r.id)).toEqual([aRun]);
    }
    expectIssueAt(await asA('GET', '/api/v1/runs?projectId=NOPE!'), 'projectId');
    expectIssueAt(await asA('GET', '/api/v1/leaderboard?projectId=NOPE!'), 'projectId');
  });

  it('the leaderboard of B answers 403: plain, by optimizer and by tag', async () => {
    for (const query of ['', '&optimizerType=miprov2', `&tag=${B_MARK}`, '&tag=shared-tag&limit=100']) {
      const res = await asA('GET', `/api/v1/leaderboard?projectId=${b.projectId}${query}`);
      expectStatus(res, 403);
      expect(res.body.error.code).toBe('forbidden');
    }
    for (const query of ['?tag=shared-tag', `?tag=shared-tag&projectId=${a.projectId}`]) {
      const own = await asA('GET', `/api/v1/leaderboard${query}`);
      expectStatus(own, 200);
      expect(own.body.data.map((r: { id: string }) => r.id)).toEqual([aRun]);
    }
  });

  it('analytics of B answer 403; A sees its own rows only', async () => {
    const theirs = await asA('GET', `/api/v1/analytics?projectId=${b.projectId}`);
    expectStatus(theirs, 403);
    expect(theirs.body.error.code).toBe('forbidden');
    for (const path of ['/api/v1/analytics', `/api/v1/analytics?projectId=${a.projectId}`]) {
      const own = await asA('GET', path);
      expectStatus(own, 200);
      expect(own.body.rows.length).toBeGreaterThan(0);
      expect(new Set(own.body.rows.map((r: { projectId: string }) => r.projectId))).toEqual(new Set([a.projectId]));
    }
    // B's numbers are in the view (the refresh above), so their absence is isolation
    const [inView] = await sql`select count(*)::int as n from optimization_run_analytics where project_id = ${b.projectId}`;
    expect(inView!.n).toBeGreaterThan(0);
  });

  it("GET /projects lists A's project only", async () => {
    const res = await asA('GET', '/api/v1/projects');
    expectStatus(res, 200);
    expect(res.body.data).toEqual([expect.objectContaining({ id: a.projectId, role: 'member' })]);
    const readOnly = await asA('GET', '/api/v1/projects', undefined, a.readKey);
    expect(readOnly.body.data).toEqual([expect.objectContaining({ id: a.projectId, role: 'viewer' })]);
  });
});

describe("data sent with A's key", () => {
  it('lands in A only', async () => {
    const run = await asA('POST', '/api/v1/runs', validRun({ runName: 'a run with children' }));
    expectStatus(run, 201);
    expectStatus(await asA('POST', `/api/v1/runs/${run.body.id}/iterations`, [{ iteration: 1, score: 0.3 }]), 201);
    expectStatus(await asA('POST', `/api/v1/runs/${run.body.id}/samples`, [{ iteration: 1, sampleIndex: 0 }, { iteration: 1, sampleIndex: 1 }]), 201);
    const rows = await sql<{ t: string; project_id: string }[]>`
      select 'run' as t, project_id from optimization_runs where id = ${run.body.id}
      union all select 'iteration', project_id from optimization_iterations where run_id = ${run.body.id}
      union all select 'sample', project_id from optimization_samples where run_id = ${run.body.id}
    `;
    expect(rows.map((r) => r.t).sort()).toEqual(['iteration', 'run', 'sample', 'sample']);
    expect(rows.every((r) => r.project_id === a.projectId)).toBe(true);
    // and B's key cannot see it either
    expectStatus(await api('GET', `/api/v1/runs/${run.body.id}`, { headers: keyAuth(b.key) }), 404);
  });
});
