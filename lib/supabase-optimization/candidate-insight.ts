import type { OptimizationProposal } from './dto.ts';
import type { JsonValue } from './schemas.ts';
import { NotFoundError, ValidationError } from './errors.ts';
import { assertUuid } from './runs.ts';
import { projectOfRun, readInScope, type Scope } from './scope.ts';

// The numbers of the run page's optimizer views (issue 15, views 2, 3, 4 and 8): MIPROv2's
// candidate pools against the trials that used them, GEPA's candidate lineage, its Pareto
// front per validation instance, and the proposal audit. Aggregates are computed in SQL
// under the caller's scope; only the confidence interval's t quantile is applied here.

// Views 2: the candidate-pool explorer ---------------------------------------------------------

export interface PoolCandidateStats {
  candidateIndex: number;
  text: string | null;
  content: JsonValue | null;
  // non-full evaluations (minibatch or unlabelled) whose params.chosen picked it
  trials: number;
  meanScore: number | null;
  // 95 % confidence interval of the mean (Student's t); null under two trials
  ciLow: number | null;
  ciHigh: number | null;
  fullEvaluations: number;
  bestFullScore: number | null;
  // picked by the selected (else best) iteration
  won: boolean;
}

export interface PoolHeatCell {
  instruction: number;
  demos: number;
  trials: number;
  meanScore: number | null;
  bestFullScore: number | null;
}

export interface PoolPredictor {
  predictorIndex: number;
  predictorName: string;
  instructions: PoolCandidateStats[];
  demoSets: PoolCandidateStats[];
  heatMap: PoolHeatCell[];
  // the winner's instruction against the best other instruction, by best full evaluation
  runnerUpInstruction: number | null;
  instructionMargin: number | null;
}

export interface CandidatePoolInsight {
  predictors: PoolPredictor[];
  // the winning combination (the selected, else best, iteration's params.chosen)
  winner: { iteration: number; score: number | null; chosen: Record<string, { instruction?: number; demos?: number }> } | null;
  // the best full evaluation of any other combination, and the winner's lead over it
  runnerUp: { iteration: number; score: number } | null;
  margin: number | null;
}

// Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export function t95(degreesOfFreedom: number): number {
  return T95[degreesOfFreedom - 1] ?? 1.96;
}

function interval(n: number, mean: number | null, sd: number | null): { ciLow: number | null; ciHigh: number | null } {
  if (n < 2 || mean === null || sd === null) return { ciLow: null, ciHigh: null };
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return { ciLow: mean - half, ciHigh: mean + half };
}

// each iteration's params.chosen as rows (predictor, instruction, demos); malformed entries
// skipped; the run is $1, its project $<projectParam>
const chosen = (projectParam: number) => `
  select i.iteration, i.eval_kind, i.score::float8 as score, c.key::int as p,
         case when jsonb_typeof(c.value->'instruction') = 'number' then (c.value->>'instruction')::numeric::int end as ins,
         case when jsonb_typeof(c.value->'demos') = 'number' then (c.value->>'demos')::numeric::int end as dem
  from public.optimization_iterations i
  cross join lateral jsonb_each(case when jsonb_typeof(i.params->'chosen') = 'object' then i.params->'chosen' else '{}'::jsonb end) c
  where i.project_id = $${projectParam} and i.run_id = $1 and c.key ~ '^[0-9]{1,6}$' and jsonb_typeof(c.value) = 'object'`;

interface StatRow {
  p: number;
  kind: 'instruction' | 'demos';
  idx: number;
  name: string | null;
  text: string | null;
  content: JsonValue | null;
  trials: number;
  mean: number | null;
  sd: number | null;
  fulls: number;
  best_full: number | null;
}

