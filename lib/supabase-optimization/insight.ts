import { NotFoundError, ValidationError } from './errors.ts';
import { assertUuid } from './runs.ts';
import { projectOfRun, projectOfRuns, readInScope, type Scope } from './scope.ts';
import type { JsonValue } from './schemas.ts';

// Issue 15's optimizer insight (views 1, 5, 6, 7, 9): every number is computed here, in SQL,
// under the caller's scope. "Best so far" counts full evaluations only (unlabelled ones when
// a run labels none); a minibatch is never the best.

// An evaluation that counts for "best so far": full, or unlabelled in a run that labels none.
// Evaluations on the training set never count.
const COUNTS_AS_FULL = `((case when f.has_full then i.eval_kind = 'full' else i.eval_kind is null end) and i.dataset is distinct from 'train')`;

async function assertRunVisible(rows: readonly unknown[], runId: string): Promise<void> {
  if (rows.length === 0) throw new NotFoundError('run', runId);
}

// View 1 --------------------------------------------------------------------------------

export interface TrialPoint {
  iteration: number;
  trial: number | null;
  budgetUsed: number | null;
  // the optimizer's elapsed time (an iteration without one: the latest before it), else the
  // time since the first iteration was written
  elapsedMs: number;
  cumulativeCostUsd: number;
  cumulativeTokens: number;
  score: number | null;
  evalKind: 'full' | 'minibatch' | null;
  dataset: 'train' | 'val' | 'test' | null;
  isSelected: boolean;
  isBest: boolean;
  candidateId: string | null;
  // the best full evaluation up to this iteration (null before the first)
  bestSoFar: number | null;
}

export interface TrialSeries {
  points: TrialPoint[];
  axes: { trial: boolean; budget: boolean; elapsed: 'reported' | 'written'; cost: boolean };
}

