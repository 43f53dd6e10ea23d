import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createOptimizationIterations,
  createOptimizationRun,
  createSavedView,
  deleteSavedView,
  editRunLabels,
  ForbiddenError,
  getConfigImportance,
  getGroupedScoreCurves,
  getRunActivity,
  getRunNote,
  listRunChanges,
  listSavedViews,
  listStarredRuns,
  markRunCrashed,
  NotFoundError,
  setRunNote,
  setRunStar,
  ValidationError,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { apiKeyClaims, rejection, scopeOf, useDatabase } from './helpers.ts';

// Issue 16 on the data layer: grouped score curves and the config importance (eta², ε²)
// computed in SQL, notes, labels and their audit, stars, saved views, stalled runs.

describe.each(ENGINES)('run analysis on %s', (engine) => {
  const db = useDatabase(engine);
  let owner: Scope;
  let viewer: Scope;
  let stranger: Scope;
  let ownerId: string;
  const runs: string[] = [];

  beforeAll(async () => {
    const ownerUser = await createUser(db().sql, 'owner');
    const viewerUser = await createUser(db().sql, 'viewer');
    const strangerUser = await createUser(db().sql, 'stranger');
    ownerId = ownerUser.id;
    await createProject(db().sql, 'ana-a', [[ownerUser, 'owner'], [viewerUser, 'viewer']]);
    await createProject(db().sql, 'ana-b', [[strangerUser, 'owner']]);
    owner = scopeOf(db(), ownerUser);
    viewer = scopeOf(db(), viewerUser);
    stranger = scopeOf(db(), strangerUser);
    // Two optimizers; "temperature" decides the final score, "seed" is noise.
    const plan = [
      { opt: 'gepa', temperature: 0.2, seed: 1, final: 0.8, curve: [0.5, 0.7] },
      { opt: 'gepa', temperature: 0.2, seed: 2, final: 0.82, curve: [0.5, 0.9] },
      { opt: 'gepa', temperature: 1.0, seed: 1, final: 0.4, curve: [0.3, 0.4] },
      { opt: 'miprov2', temperature: 1.0, seed: 2, final: 0.42, curve: [0.2, 0.3] },
    ];
    for (const [i, p] of plan.entries()) {
      const run = await createOptimizationRun(owner, {
        projectId: 'ana-a',
        runName: `run ${i}`,
        optimizerType: p.opt,
        status: i === 0 ? 'running' : 'completed',
        finalScore: p.final,
        config: { model: i % 2 ? 'gpt-4o' : 'llama', temperature: p.temperature, lm: { seed: p.seed } },
        tags: i < 2 ? ['baseline'] : [],
      });
      await createOptimizationIterations(owner, run.id, p.curve.map((score, iteration) => ({ iteration, score })));
      runs.push(run.id);
    }
  });

  it('groups score curves by optimizer with mean, spread and run counts per iteration', async () => {
    const curves = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, groupBy: 'optimizer' });
    expect(curves.runs).toBe(4);
    expect(curves.truncated).toBe(false);
    const gepa = curves.groups.find((g) => g.key === 'gepa')!;
    expect(gepa.runs).toBe(3);
    expect(gepa.points.map((p) => p.iteration)).toEqual([0, 1]);
    expect(gepa.points[1]!.mean).toBeCloseTo((0.7 + 0.9 + 0.4) / 3, 6);
    expect(gepa.points[1]!.sd).toBeCloseTo(Math.sqrt(((0.7 - 2 / 3) ** 2 + (0.9 - 2 / 3) ** 2 + (0.4 - 2 / 3) ** 2) / 2), 6);
    expect(gepa.points[1]!.min).toBeCloseTo(0.4, 6);
    expect(gepa.points[1]!.runs).toBe(3);
    expect(curves.groups.find((g) => g.key === 'miprov2')!.points[0]!.sd).toBe(0);
  });

  it('groups by tag (untagged runs as "(none)"), by model and by a nested config key; smooths', async () => {
    const byTag = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, groupBy: 'tag' });
    expect(Object.fromEntries(byTag.groups.map((g) => [g.key, g.runs]))).toEqual({ baseline: 2, '(none)': 2 });
    const byModel = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, groupBy: 'model' });
    expect(byModel.groups.map((g) => g.key).sort()).toEqual(['gpt-4o', 'llama']);
    const bySeed = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, groupBy: 'config.lm.seed', smoothing: 0.5 });
    const seed1 = bySeed.groups.find((g) => g.key === '1')!;
    // iteration 1: 0.5 · mean0 + 0.5 · mean1 = 0.5 · 0.4 + 0.5 · 0.55
    expect(seed1.points[1]!.mean).toBeCloseTo(0.5 * 0.4 + 0.5 * 0.55, 6);
    const filtered = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a', optimizerType: 'miprov2' } });
    expect(filtered.groups.map((g) => g.key)).toEqual(['miprov2']);
    const capped = await getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, maxRuns: 3 });
    expect(capped).toMatchObject({ runs: 3, truncated: true });
    await rejection(getGroupedScoreCurves(owner, { filters: { projectId: 'ana-a' }, groupBy: 'config.a b' }), ValidationError);
  });

  it('ranks config keys by the share of final-score variance their groups explain', async () => {
    const result = await getConfigImportance(owner, { filters: { projectId: 'ana-a' } });
    expect(result.runs).toBe(4);
    const byKey = Object.fromEntries(result.keys.map((k) => [k.key, k]));
    // temperature splits {0.8, 0.82} from {0.4, 0.42}: SS_between 0.16, SS_within 0.0004
    expect(byKey.temperature!.etaSquared).toBeCloseTo(0.16 / 0.1604, 6);
    expect(byKey.temperature!.epsilonSquared).toBeCloseTo((0.16 - 1 * (0.0004 / 2)) / 0.1604, 6);
    expect(byKey.temperature).toMatchObject({ type: 'number', groups: 2, runs: 4 });
    expect(byKey['lm.seed']!.etaSquared).toBeLessThan(0.01);
    expect(result.keys[0]!.key).toBe('temperature');
    expect(result.parallel.keys[0]).toBe('temperature');
    expect(result.parallel.runs).toHaveLength(4);
    expect(result.parallel.runs.find((r) => r.runId === runs[2])!.values).toMatchObject({ temperature: 1, 'lm.seed': 1 });
  });

  it('analyses nothing of a project the caller cannot read', async () => {
    const curves = await getGroupedScoreCurves(stranger, { filters: { projectId: 'ana-a' } });
    expect(curves).toMatchObject({ runs: 0, groups: [] });
    const importance = await getConfigImportance(stranger, { filters: { projectId: 'ana-a' } });
    expect(importance).toMatchObject({ runs: 0, keys: [] });
  });

  it('keeps a Markdown note per run, writable by writers only, and audits it', async () => {
    expect(await getRunNote(owner, runs[0]!)).toBeNull();
    const note = await setRunNote(owner, runs[0]!, { body: '## Why\nLower **temperature**.' });
    expect(note).toMatchObject({ runId: runs[0], body: '## Why\nLower **temperature**.', updatedBy: ownerId });
    expect((await getRunNote(viewer, runs[0]!))!.body).toContain('temperature');
    await rejection(setRunNote(viewer, runs[0]!, { body: 'x' }), ForbiddenError);
    await rejection(setRunNote(stranger, runs[0]!, { body: 'x' }), NotFoundError);
    await rejection(getRunNote(stranger, runs[0]!), NotFoundError);
    expect(await setRunNote(owner, runs[0]!, { body: '  ' })).toBeNull();
    const changes = await listRunChanges(viewer, runs[0]!);
    expect(changes.filter((c) => c.field === 'note').map((c) => c.newValue)).toEqual([null, '## Why\nLower **temperature**.']);
  });

  it('renames and retags a run in one edit, with who changed what and when', async () => {
    const run = await editRunLabels(owner, runs[1]!, { runName: 'renamed', addTags: ['keep', 'baseline'], removeTags: ['baseline'] });
    expect(run).toMatchObject({ runName: 'renamed', tags: ['keep'] });
    await rejection(editRunLabels(viewer, runs[1]!, { addTags: ['x'] }), ForbiddenError);
    await rejection(editRunLabels(owner, runs[1]!, {}), ValidationError);
    const changes = await listRunChanges(owner, runs[1]!);
    const rename = changes.find((c) => c.field === 'run_name')!;
    expect(rename).toMatchObject({ oldValue: 'run 1', newValue: 'renamed', changedBy: ownerId, apiKeyId: null });
    expect(rename.changedByEmail).toMatch(/@/);
    expect(changes.find((c) => c.field === 'tags')).toMatchObject({ oldValue: ['baseline'], newValue: ['keep'] });
    expect(Date.parse(rename.changedAt)).not.toBeNaN();
    await rejection(listRunChanges(stranger, runs[1]!), NotFoundError);
  });

  it('stars are each user\'s own; an API key has none', async () => {
    await setRunStar(owner, runs[0]!, true);
    await setRunStar(owner, runs[0]!, true);
    await setRunStar(viewer, runs[2]!, true);
    expect(await listStarredRuns(owner, 'ana-a')).toEqual([{ runId: runs[0], runName: 'run 0' }]);
    expect((await listStarredRuns(viewer, 'ana-a')).map((r) => r.runId)).toEqual([runs[2]]);
    await setRunStar(owner, runs[0]!, false);
    expect(await listStarredRuns(owner, 'ana-a')).toEqual([]);
    await rejection(setRunStar(stranger, runs[0]!, true), NotFoundError);
    await rejection(setRunStar(scopeOf(db(), apiKeyClaims('00000000-0000-4000-8000-000000000000')), runs[0]!, true), ValidationError);
  });

  it('saves named views shared with the project; viewers read them, strangers do not', async () => {
    const view = await createSavedView(owner, {
      projectId: 'ana-a',
      name: 'Best GEPA',
      definition: { filters: { optimizerType: 'gepa', status: ['completed'] }, columns: ['final_score', 'config.temperature'], sort: { by: 'final_score', direction: 'desc' }, groupBy: 'config.temperature' },
    });
    expect(view.definition.groupBy).toBe('config.temperature');
    expect((await listSavedViews(viewer, 'ana-a')).map((v) => v.name)).toEqual(['Best GEPA']);
    expect(await listSavedViews(stranger, 'ana-a')).toEqual([]);
    await rejection(createSavedView(owner, { projectId: 'ana-a', name: 'Best GEPA', definition: {} }), ConflictError);
    await rejection(createSavedView(viewer, { projectId: 'ana-a', name: 'mine', definition: {} }), ForbiddenError);
    await rejection(createSavedView(stranger, { projectId: 'ana-a', name: 'x', definition: {} }), NotFoundError);
    await rejection(createSavedView(owner, { projectId: 'ana-a', name: 'bad', definition: { groupBy: 'nope' } as never }), ValidationError);
    await rejection(deleteSavedView(viewer, 'ana-a', view.id), ForbiddenError);
    await rejection(deleteSavedView(stranger, 'ana-a', view.id), NotFoundError);
    await deleteSavedView(owner, 'ana-a', view.id);
    expect(await listSavedViews(owner, 'ana-a')).toEqual([]);
  });

  it('shows a running run with no recent write as stalled; only then can it be marked crashed (failed)', async () => {
    const fresh = await getRunActivity(owner, [runs[0]!, runs[2]!], 15);
    expect(fresh.get(runs[0]!)!.stalled).toBe(false);
    await rejection(markRunCrashed(owner, runs[0]!, {}, 15), ConflictError);
    // the run and its iterations last written an hour ago
    await db().sql.begin(async (tx) => {
      await tx`alter table optimization_iterations disable trigger trigger_update_optimization_iterations_updated_at`;
      await tx`alter table optimization_runs disable trigger trigger_update_optimization_runs_updated_at`;
      await tx`update optimization_iterations set updated_at = now() - interval '1 hour' where run_id = ${runs[0]!}`;
      await tx`update optimization_runs set updated_at = now() - interval '1 hour' where id = ${runs[0]!}`;
      await tx`alter table optimization_iterations enable trigger trigger_update_optimization_iterations_updated_at`;
      await tx`alter table optimization_runs enable trigger trigger_update_optimization_runs_updated_at`;
    });
    const stale = (await getRunActivity(viewer, [runs[0]!, runs[2]!], 15));
    expect(stale.get(runs[0]!)!.stalled).toBe(true);
    expect(Date.now() - Date.parse(stale.get(runs[0]!)!.lastWriteAt)).toBeGreaterThan(59 * 60_000);
    expect(stale.get(runs[2]!)!.stalled).toBe(false);
    await rejection(markRunCrashed(viewer, runs[0]!, {}, 15), ForbiddenError);
    await rejection(markRunCrashed(owner, runs[2]!, {}, 15), ConflictError);
    const crashed = await markRunCrashed(owner, runs[0]!, { reason: 'worker OOM' }, 15);
    expect(crashed.status).toBe('failed');
    expect(crashed.errorMessage).toMatch(/^Crashed: no write since .+ \(worker OOM\)$/);
    expect(crashed.endedAt).not.toBeNull();
    const status = (await listRunChanges(owner, runs[0]!)).find((c) => c.field === 'status')!;
    expect(status).toMatchObject({ oldValue: 'running', newValue: { status: 'failed' } });
  });
});