export async function getCandidatePoolInsight(scope: Scope, runId: string): Promise<CandidatePoolInsight> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [run, stats, cells, winnerRows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    // every pool entry and every chosen index (an index chosen but not in the pool still shows)
    tx.unsafe<StatRow[]>(
      `with chosen as (${chosen(2)}),
       used as (
         select p, 'instruction' as kind, ins as idx, eval_kind, score from chosen where ins is not null
         union all
         select p, 'demos', dem, eval_kind, score from chosen where dem is not null
       ),
       agg as (
         select p, kind, idx,
                count(score) filter (where eval_kind is distinct from 'full')::int as trials,
                avg(score) filter (where eval_kind is distinct from 'full') as mean,
                stddev_samp(score) filter (where eval_kind is distinct from 'full') as sd,
                count(score) filter (where eval_kind = 'full')::int as fulls,
                max(score) filter (where eval_kind = 'full') as best_full
         from used group by p, kind, idx
       ),
       pool as (
         select predictor_index as p, kind, candidate_index as idx, predictor_name as name, text, content
         from public.optimization_candidate_pool
         where project_id = $2 and run_id = $1
       )
       select coalesce(pool.p, agg.p) as p, coalesce(pool.kind, agg.kind) as kind, coalesce(pool.idx, agg.idx) as idx,
              pool.name, pool.text, pool.content,
              coalesce(agg.trials, 0) as trials, agg.mean, agg.sd, coalesce(agg.fulls, 0) as fulls, agg.best_full
       from pool full join agg on pool.p = agg.p and pool.kind = agg.kind and pool.idx = agg.idx
       order by 1, 2 desc, 3`,
      [runId, projectId],
    ),
    tx.unsafe<{ p: number; ins: number; dem: number; trials: number; mean: number | null; best_full: number | null }[]>(
      `with chosen as (${chosen(2)})
       select p, ins, dem,
              count(score) filter (where eval_kind is distinct from 'full')::int as trials,
              avg(score) filter (where eval_kind is distinct from 'full') as mean,
              max(score) filter (where eval_kind = 'full') as best_full
       from chosen where ins is not null and dem is not null
       group by p, ins, dem order by p, ins, dem`,
      [runId, projectId],
    ),
    // the winner: the selected, else best, iteration with a chosen combination; the runner-up:
    // the best full evaluation of a different combination
    tx.unsafe<{ role: 'winner' | 'runner'; iteration: number; score: number | null; chosen: Record<string, { instruction?: number; demos?: number }> }[]>(
      `with w as (
         select iteration, score::float8 as score, params->'chosen' as chosen
         from public.optimization_iterations
         where project_id = $2 and run_id = $1 and (is_selected or is_best) and jsonb_typeof(params->'chosen') = 'object'
         order by is_selected desc, is_best desc limit 1
       )
       select 'winner' as role, iteration, score, chosen from w
       union all
       (select 'runner', i.iteration, i.score::float8, i.params->'chosen'
        from public.optimization_iterations i, w
        where i.project_id = $2 and i.run_id = $1 and i.eval_kind = 'full' and i.score is not null
          and jsonb_typeof(i.params->'chosen') = 'object' and i.params->'chosen' <> w.chosen
        order by i.score desc, i.iteration limit 1)`,
      [runId, projectId],
    ),
  ] as const);
  if (run.length === 0) throw new NotFoundError('run', runId);

  const winnerRow = winnerRows.find((r) => r.role === 'winner') ?? null;
  const runnerRow = winnerRows.find((r) => r.role === 'runner') ?? null;
  const winner = winnerRow ? { iteration: winnerRow.iteration, score: winnerRow.score, chosen: winnerRow.chosen } : null;

  const byPredictor = new Map<number, PoolPredictor>();
  const predictorOf = (p: number) => {
    let entry = byPredictor.get(p);
    if (!entry) {
      entry = { predictorIndex: p, predictorName: `predictor ${p}`, instructions: [], demoSets: [], heatMap: [], runnerUpInstruction: null, instructionMargin: null };
      byPredictor.set(p, entry);
    }
    return entry;
  };
  for (const row of stats) {
    const predictor = predictorOf(row.p);
    if (row.name) predictor.predictorName = row.name;
    const won = winner?.chosen[String(row.p)]?.[row.kind === 'instruction' ? 'instruction' : 'demos'] === row.idx;
    const entry: PoolCandidateStats = {
      candidateIndex: row.idx,
      text: row.text,
      content: row.content,
      trials: row.trials,
      meanScore: row.mean,
      ...interval(row.trials, row.mean, row.sd),
      fullEvaluations: row.fulls,
      bestFullScore: row.best_full,
      won,
    };
    (row.kind === 'instruction' ? predictor.instructions : predictor.demoSets).push(entry);
  }
  for (const cell of cells) {
    predictorOf(cell.p).heatMap.push({ instruction: cell.ins, demos: cell.dem, trials: cell.trials, meanScore: cell.mean, bestFullScore: cell.best_full });
  }
  for (const predictor of byPredictor.values()) {
    const won = predictor.instructions.find((i) => i.won);
    const rivals = predictor.instructions.filter((i) => !i.won && i.bestFullScore !== null);
    const rival = rivals.sort((a, b) => b.bestFullScore! - a.bestFullScore! || a.candidateIndex - b.candidateIndex)[0];
    if (won && rival) {
      predictor.runnerUpInstruction = rival.candidateIndex;
      predictor.instructionMargin = won.bestFullScore === null ? null : won.bestFullScore - rival.bestFullScore!;
    }
  }
  const runnerUp = runnerRow && runnerRow.score !== null ? { iteration: runnerRow.iteration, score: runnerRow.score } : null;
  return {
    predictors: [...byPredictor.values()].sort((a, b) => a.predictorIndex - b.predictorIndex),
    winner,
    runnerUp,
    margin: winner?.score != null && runnerUp ? winner.score - runnerUp.score : null,
  };
}

