import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../lib/db/client.ts';
import { api, createTenant, expectIssueAt, expectStatus, keyAuth, sessionAuth, superuserSql, validRun, type Tenant } from './helpers.ts';

// Issue 16 over HTTP: grouped curves and config importance for the filtered runs, notes,
// labels and their audit, saved views, and marking a stalled run crashed; another
// project's key sees nothing, a read-only key cannot write.

let sql: Sql;
let t: Tenant;
let other: Tenant;
const runIds: string[] = [];

beforeAll(async () => {
  sql = superuserSql();
  t = await createTenant(sql, 'ana');
  other = await createTenant(sql, 'anao');
  const plan = [
    { optimizerType: 'gepa', temperature: 0.2, finalScore: 0.8, scores: [0.5, 0.7] },
    { optimizerType: 'gepa', temperature: 1.0, finalScore: 0.4, scores: [0.3, 0.5] },
    { optimizerType: 'miprov2', temperature: 0.2, finalScore: 0.78, scores: [0.4, 0.6] },
  ];
  for (const p of plan) {
    const res = await api('POST', '/api/v1/runs', {
      headers: keyAuth(t.key),
      json: validRun({ status: 'running', optimizerType: p.optimizerType, finalScore: p.finalScore, config: { temperature: p.temperature } }),
    });
    expectStatus(res, 201);
    runIds.push(res.body.id);
    const its = p.scores.map((score, iteration) => ({ iteration, score }));
    expectStatus(await api('POST', `/api/v1/runs/${res.body.id}/iterations`, { headers: keyAuth(t.key), json: its }), 201);
  }
});

afterAll(async () => {
  await sql.end({ timeout: 5 });
});

describe('analysis across runs', () => {
  it('groups the filtered runs\' score curves with mean and spread', async () => {
    const res = await api('GET', '/api/v1/analysis/curves?groupBy=optimizer', { headers: keyAuth(t.readKey) });
    expectStatus(res, 200);
    expect(res.body.runs).toBe(3);
    const gepa = res.body.groups.find((g: { key: string }) => g.key === 'gepa');
    expect(gepa.runs).toBe(2);
    expect(gepa.points[1].mean).toBeCloseTo(0.6, 6);
    expect(gepa.points[1].sd).toBeCloseTo(Math.sqrt(0.02), 6);
    const filtered = await api('GET', '/api/v1/analysis/curves?groupBy=config.temperature&optimizerType=gepa&smoothing=0.5', { headers: keyAuth(t.key) });
    expectStatus(filtered, 200);
    expect(filtered.body.groups.map((g: { key: string }) => g.key).sort()).toEqual(['0.2', '1']);
    expect(filtered.body.smoothing).toBe(0.5);
    expectIssueAt(await api('GET', '/api/v1/analysis/curves?groupBy=colour', { headers: keyAuth(t.key) }), 'groupBy');
    expectIssueAt(await api('GET', '/api/v1/analysis/curves?smoothing=2', { headers: keyAuth(t.key) }), 'smoothing');
  });

  it('explains which config keys go with the final score', async () => {
    const res = await api('GET', '/api/v1/analysis/config-importance', { headers: keyAuth(t.readKey) });
    expectStatus(res, 200);
    const temperature = res.body.keys.find((k: { key: string }) => k.key === 'temperature');
    // {0.8, 0.78} vs {0.4}: mean 0.66; SS_between = 2·0.13² + 0.26² = 0.1014; SS_total 0.1016
    expect(temperature.etaSquared).toBeCloseTo(0.1014 / 0.1016, 6);
    expect(temperature.groups).toBe(2);
    expect(res.body.parallel.keys).toEqual(['temperature']);
    expect(res.body.parallel.runs).toHaveLength(3);
  });

  it('shows nothing of another project to its key', async () => {
    const res = await api('GET', `/api/v1/analysis/curves?projectId=${t.projectId}`, { headers: keyAuth(other.key) });
    expect(res.status === 403 || (res.status === 200 && res.body.runs === 0), res.text).toBe(true);
  });
});