export async function getTrialSeries(scope: Scope, runId: string): Promise<TrialSeries> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [run, rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      with f as (
        select coalesce(bool_or(eval_kind = 'full'), false) as has_full,
               coalesce(bool_or(elapsed_ms is not null), false) as has_elapsed
        from optimization_iterations where project_id = ${projectId} and run_id = ${runId}
      )
      select i.iteration, i.trial, i.budget_used, f.has_elapsed,
             (case when f.has_elapsed then coalesce(i.elapsed_ms, max(i.elapsed_ms) over w, 0)
                   else round(extract(epoch from i.created_at - min(i.created_at) over ()) * 1000) end)::bigint as elapsed_ms,
             coalesce(sum(i.cost_usd) over w, 0) as cumulative_cost_usd,
             coalesce(sum(i.tokens) over w, 0) as cumulative_tokens,
             i.score, i.eval_kind, i.dataset, i.is_selected, i.is_best, i.candidate_id,
             max(case when ${tx.unsafe(COUNTS_AS_FULL)} then i.score end) over w as best_so_far
      from optimization_iterations i cross join f
      where i.project_id = ${projectId} and i.run_id = ${runId}
      window w as (order by i.iteration rows between unbounded preceding and current row)
      order by i.iteration
    `,
  ]);
  await assertRunVisible(run, runId);
  const points: TrialPoint[] = rows.map((r) => ({
    iteration: r.iteration as number,
    trial: (r.trial as number | null) ?? null,
    budgetUsed: (r.budget_used as number | null) ?? null,
    elapsedMs: Number(r.elapsed_ms ?? 0),
    cumulativeCostUsd: Number(r.cumulative_cost_usd),
    cumulativeTokens: Number(r.cumulative_tokens),
    score: (r.score as number | null) ?? null,
    evalKind: (r.eval_kind as TrialPoint['evalKind']) ?? null,
    dataset: (r.dataset as TrialPoint['dataset']) ?? null,
    isSelected: r.is_selected as boolean,
    isBest: r.is_best as boolean,
    candidateId: (r.candidate_id as string | null) ?? null,
    bestSoFar: (r.best_so_far as number | null) ?? null,
  }));
  return {
    points,
    axes: {
      trial: points.some((p) => p.trial !== null),
      budget: points.some((p) => p.budgetUsed !== null),
      elapsed: rows[0]?.has_elapsed ? 'reported' : 'written',
      cost: points.some((p) => p.cumulativeCostUsd > 0),
    },
  };
}

// View 5 --------------------------------------------------------------------------------

export type FlipOutcome = 'fixed' | 'broken' | 'still_right' | 'still_wrong' | 'only_before' | 'only_after';

export interface FlipSide {
  runId: string;
  iteration: number;
}

export interface ExampleFlip {
  key: string;
  exampleId: string | null;
  outcome: FlipOutcome;
  before: { sampleId: number; sampleIndex: number; score: number | null; error: string | null; output: JsonValue | null } | null;
  after: { sampleId: number; sampleIndex: number; score: number | null; error: string | null; output: JsonValue | null } | null;
  input: JsonValue | null;
  expected: JsonValue | null;
}

export interface ExampleFlips {
  before: FlipSide | null;
  after: FlipSide | null;
  // how examples were matched: example ids across runs; within a run, the id or else the sample index
  matchedBy: 'exampleId' | 'exampleIdOrIndex';
  threshold: number;
  counts: Record<FlipOutcome, number>;
  // changed examples first (fixed, broken), then the rest; at most `limit`
  examples: ExampleFlip[];
  total: number;
}

const EMPTY_COUNTS: Record<FlipOutcome, number> = {
  fixed: 0,
  broken: 0,
  still_right: 0,
  still_wrong: 0,
  only_before: 0,
  only_after: 0,
};

export interface FlipOptions {
  // a sample is right when it has no error and its score is at least this (default 0.5)
  threshold?: number;
  limit?: number;
}

function flipOptions(options: FlipOptions): { threshold: number; limit: number } {
  const threshold = options.threshold ?? 0.5;
  const limit = options.limit ?? 200;
  if (!(threshold >= 0 && threshold <= 1)) throw new ValidationError([{ path: 'threshold', message: 'threshold must be between 0 and 1' }]);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ValidationError([{ path: 'limit', message: 'limit must be an integer from 1 to 1000' }]);
  return { threshold, limit };
}

// The baseline (first full evaluation; unlabelled when the run labels none; else the first
// iteration) and the best iteration of a run, in SQL.
const DEFAULT_SIDES = `
  with f as (
    select coalesce(bool_or(eval_kind = 'full'), false) as has_full from optimization_iterations where project_id = $2 and run_id = $1
  )
  select
    coalesce(
      (select min(i.iteration) from optimization_iterations i cross join f
       where i.project_id = $2 and i.run_id = $1 and ${COUNTS_AS_FULL}),
      (select min(iteration) from optimization_iterations where project_id = $2 and run_id = $1)) as baseline,
    (select iteration from optimization_iterations where project_id = $2 and run_id = $1 and is_best) as best
`;

async function runFlips(
  scope: Scope,
  projectId: string,
  before: FlipSide,
  after: FlipSide,
  sameRun: boolean,
  threshold: number,
  limit: number,
): Promise<Pick<ExampleFlips, 'counts' | 'examples' | 'total'>> {
  const [rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`
      with a as (
        select distinct on (k) * from (
          select ${sameRun ? tx`coalesce(example_id, '#' || sample_index)` : tx`example_id`} as k, *
          from optimization_samples where project_id = ${projectId} and run_id = ${before.runId} and iteration = ${before.iteration}
        ) s where k is not null order by k, sample_index
      ), b as (
        select distinct on (k) * from (
          select ${sameRun ? tx`coalesce(example_id, '#' || sample_index)` : tx`example_id`} as k, *
          from optimization_samples where project_id = ${projectId} and run_id = ${after.runId} and iteration = ${after.iteration}
        ) s where k is not null order by k, sample_index
      ), j as (
        select coalesce(a.k, b.k) as k, coalesce(a.example_id, b.example_id) as example_id,
               a.id as a_id, a.sample_index as a_index, a.score as a_score, a.error as a_error, a.output as a_output,
               b.id as b_id, b.sample_index as b_index, b.score as b_score, b.error as b_error, b.output as b_output,
               coalesce(a.input, b.input) as input, coalesce(a.expected, b.expected) as expected,
               case
                 when a.id is null then 'only_after'
                 when b.id is null then 'only_before'
                 when (a.error is null and a.score >= ${threshold}) and (b.error is null and b.score >= ${threshold}) then 'still_right'
                 when (a.error is null and a.score >= ${threshold}) then 'broken'
                 when (b.error is null and b.score >= ${threshold}) then 'fixed'
                 else 'still_wrong'
               end as outcome
        from a full join b on a.k = b.k
      )
      select *, count(*) over (partition by outcome)::int as outcome_count, count(*) over ()::int as total
      from j
      order by case outcome when 'fixed' then 0 when 'broken' then 1 when 'still_wrong' then 2 when 'still_right' then 3 else 4 end,
               coalesce(a_index, b_index), k
    `,
  ]);
  const counts = { ...EMPTY_COUNTS };
  for (const r of rows) counts[r.outcome as FlipOutcome] = r.outcome_count as number;
  const side = (p: 'a' | 'b') => (r: Record<string, unknown>) =>
    r[`${p}_id`] === null
      ? null
      : {
          sampleId: Number(r[`${p}_id`]),
          sampleIndex: r[`${p}_index`] as number,
          score: (r[`${p}_score`] as number | null) ?? null,
          error: (r[`${p}_error`] as string | null) ?? null,
          output: (r[`${p}_output`] as JsonValue | null) ?? null,
        };
  return {
    counts,
    total: (rows[0]?.total as number | undefined) ?? 0,
    examples: rows.slice(0, limit).map((r) => ({
      key: r.k as string,
      exampleId: (r.example_id as string | null) ?? null,
      outcome: r.outcome as FlipOutcome,
      before: side('a')(r),
      after: side('b')(r),
      input: (r.input as JsonValue | null) ?? null,
      expected: (r.expected as JsonValue | null) ?? null,
    })),
  };
}

// Two iterations of one run, by default the baseline against the best (selected) one.
export async function getExampleFlips(
  scope: Scope,
  runId: string,
  iterations: { before?: number; after?: number } = {},
  options: FlipOptions = {},
): Promise<ExampleFlips> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const { threshold, limit } = flipOptions(options);
  const [run, sides, known] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx.unsafe<{ baseline: number | null; best: number | null }[]>(DEFAULT_SIDES, [runId, projectId]),
    tx<{ iteration: number }[]>`
      select iteration from optimization_iterations
      where project_id = ${projectId} and run_id = ${runId} and iteration = any(${[iterations.before ?? -1, iterations.after ?? -1]}::int[])
    `,
  ]);
  await assertRunVisible(run, runId);
  for (const key of ['before', 'after'] as const) {
    const n = iterations[key];
    if (n !== undefined && !known.some((k) => k.iteration === n)) throw new NotFoundError('iteration', String(n));
  }
  const b = iterations.before ?? sides[0]?.baseline ?? null;
  const a = iterations.after ?? sides[0]?.best ?? null;
  const result: ExampleFlips = {
    before: b === null ? null : { runId, iteration: b },
    after: a === null ? null : { runId, iteration: a },
    matchedBy: 'exampleIdOrIndex',
    threshold,
    counts: { ...EMPTY_COUNTS },
    examples: [],
    total: 0,
  };
  if (b === null || a === null) return result;
  return { ...result, ...(await runFlips(scope, projectId, result.before!, result.after!, true, threshold, limit)) };
}

// The best iterations of two runs, matched on example ids (the compare page).
export async function getRunFlips(scope: Scope, beforeRunId: string, afterRunId: string, options: FlipOptions = {}): Promise<ExampleFlips> {
  assertUuid(beforeRunId, 'runIds');
  assertUuid(afterRunId, 'runIds');
  const { threshold, limit } = flipOptions(options);
  const projectId = await projectOfRuns(scope, [beforeRunId, afterRunId]);
  if (projectId === null) throw new NotFoundError('run', beforeRunId);
  const [runs, best] = await readInScope(scope, (tx) => [
    tx<{ id: string }[]>`
      select id from optimization_runs where project_id = ${projectId} and id = any(${[beforeRunId, afterRunId]}::uuid[])
    `,
    tx<{ run_id: string; iteration: number }[]>`
      select run_id, iteration from optimization_iterations
      where project_id = ${projectId} and run_id = any(${[beforeRunId, afterRunId]}::uuid[]) and is_best
    `,
  ]);
  for (const id of [beforeRunId, afterRunId]) if (!runs.some((r) => r.id === id)) throw new NotFoundError('run', id);
  const bestOf = (id: string) => best.find((r) => r.run_id === id)?.iteration;
  const b = bestOf(beforeRunId);
  const a = bestOf(afterRunId);
  const result: ExampleFlips = {
    before: b === undefined ? null : { runId: beforeRunId, iteration: b },
    after: a === undefined ? null : { runId: afterRunId, iteration: a },
    matchedBy: 'exampleId',
    threshold,
    counts: { ...EMPTY_COUNTS },
    examples: [],
    total: 0,
  };
  if (!result.before || !result.after) return result;
  return { ...result, ...(await runFlips(scope, projectId, result.before, result.after, false, threshold, limit)) };
}

// View 6 --------------------------------------------------------------------------------

export interface CandidateNoise {
  candidateId: string;
  minibatchCount: number;
  minibatchMean: number | null;
  // sample standard deviation of the minibatch scores (null below two)
  minibatchStddev: number | null;
  minibatchMin: number | null;
  minibatchMax: number | null;
  minibatchScores: number[];
  // the candidate's latest full evaluation (not on the training set)
  fullScore: number | null;
  fullIteration: number | null;
  // minibatch mean minus full score
  gap: number | null;
  trainScore: number | null;
  valScore: number | null;
}

export interface NoiseSummary {
  candidates: CandidateNoise[];
  // over candidates with both minibatch and full scores
  comparable: number;
  meanGap: number | null;
  meanStddev: number | null;
  // candidate pairs the two rankings order differently, of those both order strictly
  rankedPairs: number;
  discordantPairs: number;
  // discordantPairs / rankedPairs (null with no ranked pair)
  discordantShare: number | null;
  minibatchWinner: string | null;
  fullWinner: string | null;
  // the full score lost by trusting the minibatch winner
  winnerLoss: number | null;
  // the minibatch ranking's top candidate scores lower in full than the full evaluations' top one
  wrongWinner: boolean | null;
  trainValCandidates: number;
  meanTrainValGap: number | null;
}

export async function getNoiseSummary(scope: Scope, runId: string): Promise<NoiseSummary> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [run, rows, [summary]] = await readInScope(scope, (tx) => {
    const candidates = tx`
      with it as (
        select coalesce(candidate_id, program_hash) as cand, eval_kind, dataset, score, iteration
        from optimization_iterations
        where project_id = ${projectId} and run_id = ${runId} and score is not null and coalesce(candidate_id, program_hash) is not null
      )
      select cand,
             count(*) filter (where eval_kind = 'minibatch')::int as mb_n,
             avg(score) filter (where eval_kind = 'minibatch') as mb_mean,
             stddev_samp(score) filter (where eval_kind = 'minibatch') as mb_sd,
             min(score) filter (where eval_kind = 'minibatch') as mb_min,
             max(score) filter (where eval_kind = 'minibatch') as mb_max,
             coalesce(array_agg(score order by iteration) filter (where eval_kind = 'minibatch'), '{}') as mb_scores,
             (array_agg(score order by iteration desc) filter (where eval_kind = 'full' and dataset is distinct from 'train'))[1] as full_score,
             max(iteration) filter (where eval_kind = 'full' and dataset is distinct from 'train') as full_iteration,
             (array_agg(score order by iteration desc) filter (where dataset = 'train' and eval_kind is distinct from 'minibatch'))[1] as train_score,
             (array_agg(score order by iteration desc) filter (where dataset = 'val' and eval_kind is distinct from 'minibatch'))[1] as val_score,
             min(iteration) as first_iteration
      from it group by cand
    `;
    return [
      tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
      tx<Record<string, unknown>[]>`select * from (${candidates}) c order by first_iteration, cand`,
      tx<Record<string, unknown>[]>`
        with c as (${candidates}), both_ as (select * from c where mb_n > 0 and full_score is not null)
        select (select count(*)::int from both_) as comparable,
               (select avg(mb_mean - full_score) from both_) as mean_gap,
               (select avg(mb_sd) from both_ where mb_sd is not null) as mean_sd,
               (select count(*)::int from both_ x join both_ y on x.cand < y.cand
                 where x.mb_mean <> y.mb_mean and x.full_score <> y.full_score) as ranked_pairs,
               (select count(*)::int from both_ x join both_ y on x.cand < y.cand
                 where x.mb_mean <> y.mb_mean and x.full_score <> y.full_score
                   and (x.mb_mean > y.mb_mean) <> (x.full_score > y.full_score)) as discordant_pairs,
               (select cand from both_ order by mb_mean desc, first_iteration, cand limit 1) as mb_winner,
               (select cand from both_ order by full_score desc, first_iteration, cand limit 1) as full_winner,
               (select max(full_score) from both_)
                 - (select full_score from both_ order by mb_mean desc, first_iteration, cand limit 1) as winner_loss,
               (select count(*)::int from c where train_score is not null and val_score is not null) as train_val,
               (select avg(train_score - val_score) from c where train_score is not null and val_score is not null) as train_val_gap
      `,
    ];
  });
  await assertRunVisible(run, runId);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    candidates: rows.map((r) => {
      const mean = num(r.mb_mean);
      const full = num(r.full_score);
      return {
        candidateId: r.cand as string,
        minibatchCount: r.mb_n as number,
        minibatchMean: mean,
        minibatchStddev: num(r.mb_sd),
        minibatchMin: num(r.mb_min),
        minibatchMax: num(r.mb_max),
        minibatchScores: (r.mb_scores as number[]).map(Number),
        fullScore: full,
        fullIteration: num(r.full_iteration),
        gap: mean !== null && full !== null ? mean - full : null,
        trainScore: num(r.train_score),
        valScore: num(r.val_score),
      };
    }),
    comparable: summary!.comparable as number,
    meanGap: num(summary!.mean_gap),
    meanStddev: num(summary!.mean_sd),
    rankedPairs: summary!.ranked_pairs as number,
    discordantPairs: summary!.discordant_pairs as number,
    discordantShare: (summary!.ranked_pairs as number) > 0 ? (summary!.discordant_pairs as number) / (summary!.ranked_pairs as number) : null,
    wrongWinner: summary!.mb_winner == null ? null : Number(summary!.winner_loss) > 0,
    minibatchWinner: (summary!.mb_winner as string | null) ?? null,
    fullWinner: (summary!.full_winner as string | null) ?? null,
    winnerLoss: num(summary!.winner_loss),
    trainValCandidates: summary!.train_val as number,
    meanTrainValGap: num(summary!.train_val_gap),
  };
}

// View 7 --------------------------------------------------------------------------------

export interface RoleUsagePoint {
  iteration: number;
  role: string;
  // running totals up to and including the iteration
  calls: number;
  tokens: number;
  costUsd: number;
}

export interface RoleTotal {
  role: string;
  models: string[];
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CostSummary {
  series: RoleUsagePoint[];
  // totalTokens / totalCostUsd are these roles' sums (an iteration without usage by role
  // counts as "unattributed")
  roles: RoleTotal[];
  // best full evaluation by iteration, for the score line
  bestSoFar: { iteration: number; bestSoFar: number | null }[];
  totalTokens: number;
  totalCostUsd: number;
  baselineScore: number | null;
  bestScore: number | null;
  // (best − baseline) × 100: percentage points of the metric
  improvementPoints: number | null;
  costPerPoint: number | null;
  tokensPerPoint: number | null;
  // the optimizer's own budget of metric calls (GEPA max_metric_calls) against what it used
  estimatedMetricCalls: number | null;
  metricCallsUsed: number | null;
  // the optimizer's own estimate of LM calls (MIPROv2, run metadata lmCallEstimate) against
  // the calls recorded by role: program calls are the task model's, prompt-model calls the proposer's
  lmCalls: LmCallEstimate | null;
}

export interface LmCallEstimate {
  estimatedProgramCalls: number | null;
  estimatedPromptModelCalls: number | null;
  programCalls: number;
  promptModelCalls: number;
}

export async function getCostSummary(scope: Scope, runId: string): Promise<CostSummary> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [run, series, roles, best, [summary]] = await readInScope(scope, (tx) => {
    // usage by role; an iteration without it counts its tokens and cost as "unattributed"
    const usage = tx`
      select i.iteration, r.key as role, r.value->>'model' as model,
             coalesce((r.value->>'calls')::numeric, 0) as calls,
             coalesce((r.value->>'inputTokens')::numeric, 0) as input_tokens,
             coalesce((r.value->>'outputTokens')::numeric, 0) as output_tokens,
             coalesce((r.value->>'costUsd')::numeric, 0) as cost_usd
      from optimization_iterations i cross join lateral jsonb_each(i.usage_by_role) r
      where i.project_id = ${projectId} and i.run_id = ${runId} and i.usage_by_role is not null
      union all
      select iteration, 'unattributed', null, 0, tokens, 0, cost_usd
      from optimization_iterations
      where project_id = ${projectId} and run_id = ${runId} and usage_by_role is null and (tokens > 0 or cost_usd > 0)
    `;
    return [
      tx<{ config: Record<string, unknown> }[]>`select config from optimization_runs where project_id = ${projectId} and id = ${runId}`,
      tx<Record<string, unknown>[]>`
        select iteration, role,
               sum(calls) over w as calls,
               sum(input_tokens + output_tokens) over w as tokens,
               sum(cost_usd) over w as cost_usd
        from (${usage}) u
        window w as (partition by role order by iteration rows between unbounded preceding and current row)
        order by iteration, role
      `,
      tx<Record<string, unknown>[]>`
        select role, array_remove(array_agg(distinct model), null) as models, sum(calls) as calls,
               sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_usd) as cost_usd
        from (${usage}) u group by role order by sum(input_tokens + output_tokens) desc, role
      `,
      tx<Record<string, unknown>[]>`
        with f as (select coalesce(bool_or(eval_kind = 'full'), false) as has_full from optimization_iterations where project_id = ${projectId} and run_id = ${runId})
        select i.iteration, max(case when ${tx.unsafe(COUNTS_AS_FULL)} then i.score end) over w as best_so_far
        from optimization_iterations i cross join f where i.project_id = ${projectId} and i.run_id = ${runId}
        window w as (order by i.iteration rows between unbounded preceding and current row)
        order by i.iteration
      `,
      tx<Record<string, unknown>[]>`
        with f as (select coalesce(bool_or(eval_kind = 'full'), false) as has_full from optimization_iterations where project_id = ${projectId} and run_id = ${runId}),
        fulls as (select i.iteration, i.score from optimization_iterations i cross join f
                  where i.project_id = ${projectId} and i.run_id = ${runId} and i.score is not null and ${tx.unsafe(COUNTS_AS_FULL)})
        select (select coalesce(sum(input_tokens + output_tokens), 0) from (${usage}) u) as tokens,
               (select coalesce(sum(cost_usd), 0) from (${usage}) u) as cost,
               (select score from fulls order by iteration limit 1) as baseline,
               (select max(score) from fulls) as best,
               (select max(budget_used) from optimization_iterations where project_id = ${projectId} and run_id = ${runId}) as used,
               (select coalesce(
                  case when jsonb_typeof(config->'max_metric_calls') = 'number' then (config->>'max_metric_calls')::numeric end,
                  (select (v->>'max_metric_calls')::numeric from jsonb_each(config) e(k, v)
                   where jsonb_typeof(v) = 'object' and jsonb_typeof(v->'max_metric_calls') = 'number' limit 1))
                from optimization_runs where project_id = ${projectId} and id = ${runId}) as estimate,
               (select metadata->'lmCallEstimate' from optimization_runs where project_id = ${projectId} and id = ${runId}) as lm_estimate
      `,
    ];
  });
  if (run.length === 0) throw new NotFoundError('run', runId);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const s = summary!;
  const baseline = num(s.baseline);
  const bestScore = num(s.best);
  const improvementPoints = baseline !== null && bestScore !== null ? (bestScore - baseline) * 100 : null;
  const totalCostUsd = Number(s.cost);
  const totalTokens = Number(s.tokens);
  return {
    series: series.map((r) => ({
      iteration: r.iteration as number,
      role: r.role as string,
      calls: Number(r.calls),
      tokens: Number(r.tokens),
      costUsd: Number(r.cost_usd),
    })),
    roles: roles.map((r) => ({
      role: r.role as string,
      models: r.models as string[],
      calls: Number(r.calls),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      costUsd: Number(r.cost_usd),
    })),
    bestSoFar: best.map((r) => ({ iteration: r.iteration as number, bestSoFar: num(r.best_so_far) })),
    totalTokens,
    totalCostUsd,
    baselineScore: baseline,
    bestScore,
    improvementPoints,
    costPerPoint: improvementPoints !== null && improvementPoints > 0 && totalCostUsd > 0 ? totalCostUsd / improvementPoints : null,
    tokensPerPoint: improvementPoints !== null && improvementPoints > 0 && totalTokens > 0 ? totalTokens / improvementPoints : null,
    estimatedMetricCalls: num(s.estimate),
    metricCallsUsed: num(s.used),
    lmCalls: lmCallEstimate(s.lm_estimate, roles),
  };
}

function lmCallEstimate(estimate: unknown, roles: Array<Record<string, unknown>>): LmCallEstimate | null {
  if (estimate === null || typeof estimate !== 'object') return null;
  const e = estimate as Record<string, unknown>;
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const calls = (role: string) => roles.filter((r) => r.role === role).reduce((sum, r) => sum + Number(r.calls), 0);
  const shown = { estimatedProgramCalls: count(e.programCalls), estimatedPromptModelCalls: count(e.promptModelCalls) };
  if (shown.estimatedProgramCalls === null && shown.estimatedPromptModelCalls === null) return null;
  return { ...shown, programCalls: calls('task'), promptModelCalls: calls('proposer') };
}

// View 9 --------------------------------------------------------------------------------

export interface SettingsGroup {
  optimizerType: string;
  auto: string | null;
  numCandidates: number | null;
  minibatchSize: number | null;
  model: string | null;
  runs: number;
  // over the group's runs that have a best score
  scored: number;
  meanBestScore: number | null;
  minBestScore: number | null;
  maxBestScore: number | null;
}

// Which optimizer settings went with which final (best) scores, over all runs of a project.
// Settings are read from the run's config as the Python package writes it:
// { "<optimizerType>": { auto, num_candidates, minibatch_size, ... }, compile: { minibatch_size },
// lms: { task: { model } } }
// and from flat keys (auto, numCandidates, minibatchSize, model) otherwise.
export async function getSettingsOutcomes(scope: Scope, projectId: string): Promise<SettingsGroup[]> {
  const [rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`
      with r as (
        select optimizer_type, best_score,
               coalesce(config->optimizer_type, '{}'::jsonb) as o, config as c
        from optimization_runs where project_id = ${projectId}
      ), s as (
        select optimizer_type, best_score,
               coalesce(o->>'auto', c->>'auto') as auto,
               coalesce(o->'num_candidates', o->'num_instruct_candidates', c->'numCandidates', c->'num_candidates') as n_cand,
               coalesce(o->'minibatch_size', o->'reflection_minibatch_size', c#>'{compile,minibatch_size}', c->'minibatchSize', c->'minibatch_size') as mb,
               coalesce(c#>>'{lms,task,model}', c->>'model') as model
        from r
      )
      select optimizer_type, auto,
             case when jsonb_typeof(n_cand) = 'number' then (n_cand #>> '{}')::numeric end as num_candidates,
             case when jsonb_typeof(mb) = 'number' then (mb #>> '{}')::numeric end as minibatch_size,
             model,
             count(*)::int as runs, count(best_score)::int as scored,
             avg(best_score) as mean_best, min(best_score) as min_best, max(best_score) as max_best
      from s
      group by 1, 2, 3, 4, 5
      order by avg(best_score) desc nulls last, count(*) desc, 1, 2, 3, 4, 5
    `,
  ]);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r) => ({
    optimizerType: r.optimizer_type as string,
    auto: (r.auto as string | null) ?? null,
    numCandidates: num(r.num_candidates),
    minibatchSize: num(r.minibatch_size),
    model: (r.model as string | null) ?? null,
    runs: r.runs as number,
    scored: r.scored as number,
    meanBestScore: num(r.mean_best),
    minBestScore: num(r.min_best),
    maxBestScore: num(r.max_best),
  }));
}