// View 3: the lineage tree -------------------------------------------------------------------

export interface LineageNode {
  candidateId: string;
  parentIds: string[];
  origin: string | null;
  iteration: number | null;
  score: number | null;
  budgetUsed: number | null;
  // solved validation instances on which it is on the run's last Pareto front (without
  // fronts: on which it reaches the highest score of all candidates, above 0)
  bestOn: number;
}

export interface LineageProposal {
  proposalIndex: number;
  iteration: number | null;
  kind: 'reflective' | 'merge';
  parentIds: string[];
  candidateId: string | null;
  accepted: boolean;
  reason: string | null;
  meanBefore: number | null;
  meanAfter: number | null;
}

export interface LineageTree {
  nodes: LineageNode[];
  proposals: LineageProposal[];
  // validation instances: of the last Pareto front, else with a score from any candidate
  instances: number;
  // the candidate asked for (focus) and its first parent, with their programs
  focus: { candidateId: string; programState: JsonValue | null; parentId: string | null; parentProgramState: JsonValue | null } | null;
}

export async function getLineageTree(scope: Scope, runId: string, options: { focus?: string } = {}): Promise<LineageTree> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const focus = options.focus ?? null;
  if (focus !== null && (focus.length < 1 || focus.length > 128)) {
    throw new ValidationError([{ path: 'focus', message: 'must be a candidate id of 1 to 128 characters' }]);
  }
  const [run, nodes, proposals, focusRows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx.unsafe<(Omit<LineageNode, 'bestOn'> & { best_on: number; total: number })[]>(
      // best-on counts from the run's last Pareto front (its solved instances) when it has
      // one: GEPA's own record of who is best where, 500 keys instead of candidates × instances
      `with c as (
         select * from public.optimization_candidates
         where project_id = $2 and run_id = $1
       ),
       snap as materialized (
         select s.front, s.best_scores from public.optimization_pareto_snapshots s
         where s.project_id = $2 and s.run_id = $1
         order by s.step desc limit 1
       ),
       front_best as (
         select f.cid as candidate_id, count(*)::int as best_on
         from snap cross join lateral jsonb_each(snap.front) e
         cross join lateral jsonb_array_elements_text(case when jsonb_typeof(e.value) = 'array' then e.value else '[]'::jsonb end) f(cid)
         left join (select b.key, b.value::float8 as v from snap cross join lateral jsonb_each_text(coalesce(snap.best_scores, '{}'::jsonb)) b) bs
           on bs.key = e.key
         where coalesce(bs.v > 0, true)
         group by f.cid
       ),
       inst as (
         select c.candidate_id, e.key, e.value::float8 as v
         from c cross join lateral jsonb_each_text(coalesce(c.instance_scores, '{}'::jsonb)) e
         where not exists (select 1 from snap)
       ),
       top as (select key, max(v) as m from inst group by key),
       scored_best as (
         select inst.candidate_id, count(*) filter (where top.m > 0 and inst.v = top.m)::int as best_on
         from inst join top using (key) group by inst.candidate_id
       ),
       total as (
         select case when exists (select 1 from snap)
                     then (select count(*)::int from snap cross join lateral
                             (select jsonb_object_keys(snap.front) union select jsonb_object_keys(coalesce(snap.best_scores, '{}'::jsonb))) k)
                     else (select count(*)::int from top) end as n
       )
       select c.candidate_id as "candidateId", c.parent_ids as "parentIds", c.origin, c.iteration,
              c.score::float8 as score, c.budget_used as "budgetUsed",
              coalesce(fb.best_on, sb.best_on, 0) as best_on, (select n from total) as total
       from c left join front_best fb using (candidate_id) left join scored_best sb using (candidate_id)
       order by c.iteration nulls last, length(c.candidate_id), c.candidate_id`,
      [runId, projectId],
    ),
    tx.unsafe<(LineageProposal & { mb: number | null; ma: number | null })[]>(
      `select proposal_index as "proposalIndex", iteration, kind, parent_ids as "parentIds", candidate_id as "candidateId",
              accepted, reason,
              (select avg(x) from unnest(scores_before) x) as mb, (select avg(x) from unnest(scores_after) x) as ma
       from public.optimization_proposals
       where project_id = $2 and run_id = $1
       order by proposal_index`,
      [runId, projectId],
    ),
    tx.unsafe<{ candidate_id: string; program_state: JsonValue | null; parent_id: string | null; parent_state: JsonValue | null }[]>(
      `select c.candidate_id, c.program_state, c.parent_ids[1] as parent_id, p.program_state as parent_state
       from public.optimization_candidates c
       left join public.optimization_candidates p
         on p.project_id = c.project_id and p.run_id = c.run_id and p.candidate_id = c.parent_ids[1]
       where c.run_id = $1 and c.candidate_id = $2
         and c.project_id = $3`,
      [runId, focus ?? '', projectId],
    ),
  ] as const);
  if (run.length === 0) throw new NotFoundError('run', runId);
  const f = focus === null ? undefined : focusRows[0];
  return {
    nodes: nodes.map(({ best_on, total, ...n }) => (void total, { ...n, bestOn: best_on })),
    proposals: proposals.map(({ mb, ma, ...p }) => ({ ...p, meanBefore: mb, meanAfter: ma })),
    instances: nodes[0]?.total ?? 0,
    focus: f ? { candidateId: f.candidate_id, programState: f.program_state, parentId: f.parent_id, parentProgramState: f.parent_state } : null,
  };
}

