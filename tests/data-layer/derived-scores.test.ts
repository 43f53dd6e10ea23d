import { beforeAll, describe, expect, it } from 'vitest';
import {
  createOptimizationIterations,
  createOptimizationRun,
  deriveScores,
  listDerivedScores,
  needsDerivedScores,
  shownScores,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { ENGINES } from '../helpers/databases.ts';
import { createProject, createUser } from '../helpers/fixtures.ts';
import { scopeOf, useDatabase } from './helpers.ts';

// A completed run without reported scores shows derived ones: initial from the first full
// evaluation, final from the selected or best non-minibatch iteration; never a minibatch.
describe('deriveScores', () => {
  const it_ = (iteration: number, score: number | null, kind: 'full' | 'minibatch' | null, isSelected = false) => ({ iteration, score, kind, isSelected });

  it('takes the first full evaluation and the selected iteration; minibatches never count', () => {
    const derived = deriveScores([it_(0, 0.4, 'minibatch'), it_(1, 0.5, 'full'), it_(2, 0.95, 'minibatch'), it_(3, 0.7, 'full'), it_(4, 0.65, 'full', true)]);
    expect(derived).toEqual({ initial: { iteration: 1, score: 0.5 }, final: { iteration: 4, score: 0.65 } });
  });

  it('without a selection, the best full evaluation; without kinds, the first and best iteration', () => {
    expect(deriveScores([it_(1, 0.5, 'full'), it_(2, 0.9, 'minibatch'), it_(3, 0.7, 'full'), it_(4, 0.6, 'full')]).final).toEqual({ iteration: 3, score: 0.7 });
    expect(deriveScores([it_(2, 0.3, null), it_(1, 0.2, null), it_(3, 0.65, null), it_(4, null, null)])).toEqual({
      initial: { iteration: 1, score: 0.2 },
      final: { iteration: 3, score: 0.65 },
    });
  });

  it('a run of minibatches only has nothing to derive', () => {
    expect(deriveScores([it_(1, 0.5, 'minibatch'), it_(2, 0.9, 'minibatch')])).toEqual({ initial: null, final: null });
  });

  it('reported scores win; derived ones fill the gaps of completed runs only', () => {
    const derived = { initial: { iteration: 1, score: 0.5 }, final: { iteration: 3, score: 0.75 } };
    const base = { improvement: null, improvementPct: null };
    expect(shownScores({ ...base, status: 'completed', initialScore: null, finalScore: null }, derived)).toMatchObject({
      initialScore: 0.5,
      finalScore: 0.75,
      improvement: 0.25,
      improvementPct: 50,
      initialDerived: derived.initial,
      finalDerived: derived.final,
    });
    expect(shownScores({ ...base, status: 'completed', initialScore: 0.6, finalScore: null }, derived)).toMatchObject({
      initialScore: 0.6,
      finalScore: 0.75,
      initialDerived: null,
    });
    expect(shownScores({ ...base, status: 'running', initialScore: null, finalScore: null }, derived)).toMatchObject({ finalScore: null, finalDerived: null });
    expect(needsDerivedScores({ status: 'completed', initialScore: 0.1, finalScore: 0.2 })).toBe(false);
  });
});

describe.each(ENGINES)('listDerivedScores on %s', (engine) => {
  const db = useDatabase(engine);
  let scope: Scope;
  let stranger: Scope;

  beforeAll(async () => {
    const sql = db().sql;
    const owner = await createUser(sql, 'derived-owner');
    const other = await createUser(sql, 'derived-other');
    await createProject(sql, 'derived-a', [[owner, 'owner']]);
    await createProject(sql, 'derived-b', [[other, 'owner']]);
    scope = scopeOf(db(), owner);
    stranger = scopeOf(db(), other);
  });

  it('reads the kinds from the column (a kind sent only in params is stored there), and answers only for runs the caller sees', async () => {
    const run = await createOptimizationRun(scope, { projectId: 'derived-a', runName: 'no final', optimizerType: 'miprov2', status: 'completed' });
    await createOptimizationIterations(scope, run.id, [
      { iteration: 0, score: 0.3, params: { eval_type: 'full' } },
      { iteration: 1, score: 0.92, params: { eval_type: 'minibatch' } },
      { iteration: 2, score: 0.99, evalKind: 'minibatch' },
      { iteration: 3, score: 0.65, evalKind: 'full' },
      { iteration: 4, score: 0.6, params: { full_eval: true } },
    ]);
    const plain = await createOptimizationRun(scope, { projectId: 'derived-a', runName: 'no kinds', optimizerType: 'copro', status: 'completed' });
    await createOptimizationIterations(scope, plain.id, [{ iteration: 1, score: 0.4 }, { iteration: 2, score: 0.45 }]);

    const derived = await listDerivedScores(scope, [run.id, plain.id]);
    expect(derived.get(run.id)).toEqual({ initial: { iteration: 0, score: 0.3 }, final: { iteration: 3, score: 0.65 } });
    expect(derived.get(plain.id)).toEqual({ initial: { iteration: 1, score: 0.4 }, final: { iteration: 2, score: 0.45 } });
    expect((await listDerivedScores(stranger, [run.id, plain.id])).size).toBe(0);
    expect((await listDerivedScores(scope, [])).size).toBe(0);
  });

  it('stores a kind named only in params (eval_type, minibatch, full_eval) in evalKind, so the best iteration knows it', async () => {
    const run = await createOptimizationRun(scope, { projectId: 'derived-a', runName: 'params kinds', optimizerType: 'miprov2', status: 'completed' });
    const written = await createOptimizationIterations(scope, run.id, [
      { iteration: 0, score: 0.95, params: { eval_type: 'minibatch' } },
      { iteration: 1, score: 0.6, params: { eval_type: 'full' } },
      { iteration: 2, score: 0.5, params: { minibatch: false } },
      { iteration: 3, score: 0.97, params: { full_eval: false } },
      // a kind sent wins over the params, null included
      { iteration: 4, score: 0.2, evalKind: 'full', params: { eval_type: 'minibatch' } },
      { iteration: 5, score: 0.1, evalKind: null, params: { eval_type: 'minibatch' } },
    ]);
    expect(written.map((i) => i.evalKind)).toEqual(['minibatch', 'full', 'full', 'minibatch', 'full', null]);
    // the 0.95 and 0.97 minibatches never outrank a full evaluation
    expect(written.filter((i) => i.isBest).map((i) => i.iteration)).toEqual([1]);
  });

  it('reads eval_kind only: a stored row whose kind is only in its params counts as unlabelled', async () => {
    const run = await createOptimizationRun(scope, { projectId: 'derived-a', runName: 'old row', optimizerType: 'miprov2', status: 'completed' });
    await createOptimizationIterations(scope, run.id, [
      { iteration: 1, score: 0.9, params: { eval_type: 'minibatch' } },
      { iteration: 2, score: 0.4 },
    ]);
    expect((await listDerivedScores(scope, [run.id])).get(run.id)).toEqual({ initial: { iteration: 2, score: 0.4 }, final: { iteration: 2, score: 0.4 } });
    // a row stored before kinds were mapped at write time: its params are not read
    await db().sql`update optimization_iterations set eval_kind = null where run_id = ${run.id} and iteration = 1`;
    expect((await listDerivedScores(scope, [run.id])).get(run.id)).toEqual({ initial: { iteration: 1, score: 0.9 }, final: { iteration: 1, score: 0.9 } });
  });
});
