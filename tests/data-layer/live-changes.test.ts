import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSqlClient, type Sql } from '../../lib/db/client.ts';
import { CHANNEL, publishRunChanges } from '../../lib/live/publish.ts';
import {
  batchCreateOptimizationSamples,
  createOptimizationIterations,
  createOptimizationRun,
  deleteOptimizationRun,
  editRunLabels,
  markRunCrashed,
  setRunNote,
  setRunStar,
  updateOptimizationRun,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
} from '../../lib/supabase-optimization/index.ts';
import { updateRunInTx } from '../../lib/supabase-optimization/runs.ts';
import { inScope, type Scope } from '../../lib/supabase-optimization/scope.ts';
import { createProject, createRun, createUser, type TestUser } from '../helpers/fixtures.ts';
import { scopeOf, useDatabase } from './helpers.ts';

// Live updates come from the data layer after COMMIT, not from a trigger: with the trigger
// dropped (the schema without it), every write of a run, its rows or its labels reaches a
// listener on another connection, and a rolled-back write sends nothing.

interface Heard {
  project_id: string;
  run_id: string;
  op: string;
}

const WAIT_MS = 10_000;

describe('live updates from the data layer (PostgreSQL, no notify trigger)', () => {
  const db = useDatabase('postgres');
  let listener: Sql;
  let heard: Heard[] = [];
  let owner: TestUser;
  let scope: Scope;
  let projectId: string;

  beforeAll(async () => {
    const { sql, url } = db();
    await sql`drop trigger if exists trigger_notify_run_change on public.optimization_runs`;
    owner = await createUser(sql, 'live-owner');
    projectId = await createProject(sql, `live-${Date.now()}`, [[owner, 'owner']]);
    scope = scopeOf(db(), owner);
    listener = createSqlClient(url, { max: 1 });
    await listener.listen(CHANNEL, (payload) => heard.push(JSON.parse(payload) as Heard));
  });

  afterAll(async () => {
    await listener?.end({ timeout: 5 });
  });

  async function nextChange(runId: string, op = 'update'): Promise<Heard> {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const found = heard.find((h) => h.run_id === runId && h.op === op);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no ${op} of ${runId} within ${WAIT_MS} ms; heard ${JSON.stringify(heard)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // runs the write, then expects exactly its run's change on the channel
  async function expectAnnounced(runId: string, write: () => Promise<unknown>, op = 'update') {
    heard = [];
    await write();
    expect(await nextChange(runId, op)).toEqual({ project_id: projectId, run_id: runId, op });
  }

  it('the trigger is gone from this database', async () => {
    const [row] = await db().sql<{ n: number }[]>`select count(*)::int as n from pg_trigger where tgname = 'trigger_notify_run_change'`;
    expect(row!.n).toBe(0);
  });

  it('creating, updating and deleting a run are announced with their op', async () => {
    const id = crypto.randomUUID();
    await expectAnnounced(id, () => createOptimizationRun(scope, { id, projectId, runName: 'live', optimizerType: 'mipro', status: 'running' }), 'insert');
    await expectAnnounced(id, () => updateOptimizationRun(scope, id, { runName: 'live 2' }));
    await expectAnnounced(id, () => deleteOptimizationRun(scope, id), 'delete');
  });

  it("writes of a run's iterations, samples and structure are announced", async () => {
    const runId = await createRun(db().sql, projectId, { status: 'running', optimizer_type: 'gepa' });
    await expectAnnounced(runId, () => createOptimizationIterations(scope, runId, [{ iteration: 0, score: 0.5 }]));
    await expectAnnounced(runId, () => batchCreateOptimizationSamples(scope, [{ runId, iteration: 0, sampleIndex: 0, input: { q: 1 }, score: 1 }]));
    await expectAnnounced(runId, () => upsertOptimizationCandidates(scope, runId, [{ candidateId: '0' }]));
    await expectAnnounced(runId, () =>
      upsertCandidatePool(scope, runId, [{ predictorIndex: 0, predictorName: 'p', kind: 'instruction', candidateIndex: 0, text: 'Answer.' }]),
    );
    await expectAnnounced(runId, () => upsertParetoSnapshots(scope, runId, [{ step: 0, front: { e1: ['0'] } }]));
    await expectAnnounced(runId, () => upsertOptimizationProposals(scope, runId, [{ proposalIndex: 0, kind: 'reflective', parentIds: ['0'], accepted: false }]));
  });

  it('notes, labels, stars and Mark crashed are announced', async () => {
    const runId = await createRun(db().sql, projectId, { status: 'running' });
    await expectAnnounced(runId, () => setRunNote(scope, runId, { body: 'a note' }));
    await expectAnnounced(runId, () => editRunLabels(scope, runId, { addTags: ['x'] }));
    await expectAnnounced(runId, () => setRunStar(scope, runId, true));
    // a stall of 0 minutes: any earlier write is old enough
    await expectAnnounced(runId, () => markRunCrashed(scope, runId, {}, 0));
  });

  it('a rolled-back write sends nothing; the next committed one is heard', async () => {
    const doomed = await createRun(db().sql, projectId, { run_name: 'kept' });
    const other = await createRun(db().sql, projectId);
    heard = [];
    await expect(
      inScope(scope, async (tx) => {
        await updateRunInTx(tx, projectId, doomed, { runName: 'rolled back' });
        throw new Error('the request failed after the write');
      }),
    ).rejects.toThrow(/failed after the write/);
    await updateOptimizationRun(scope, other, { runName: 'committed' });
    await nextChange(other);
    expect(heard.filter((h) => h.run_id === doomed)).toEqual([]);
    const [row] = await db().sql<{ run_name: string }[]>`select run_name from optimization_runs where id = ${doomed}`;
    expect(row!.run_name).toBe('kept');
  });

  it('a refused write sends nothing', async () => {
    const stranger = await createUser(db().sql, 'live-stranger');
    const runId = await createRun(db().sql, projectId);
    heard = [];
    await expect(updateOptimizationRun(scopeOf(db(), stranger), runId, { runName: 'not yours' })).rejects.toThrow();
    await updateOptimizationRun(scope, runId, { description: 'then the owner' });
    await nextChange(runId);
    expect(heard).toEqual([{ project_id: projectId, run_id: runId, op: 'update' }]);
  });

  it('an announcement that fails is logged once until one succeeds, without the connection string', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    // nothing listens on port 1: the connection is refused
    const down = createSqlClient('postgres://postgres:s3cret-password@127.0.0.1:1/nowhere', { max: 1 });
    const change = [{ projectId, runId: crypto.randomUUID(), op: 'update' as const }];
    const logged = () => errors.mock.calls.filter((call) => String(call[0]).startsWith('[live]'));
    try {
      publishRunChanges(down, change);
      await expect.poll(() => logged().length, { timeout: WAIT_MS }).toBe(1);
      publishRunChanges(down, change);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(logged()).toHaveLength(1);
      expect(JSON.stringify(logged())).not.toContain('s3cret');
      // a success ends the outage; the next failure is logged again
      heard = [];
      publishRunChanges(db().sql, change);
      await nextChange(change[0]!.runId);
      // the listener can hear it before the sender has its answer
      await new Promise((resolve) => setTimeout(resolve, 300));
      publishRunChanges(down, change);
      await expect.poll(() => logged().length, { timeout: WAIT_MS }).toBe(2);
    } finally {
      errors.mockRestore();
      await down.end({ timeout: 1 });
    }
  });
});