// View 4: the Pareto front per validation instance ------------------------------------------

export interface ParetoStep {
  step: number;
  iteration: number | null;
  budgetUsed: number | null;
}

export interface ParetoFrontView {
  steps: ParetoStep[];
  step: number | null;
  // every instance of the chosen step: the candidates best on it and the best score
  instances: { exampleId: string; candidateIds: string[]; bestScore: number | null; solved: boolean }[];
  // the candidates on the front at that step, by how many solved instances each is best on
  candidates: { candidateId: string; covers: number; score: number | null }[];
  unsolved: number;
}

// `step`: the snapshot to show (default the last one)
export async function getParetoFrontView(scope: Scope, runId: string, options: { step?: number } = {}): Promise<ParetoFrontView> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const wanted = options.step ?? null;
  if (wanted !== null && (!Number.isInteger(wanted) || wanted < 0)) {
    throw new ValidationError([{ path: 'step', message: 'must be a non-negative integer' }]);
  }
  // each snapshot's front and best scores are read once (jsonb_each): a toasted jsonb read
  // key by key would be decompressed again for every key
  const [run, steps, instances, scores] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx.unsafe<ParetoStep[]>(
      `select step, iteration, budget_used as "budgetUsed"
       from public.optimization_pareto_snapshots
       where project_id = $2 and run_id = $1
       order by step`,
      [runId, projectId],
    ),
    // an instance is solved when its best score is above 0 (or, with no best scores, it has a front)
    tx.unsafe<{ step: number; exampleId: string; candidateIds: string[]; bestScore: number | null }[]>(
      `with s as materialized (
         select step, front, coalesce(best_scores, '{}'::jsonb) as best_scores from public.optimization_pareto_snapshots
         where project_id = $3 and run_id = $1
           and ($2::int is null or step <= $2::int)
         order by step desc limit 1
       ),
       f as (select e.key, e.value from s cross join lateral jsonb_each(s.front) e),
       b as (select e.key, e.value::float8 as v from s cross join lateral jsonb_each_text(s.best_scores) e)
       select (select step from s) as step, coalesce(f.key, b.key) as "exampleId",
              coalesce(array(select jsonb_array_elements_text(case when jsonb_typeof(f.value) = 'array' then f.value else '[]'::jsonb end)), '{}') as "candidateIds",
              b.v as "bestScore"
       from f full join b on f.key = b.key
       order by length(coalesce(f.key, b.key)), coalesce(f.key, b.key)`,
      [runId, wanted, projectId],
    ),
    tx.unsafe<{ candidateId: string; score: number | null }[]>(
      `select candidate_id as "candidateId", score::float8 as score from public.optimization_candidates
       where project_id = $2 and run_id = $1`,
      [runId, projectId],
    ),
  ] as const);
  if (run.length === 0) throw new NotFoundError('run', runId);
  const rows = instances.map(({ exampleId, candidateIds, bestScore }) => ({
    exampleId,
    candidateIds,
    bestScore,
    solved: bestScore !== null ? bestScore > 0 : candidateIds.length > 0,
  }));
  const covers = new Map<string, number>();
  for (const row of rows) if (row.solved) for (const id of row.candidateIds) covers.set(id, (covers.get(id) ?? 0) + 1);
  // every candidate on the front, those best on no solved instance with 0
  for (const row of rows) for (const id of row.candidateIds) if (!covers.has(id)) covers.set(id, 0);
  const scoreOf = new Map(scores.map((c) => [c.candidateId, c.score]));
  const byId = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return {
    steps,
    step: instances[0]?.step ?? null,
    instances: rows,
    candidates: [...covers]
      .map(([candidateId, n]) => ({ candidateId, covers: n, score: scoreOf.get(candidateId) ?? null }))
      .sort((a, b) => b.covers - a.covers || byId(a.candidateId, b.candidateId)),
    unsolved: rows.filter((r) => !r.solved).length,
  };
}

