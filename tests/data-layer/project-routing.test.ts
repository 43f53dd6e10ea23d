import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlClient, type Sql } from '../../lib/db/client.ts';
import { inProject, projectOfRun } from '../../lib/supabase-optimization/scope.ts';
import {
  batchCreateOptimizationSamples,
  ConflictError,
  countOptimizationSamplesByIteration,
  createOptimizationIteration,
  createOptimizationIterations,
  createOptimizationRun,
  deleteOptimizationRun,
  editRunLabels,
  getCandidatePoolInsight,
  getConfigImportance,
  getCostSummary,
  getExampleFlips,
  getGroupedScoreCurves,
  getLineageTree,
  getNoiseSummary,
  getOptimizationAnalytics,
  getOptimizationRun,
  getOptimizationRunSummary,
  getOptimizationRunWithIterations,
  getParetoFrontView,
  getProjectRun,
  getProposalAudit,
  getRunActivity,
  getRunFlips,
  getRunNote,
  getSettingsOutcomes,
  getTopRunsByScore,
  getTrialSeries,
  listCandidatePool,
  listDerivedScores,
  listOptimizationCandidates,
  listOptimizationIterations,
  listOptimizationIterationScores,
  listOptimizationProposals,
  listOptimizationRuns,
  listOptimizationSamples,
  listParetoSnapshots,
  listProjects,
  listRunChanges,
  listRunFacets,
  listStarredRuns,
  markRunCrashed,
  NotFoundError,
  refreshOptimizationAnalytics,
  setRunNote,
  setRunStar,
  updateOptimizationRun,
  upsertCandidatePool,
  upsertOptimizationCandidates,
  upsertOptimizationProposals,
  upsertParetoSnapshots,
  userScope,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';
import { createProject, createUser, type TestUser } from '../helpers/fixtures.ts';
import { NO_INTERVAL, rejection, useDatabase } from './helpers.ts';
import { HANDMADE, writeRecorded } from './insight-fixtures.ts';

// Issue 17: on Citus a statement routes to one shard only when it names project_id. Every
// statement the data layer sends is recorded (postgres.js `debug`) and checked by its text
// and parameters: each reference to a project-owned table has a project_id predicate bound
// to the project (directly, or equal to another reference's that is), and the functions
// over project-owned tables receive the project.

const PROJECT = 'route-a';
const OTHER = 'route-b';

// tables (and the view) whose rows carry project_id, distributed by it on Citus
const PROJECT_OWNED = [
  'optimization_runs',
  'optimization_iterations',
  'optimization_samples',
  'optimization_candidates',
  'optimization_candidate_pool',
  'optimization_pareto_snapshots',
  'optimization_proposals',
  'run_notes',
  'run_changes',
  'run_stars',
  'saved_views',
  'project_optimization_analytics',
];
// functions over project-owned tables that take the project (in their first argument)
const TAKE_PROJECT = ['search_optimization_runs', 'total_optimization_runs', 'get_top_runs_by_score'];
// functions over project-owned tables that take a run id alone: never to be called
const RUN_ID_ONLY = ['get_optimization_run_summary', 'recompute_run_statistics'];

interface Statement {
  text: string;
  params: unknown[];
}

const KEYWORDS = new Set(['where', 'on', 'join', 'left', 'right', 'inner', 'full', 'cross', 'set', 'order', 'group', 'limit', 'using', 'returning', 'union', 'window', 'for', 'as', 'and']);

// What is wrong with one statement (empty: routed by project_id).
function routingProblems(statement: Statement, projectId: string): string[] {
  const text = statement.text.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ');
  const bound = (n: string) => {
    const value = statement.params[Number(n) - 1];
    // a search function's filters travel as one JSON parameter naming the project
    const json = typeof value === 'string' && value.startsWith('{') ? (JSON.parse(value) as unknown) : value;
    return value === projectId || (typeof json === 'object' && json !== null && (json as { projectId?: unknown }).projectId === projectId);
  };
  const problems: string[] = [];
  for (const fn of RUN_ID_ONLY) if (new RegExp(`\\b${fn}\\s*\\(`).test(text)) problems.push(`calls ${fn} (run id only)`);
  for (const fn of TAKE_PROJECT) {
    for (const call of text.matchAll(new RegExp(`\\b${fn}\\s*\\(\\s*\\$(\\d+)`, 'g'))) {
      if (!bound(call[1]!)) problems.push(`${fn} does not receive project ${projectId} (got ${JSON.stringify(statement.params[Number(call[1]) - 1])})`);
    }
    if (new RegExp(`\\b${fn}\\s*\\(\\s*[^$\\s]`).test(text)) problems.push(`${fn}'s first argument is not a parameter`);
  }
  // references: `from|join|update|delete from [public.]table [as] [alias]`; an insert's target
  // takes project_id in its values (checked below), not a predicate
  const tables = PROJECT_OWNED.join('|');
  const refs: { table: string; alias: string | null }[] = [];
  for (const m of text.matchAll(new RegExp(`\\b(from|join|update)\\s+(?:public\\.)?(${tables})\\b(?:\\s+(?:as\\s+)?([a-z_][a-z0-9_]*))?`, 'gi'))) {
    const alias = m[3] && !KEYWORDS.has(m[3].toLowerCase()) ? m[3] : null;
    refs.push({ table: m[2]!, alias });
  }
  const inserts = [...text.matchAll(new RegExp(`\\binsert\\s+into\\s+(?:public\\.)?(${tables})\\b`, 'gi'))];
  if (inserts.length && !statement.params.some((p) => p === projectId)) problems.push(`inserts into ${inserts[0]![1]} without the project among its parameters`);
  if (refs.length === 0) return problems;
  // bound predicates by qualifier ('' unqualified): `x.project_id = $n` with $n the project,
  // then `a.project_id = b.project_id` when one side is bound
  const predicates = new Map<string, number>();
  const add = (q: string) => predicates.set(q, (predicates.get(q) ?? 0) + 1);
  for (const m of text.matchAll(/\b(?:([a-z_][a-z0-9_]*)\.)?project_id\s*=\s*\$(\d+)/gi)) if (bound(m[2]!)) add(m[1] ?? '');
  for (const m of text.matchAll(/\$(\d+)\s*=\s*(?:([a-z_][a-z0-9_]*)\.)?project_id\b/gi)) if (bound(m[1]!)) add(m[2] ?? '');
  const equalities = [...text.matchAll(/\b([a-z_][a-z0-9_]*)\.project_id\s*=\s*([a-z_][a-z0-9_]*)\.project_id\b/gi)].map((m) => [m[1]!, m[2]!] as const);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [a, b] of equalities) {
      if (predicates.has(a) !== predicates.has(b)) {
        add(predicates.has(a) ? b : a);
        changed = true;
      }
    }
  }
  // each reference needs a predicate of its own: an unaliased one an unqualified predicate
  // (or one qualified by the table's name), an aliased one a predicate on its alias
  const needed = new Map<string, { count: number; table: string }>();
  for (const ref of refs) {
    const key = ref.alias ?? '';
    needed.set(key, { count: (needed.get(key)?.count ?? 0) + 1, table: ref.table });
  }
  for (const [qualifier, { count, table }] of needed) {
    const have = (predicates.get(qualifier) ?? 0) + (qualifier === '' ? (predicates.get(table) ?? 0) : 0);
    if (have < count) {
      problems.push(`${qualifier ? `alias ${qualifier} (${table})` : table}: ${count} reference(s), ${have} project_id predicate(s) bound to ${projectId}`);
    }
  }
  return problems;
}