describe('notes, labels and their audit', () => {
  it('writes a note and renames and retags a run, recording who did it', async () => {
    const runId = runIds[0]!;
    const put = await api('PUT', `/api/v1/runs/${runId}/note`, { headers: keyAuth(t.key), json: { body: '**lower** temperature <script>x</script>' } });
    expectStatus(put, 200);
    expect(put.body.note.body).toContain('**lower**');
    expectStatus(await api('PUT', `/api/v1/runs/${runId}/note`, { headers: keyAuth(t.readKey), json: { body: 'x' } }), 403);
    expectStatus(await api('GET', `/api/v1/runs/${runId}/note`, { headers: keyAuth(other.key) }), 404);
    const labels = await api('PATCH', `/api/v1/runs/${runId}/labels`, { headers: keyAuth(t.key), json: { runName: 'best so far', addTags: ['keep'] } });
    expectStatus(labels, 200);
    expect(labels.body).toMatchObject({ runName: 'best so far', tags: expect.arrayContaining(['keep']) });
    expectIssueAt(await api('PATCH', `/api/v1/runs/${runId}/labels`, { headers: keyAuth(t.key), json: { colour: 'red' } }), '');
    const changes = await api('GET', `/api/v1/runs/${runId}/changes`, { headers: keyAuth(t.readKey) });
    expectStatus(changes, 200);
    const fields = changes.body.data.map((c: { field: string }) => c.field);
    expect(fields).toEqual(expect.arrayContaining(['note', 'run_name', 'tags']));
    expect(changes.body.data.find((c: { field: string }) => c.field === 'run_name').apiKeyId).toBe(t.key.id);
  });

  it('a signed-in member\'s change names the member', async () => {
    const res = await api('PATCH', `/api/v1/runs/${runIds[1]}/labels`, { headers: await sessionAuth(t.owner), json: { removeTags: ['nope'], runName: 'renamed by hand' } });
    expectStatus(res, 200);
    const changes = await api('GET', `/api/v1/runs/${runIds[1]}/changes`, { headers: await sessionAuth(t.owner) });
    expect(changes.body.data[0]).toMatchObject({ field: 'run_name', changedBy: t.owner.id, changedByEmail: t.owner.email });
  });
});

describe('saved views', () => {
  it('saves, lists and deletes a project view; names are unique', async () => {
    const definition = { filters: { optimizerType: 'gepa' }, columns: ['final_score', 'config.temperature'], sort: { by: 'final_score', direction: 'desc' }, groupBy: 'optimizer' };
    const created = await api('POST', '/api/v1/views', { headers: keyAuth(t.key), json: { name: 'GEPA only', definition } });
    expectStatus(created, 201);
    expectStatus(await api('POST', '/api/v1/views', { headers: keyAuth(t.key), json: { name: 'GEPA only', definition } }), 409);
    expectStatus(await api('POST', '/api/v1/views', { headers: keyAuth(t.readKey), json: { name: 'x', definition } }), 403);
    const list = await api('GET', '/api/v1/views', { headers: keyAuth(t.readKey) });
    expect(list.body.data.map((v: { name: string }) => v.name)).toEqual(['GEPA only']);
    const elsewhere = await api('GET', '/api/v1/views', { headers: keyAuth(other.key) });
    expect(elsewhere.body.data).toEqual([]);
    expectStatus(await api('DELETE', `/api/v1/views/${created.body.id}`, { headers: keyAuth(other.key) }), 404);
    expectStatus(await api('DELETE', `/api/v1/views/${created.body.id}`, { headers: keyAuth(t.key) }), 204);
  });
});

describe('stalled runs', () => {
  it('reports the last write; a fresh run cannot be marked crashed, a stalled one becomes failed', async () => {
    const runId = runIds[2]!;
    const fresh = await api('GET', `/api/v1/runs/${runId}/activity`, { headers: keyAuth(t.readKey) });
    expectStatus(fresh, 200);
    expect(fresh.body).toMatchObject({ stalled: false, stalledAfterMinutes: 15 });
    expectStatus(await api('POST', `/api/v1/runs/${runId}/crash`, { headers: keyAuth(t.key), json: {} }), 409);
    await sql.begin(async (tx) => {
      await tx`alter table optimization_iterations disable trigger trigger_update_optimization_iterations_updated_at`;
      await tx`alter table optimization_runs disable trigger trigger_update_optimization_runs_updated_at`;
      await tx`update optimization_iterations set updated_at = now() - interval '2 hours' where run_id = ${runId}`;
      await tx`update optimization_runs set updated_at = now() - interval '2 hours' where id = ${runId}`;
      await tx`alter table optimization_iterations enable trigger trigger_update_optimization_iterations_updated_at`;
      await tx`alter table optimization_runs enable trigger trigger_update_optimization_runs_updated_at`;
    });
    const stale = await api('GET', `/api/v1/runs/${runId}/activity`, { headers: keyAuth(t.readKey) });
    expect(stale.body.stalled).toBe(true);
    expectStatus(await api('POST', `/api/v1/runs/${runId}/crash`, { headers: keyAuth(t.readKey), json: {} }), 403);
    const crashed = await api('POST', `/api/v1/runs/${runId}/crash`, { headers: keyAuth(t.key), json: { reason: 'worker lost' } });
    expectStatus(crashed, 200);
    expect(crashed.body.status).toBe('failed');
    expect(crashed.body.errorMessage).toMatch(/^Crashed: no write since .*\(worker lost\)$/);
  });
});