// View 8: the proposal audit -----------------------------------------------------------------

export interface AuditedProposal
  extends Pick<
    OptimizationProposal,
    | 'proposalIndex' | 'iteration' | 'kind' | 'parentIds' | 'candidateId' | 'accepted' | 'reason' | 'predictors'
    | 'reflectiveDataset' | 'prompt' | 'rawOutput' | 'proposedState' | 'subsampleIds' | 'scoresBefore' | 'scoresAfter'
  > {
  sumBefore: number | null;
  sumAfter: number | null;
  // subsample instances whose score went up / down
  improved: number;
  worsened: number;
  metadata: JsonValue;
}

export interface ProposalAudit {
  proposals: AuditedProposal[];
  total: number;
  accepted: number;
  // the next page starts after this proposal index
  nextAfter: number | null;
}

export async function getProposalAudit(scope: Scope, runId: string, options: { after?: number; limit?: number } = {}): Promise<ProposalAudit> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const after = options.after ?? -1;
  const limit = options.limit ?? 25;
  if (!Number.isInteger(after) || after < -1) throw new ValidationError([{ path: 'after', message: 'must be a proposal index' }]);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new ValidationError([{ path: 'limit', message: 'must be an integer from 1 to 200' }]);
  const [run, rows, totals] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx.unsafe<AuditedProposal[]>(
      `select proposal_index as "proposalIndex", iteration, kind, parent_ids as "parentIds", candidate_id as "candidateId",
              accepted, reason, predictors, reflective_dataset as "reflectiveDataset", prompt, raw_output as "rawOutput",
              proposed_state as "proposedState", subsample_ids as "subsampleIds",
              scores_before as "scoresBefore", scores_after as "scoresAfter", metadata,
              (select sum(x) from unnest(scores_before) x) as "sumBefore",
              (select sum(x) from unnest(scores_after) x) as "sumAfter",
              (select count(*)::int from unnest(scores_before, scores_after) z(b, a) where a > b) as improved,
              (select count(*)::int from unnest(scores_before, scores_after) z(b, a) where a < b) as worsened
       from public.optimization_proposals
       where project_id = $4 and run_id = $1 and proposal_index > $2
       order by proposal_index limit $3`,
      [runId, after, limit + 1, projectId],
    ),
    tx.unsafe<{ total: number; accepted: number }[]>(
      `select count(*)::int as total, count(*) filter (where accepted)::int as accepted
       from public.optimization_proposals
       where project_id = $2 and run_id = $1`,
      [runId, projectId],
    ),
  ] as const);
  if (run.length === 0) throw new NotFoundError('run', runId);
  const page = rows.slice(0, limit);
  return {
    proposals: page.map((p) => ({ ...p })),
    total: totals[0]?.total ?? 0,
    accepted: totals[0]?.accepted ?? 0,
    nextAfter: rows.length > limit ? page.at(-1)!.proposalIndex : null,
  };
}