function referencesProjectData(statement: Statement): boolean {
  return new RegExp(`\\b(${[...PROJECT_OWNED, ...TAKE_PROJECT, ...RUN_ID_ONLY].join('|')})\\b`, 'i').test(statement.text);
}

describe('every statement the data layer sends names the project (postgres)', () => {
  const db = useDatabase('postgres');
  const recorded: Statement[] = [];
  let recording = false;
  let client: Sql;
  let owner: TestUser;
  let scope: Scope; // bound to PROJECT, on the recording client
  let runId: string;
  let otherRunId: string;

  // Runs `work` and returns the statements it sent that touch project data.
  async function record(work: () => Promise<unknown>): Promise<Statement[]> {
    recorded.length = 0;
    recording = true;
    try {
      await work();
    } finally {
      recording = false;
    }
    return recorded.filter(referencesProjectData);
  }

  function expectRouted(statements: Statement[], what: string): void {
    expect(statements.length, `${what}: no statement about project data was recorded`).toBeGreaterThan(0);
    const problems = statements.flatMap((s) => routingProblems(s, PROJECT).map((p) => `${p}\n  in: ${s.text.replace(/\s+/g, ' ').slice(0, 400)}`));
    expect(problems, what).toEqual([]);
  }

  beforeAll(async () => {
    const sql = db().sql;
    owner = await createUser(sql, 'routing');
    // the owner reads both projects: a statement without project_id would find rows in each
    await createProject(sql, PROJECT, [[owner, 'owner']]);
    await createProject(sql, OTHER, [[owner, 'owner']]);
    client = createSqlClient(db().url, {
      max: 2,
      debug: (_connection, text, params) => {
        if (recording) recorded.push({ text, params: params.map((p) => (p instanceof Buffer ? p.toString() : p)) });
      },
    });
    scope = inProject(userScope(owner.claims, client), PROJECT);
    const writer = userScope(owner.claims, db().sql);
    runId = await writeRecorded(writer, PROJECT, HANDMADE);
    await updateOptimizationRun(writer, runId, { status: 'completed', finalScore: 0.8, tags: ['production', 'exp-1'], config: { model: 'gpt-4', miprov2: { num_candidates: 10 } } });
    otherRunId = await writeRecorded(writer, OTHER, HANDMADE, 'other');
    await updateOptimizationRun(writer, otherRunId, { status: 'completed', finalScore: 0.9, tags: ['production'] });
    await refreshOptimizationAnalytics(writer, NO_INTERVAL);
  });

  afterAll(async () => {
    await client?.end({ timeout: 5 });
  });

  it("the checker itself: a statement without the project's predicate is caught", () => {
    expect(routingProblems({ text: 'select * from optimization_iterations where run_id = $1', params: [randomUUID()] }, PROJECT)).toHaveLength(1);
    expect(routingProblems({ text: 'select * from optimization_iterations where project_id = $2 and run_id = $1', params: [randomUUID(), OTHER] }, PROJECT)).toHaveLength(1);
    expect(routingProblems({ text: 'select * from optimization_iterations where project_id = $2 and run_id = $1', params: [randomUUID(), PROJECT] }, PROJECT)).toEqual([]);
    expect(routingProblems({ text: 'select * from get_optimization_run_summary($1)', params: [randomUUID()] }, PROJECT)).toHaveLength(1);
    expect(
      routingProblems({ text: 'select * from run_stars s join optimization_runs r on r.id = s.run_id and r.project_id = s.project_id where s.project_id = $1', params: [PROJECT] }, PROJECT),
    ).toEqual([]);
    expect(
      routingProblems({ text: 'select * from run_stars s join optimization_runs r on r.id = s.run_id where s.project_id = $1', params: [PROJECT] }, PROJECT),
    ).toHaveLength(1);
  });

  it("the schema document's seven query patterns", async () => {
    const patterns: Array<[string, () => Promise<unknown>]> = [
      ['1. list runs', () => listOptimizationRuns(scope, { projectId: PROJECT, status: 'completed', limit: 20 })],
      ['2. filter by tags', () => listOptimizationRuns(scope, { projectId: PROJECT, tags: ['production', 'exp-1'] })],
      ['3. search by config', () => listOptimizationRuns(scope, { projectId: PROJECT, config: { model: 'gpt-4', 'miprov2.num_candidates': 10 } })],
      ['4. leaderboard', () => getTopRunsByScore(scope, PROJECT, 10)],
      ['5. run with iterations', () => getOptimizationRunWithIterations(scope, runId)],
      ['6. samples of an iteration', () => listOptimizationSamples(scope, { runId, iteration: HANDMADE.iterations[0]!.iteration as number, limit: 100 })],
      ['7. aggregate stats', () => getOptimizationAnalytics(scope, { projectId: PROJECT })],
    ];
    for (const [what, work] of patterns) {
      const statements = await record(work);
      expectRouted(statements, what);
    }
    // the answers are this project's only
    const listed = await listOptimizationRuns(scope, { projectId: PROJECT, tags: ['production'] });
    expect(listed.data.map((r) => r.id)).toEqual([runId]);
    expect((await getTopRunsByScore(scope, PROJECT, 10)).map((r) => r.id)).toEqual([runId]);
  });

  it('everything the run page loads (requireRun, the page, its insight and structure sections)', async () => {
    const iterations = HANDMADE.iterations.map((i) => i.iteration as number);
    const statements = await record(async () => {
      await listProjects(scope);
      const run = await getProjectRun(scope, PROJECT, runId);
      await Promise.all([
        listOptimizationIterations(scope, run.id),
        countOptimizationSamplesByIteration(scope, run.id),
        listOptimizationSamples(scope, { runId: run.id, iteration: iterations[0], errorsOnly: true, minScore: 0, maxScore: 1, limit: 25 }),
        getRunNote(scope, run.id),
        listRunChanges(scope, run.id, 50),
        listStarredRuns(scope, PROJECT),
        getRunActivity(scope, [run.id], 15),
        getTrialSeries(scope, run.id),
        getNoiseSummary(scope, run.id),
        getCostSummary(scope, run.id),
        getExampleFlips(scope, run.id),
        getCandidatePoolInsight(scope, run.id),
        getLineageTree(scope, run.id, { focus: 'c1' }),
        getParetoFrontView(scope, run.id, { step: 1 }),
        getProposalAudit(scope, run.id, { after: 0, limit: 10 }),
        getOptimizationRunSummary(scope, run.id),
      ]);
    });
    expectRouted(statements, 'run page');
    for (const table of ['optimization_samples', 'optimization_candidate_pool', 'optimization_proposals', 'run_notes', 'run_changes', 'run_stars']) {
      expect(statements.some((s) => s.text.includes(table)), `the run page reads ${table}`).toBe(true);
    }
  });

  it('the runs list, leaderboard, compare and analysis pages', async () => {
    const statements = await record(async () => {
      await listRunFacets(scope, PROJECT);
      await listDerivedScores(scope, [runId]);
      await listOptimizationIterationScores(scope, [runId]);
      await getRunFlips(scope, runId, runId);
      await getSettingsOutcomes(scope, PROJECT);
      await getGroupedScoreCurves(scope, { filters: { projectId: PROJECT }, groupBy: 'tag' });
      await getConfigImportance(scope, { filters: { projectId: PROJECT } });
    });
    expectRouted(statements, 'list and analysis pages');
  });

  it('writes: a run, its iterations, samples, structure, notes, labels, stars; crash and delete', async () => {
    const statements = await record(async () => {
      const run = await createOptimizationRun(scope, { projectId: PROJECT, runName: 'written', optimizerType: 'gepa', status: 'running' });
      await updateOptimizationRun(scope, run.id, { description: 'd' });
      await createOptimizationIteration(scope, { runId: run.id, iteration: 0, score: 0.5 });
      await createOptimizationIterations(scope, run.id, [{ iteration: 1, score: 0.6 }, { iteration: 2, score: 0.7 }]);
      await batchCreateOptimizationSamples(scope, [
        { runId: run.id, iteration: 1, sampleIndex: 0, input: { q: 1 }, score: 1 },
        { runId: run.id, iteration: 3, sampleIndex: 0, input: { q: 1 }, score: 0 },
      ]);
      await createOptimizationIterations(scope, run.id, [{ iteration: 3, score: 0.4 }]);
      await upsertOptimizationCandidates(scope, run.id, [{ candidateId: 'c0', score: 0.5 }, { candidateId: 'c1', parentIds: ['c0'], score: 0.6 }]);
      await upsertCandidatePool(scope, run.id, [{ predictorIndex: 0, predictorName: 'p', kind: 'instruction', candidateIndex: 0 }]);
      await upsertParetoSnapshots(scope, run.id, [{ step: 0, front: { e1: ['c1'] }, bestScores: { e1: 1 } }]);
      await upsertOptimizationProposals(scope, run.id, [{ proposalIndex: 0, kind: 'reflective', parentIds: ['c0'], accepted: true }]);
      await listOptimizationCandidates(scope, { runId: run.id });
      await listCandidatePool(scope, { runId: run.id });
      await listParetoSnapshots(scope, { runId: run.id });
      await listOptimizationProposals(scope, { runId: run.id, limit: 1 });
      await setRunNote(scope, run.id, { body: 'a note' });
      await setRunNote(scope, run.id, { body: '' });
      await editRunLabels(scope, run.id, { runName: 'renamed', addTags: ['x'] });
      await setRunStar(scope, run.id, true);
      await setRunStar(scope, run.id, false);
      await rejection(markRunCrashed(scope, run.id), ConflictError);
      await getOptimizationRun(scope, run.id);
      await deleteOptimizationRun(scope, run.id);
    });
    expectRouted(statements, 'writes');
  });

  it('a scope without a project resolves it once, by one lookup, then names it', async () => {
    const unbound = userScope(owner.claims, client);
    const statements = await record(() => listOptimizationIterations(unbound, runId));
    const lookups = statements.filter((s) => routingProblems(s, PROJECT).length > 0);
    expect(lookups.map((s) => s.text.replace(/\s+/g, ' ').trim())).toEqual([
      'select distinct project_id from optimization_runs where id = any($1::uuid[]) limit 2',
    ]);
    expect(statements.length).toBeGreaterThan(1);
    expect(await projectOfRun(unbound, otherRunId)).toBe(OTHER);
    await rejection(getOptimizationRun(unbound, randomUUID()), NotFoundError);
    // bound to the other project, this project's run is not found
    await rejection(getOptimizationRun(inProject(unbound, OTHER), runId), NotFoundError);
  });
});

// Run ids become unique per project (issue 17's schema): the same id in two readable projects
// is told apart by the project, and a caller who names none is asked to.
describe('one run id in two projects (postgres, the global key dropped)', () => {
  const db = useDatabase('postgres');

  it('a bound scope reads its own project\'s run; an unbound one gets a 409', async () => {
    const sql = db().sql;
    const user = await createUser(sql, 'twin');
    await createProject(sql, 'twin-a', [[user, 'owner']]);
    await createProject(sql, 'twin-b', [[user, 'owner']]);
    // what the schema change makes possible: (project_id, id) is the key
    await sql.unsafe('alter table optimization_runs drop constraint optimization_runs_pkey cascade');
    const id = randomUUID();
    for (const [project, name] of [['twin-a', 'in a'], ['twin-b', 'in b']] as const) {
      await sql`insert into optimization_runs (id, project_id, run_name, optimizer_type, status) values (${id}, ${project}, ${name}, 'miprov2', 'running')`;
    }
    const scope = userScope(user.claims, sql);
    expect((await getOptimizationRun(inProject(scope, 'twin-a'), id)).runName).toBe('in a');
    expect((await getOptimizationRun(inProject(scope, 'twin-b'), id)).runName).toBe('in b');
    await updateOptimizationRun(inProject(scope, 'twin-b'), id, { description: 'only b' });
    expect((await getOptimizationRun(inProject(scope, 'twin-a'), id)).description).toBeNull();
    const conflict = await rejection(getOptimizationRun(scope, id), ConflictError);
    expect(conflict.message).toMatch(/more than one of your projects/);
    expect(conflict.details).toEqual({ projects: ['twin-a', 'twin-b'] });
  });
});
