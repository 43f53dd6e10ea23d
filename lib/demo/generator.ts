import { createHash } from 'node:crypto';
import {
  DEMO_PROJECTS,
  INSTRUCTION_SUFFIXES,
  LEARNED_RULES,
  RUN_DESCRIPTIONS,
  RUN_ERRORS,
  SAMPLE_ERRORS,
  type DemoProjectContent,
  type Example,
} from './content.ts';
import { createRandom, type Random } from './random.ts';
import { RECORDED_PROJECT } from './recorded.ts';

// Realistic demo projects, runs, iterations and samples. Pure: the same seed and `now`
// always give the same rows, shaped as the tables' columns so the seeder inserts them as is.

export type OptimizerType = 'miprov2' | 'bootstrap_fewshot' | 'copro' | 'gepa' | 'simba';
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
type Json = Record<string, unknown>;

export interface DemoProject {
  id: string;
  name: string;
  description: string;
  settings: Json;
}

export interface DemoRun {
  id: string;
  project_id: string;
  run_name: string;
  description: string | null;
  optimizer_type: OptimizerType;
  status: RunStatus;
  config: Json;
  metadata: Json;
  tags: string[];
  error_message: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  initial_score: number | null;
  final_score: number | null;
  samples_evaluated: number;
  samples_successful: number;
  samples_failed: number;
  created_at: Date;
}

export interface DemoIteration {
  id: string;
  run_id: string;
  project_id: string;
  iteration: number;
  score: number;
  eval_kind: EvalType;
  params: Json;
  program_state: Json;
  program_hash: string;
  samples_evaluated: number;
  latency_ms: number;
  tokens: number;
  cost_usd: number;
  duration_ms: number;
  created_at: Date;
}

export interface DemoSample {
  run_id: string;
  project_id: string;
  iteration: number;
  iteration_id: string;
  sample_index: number;
  input: Json;
  output: Json | null;
  expected: Json;
  score: number | null;
  error: string | null;
  latency_ms: number;
  tokens: number;
  cost_usd: number;
  program_hash: string;
  metadata: Json;
  created_at: Date;
}

export interface DemoData {
  projects: DemoProject[];
  runs: DemoRun[];
  iterations: DemoIteration[];
  samples: DemoSample[];
}

export const DEMO_SEED = 20251125;
// the synthetic projects and the one holding the recorded DSPy compiles (recorded.ts)
export const DEMO_PROJECT_IDS = [...DEMO_PROJECTS.map((p) => p.id), RECORDED_PROJECT.id];

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const MODELS = {
  'gpt-4o-mini': { latencyMs: 650, usdPerMTokens: 0.3, ceiling: 0, tag: 'gpt-4o-mini' },
  'gpt-4o': { latencyMs: 1350, usdPerMTokens: 4.5, ceiling: 0.04, tag: 'gpt-4o' },
  'claude-3-5-sonnet': { latencyMs: 1700, usdPerMTokens: 5.4, ceiling: 0.05, tag: 'claude' },
  'llama-3.1-70b': { latencyMs: 1050, usdPerMTokens: 0.88, ceiling: -0.03, tag: 'llama' },
} as const;
type Model = keyof typeof MODELS;

const MODEL_WEIGHTS: ReadonlyArray<readonly [Model, number]> = [
  ['gpt-4o-mini', 4], ['gpt-4o', 2.5], ['claude-3-5-sonnet', 2], ['llama-3.1-70b', 1.5],
];
const OPTIMIZER_WEIGHTS: ReadonlyArray<readonly [OptimizerType, number]> = [
  ['miprov2', 11], ['bootstrap_fewshot', 3], ['copro', 2], ['gepa', 2], ['simba', 2],
];
const EXTRA_TAGS = ['experiment-1', 'experiment-2', 'experiment-3', 'ablation', 'v2', 'v3', 'nightly', 'staging'];

// What an optimizer's trial loop looks like: which parts of the program it varies and how
// much each matters, how often it evaluates on the full dev set, and its params.
interface Plan {
  type: OptimizerType;
  label: string;
  iterations: number;
  // full evaluation every N trials (and on the last); null: every trial is a full evaluation
  fullEvery: number | null;
  minibatchSize: number;
  instructionCandidates: number;
  demoSets: number;
  maxRules: number;
  weights: { instruction: number; demos: number; rules: number };
  config: Json;
  params(trial: number, candidate: Candidate, evalType: EvalType): Json;
}

interface Candidate {
  instruction: number;
  demoSet: number;
  rules: number;
}

type EvalType = 'minibatch' | 'full';

export function generateDemoData(options: { now: Date; seed?: number }): DemoData {
  const random = createRandom(options.seed ?? DEMO_SEED);
  const now = options.now.getTime();
  const data: DemoData = { projects: [], runs: [], iterations: [], samples: [] };

  for (const project of DEMO_PROJECTS) {
    data.projects.push({
      id: project.id,
      name: project.name,
      description: project.description,
      settings: { demo: true, default_metric: project.metrics[0]![0] },
    });
    const statuses = runStatuses(project, random);
    // oldest first: sequence numbers in run names follow time
    const ages = Array.from({ length: statuses.length }, () => random.uniform(0.05, 60) * DAY_MS).sort((a, b) => b - a);
    statuses.forEach((status, index) => {
      generateRun(data, random, project, {
        status,
        sequence: index + 1,
        createdAt: new Date(now - ages[index]!),
        now,
      });
    });
  }
  return data;
}

// Mostly completed, a few failed; demo-qa also holds the one running and the one pending
// run (its newest), demo-rag the cancelled one.
function runStatuses(project: DemoProjectContent, random: Random): RunStatus[] {
  const failed = project.id === 'demo-qa' ? 3 : project.id === 'demo-rag' ? 2 : 1;
  const cancelled = project.id === 'demo-rag' ? 1 : 0;
  const latest: RunStatus[] = project.id === 'demo-qa' ? ['running', 'pending'] : [];
  const completed = project.runCount - failed - cancelled - latest.length;
  const past: RunStatus[] = [
    ...Array<RunStatus>(completed).fill('completed'),
    ...Array<RunStatus>(failed).fill('failed'),
    ...Array<RunStatus>(cancelled).fill('cancelled'),
  ];
  // keep the newest past run completed, so each project's latest finished result is a success
  const shuffled = random.shuffle(past.slice(1));
  return [...shuffled, 'completed', ...latest];
}

function generateRun(
  data: DemoData,
  random: Random,
  project: DemoProjectContent,
  run: { status: RunStatus; sequence: number; createdAt: Date; now: number },
): void {
  const { status, now } = run;
  const type: OptimizerType = status === 'running' || status === 'pending' ? 'miprov2' : random.weighted(OPTIMIZER_WEIGHTS);
  const model = random.weighted(MODEL_WEIGHTS);
  const metric = random.weighted(project.metrics);
  const devSize = random.pick([100, 150, 200, 300]);
  const threads = random.pick([8, 16]);
  const plan = optimizerPlan(type, random, devSize, status === 'running');
  const runId = random.uuid();

  const config: Json = {
    model,
    metric,
    optimizer: type,
    seed: random.int(0, 9) * 1000 + 9,
    num_threads: threads,
    lm: { temperature: 0.7, max_tokens: random.pick([256, 512, 1024]) },
    [type]: plan.config,
  };
  const tags = runTags(random, type, model, status);
  const metadata: Json = {
    dspy_version: random.pick(['2.5.43', '2.6.5', '2.6.13', '2.6.24']),
    python_version: random.pick(['3.11.9', '3.12.4']),
    git_sha: random.hex(7),
    host: random.pick(['ml-train-01', 'ml-train-02', 'ci-runner-gpu', 'jordan-mbp']),
    dataset: { name: `${project.slug}-${random.pick(['v1', 'v2'])}`, train_size: random.pick([200, 300, 500]), dev_size: devSize },
  };

  // Score model: every candidate program has a latent quality between the baseline and
  // a ceiling; trials pick better candidates as the optimizer learns, evaluations add noise.
  const modelInfo = MODELS[model];
  const metricShift = metric === 'exact_match' ? -0.04 : metric === 'llm_judge' ? 0.03 : 0;
  const base = clamp(random.uniform(0.4, 0.65) + metricShift, 0.38, 0.67);
  // noise on top of the ceiling lands full evaluations at up to ~0.93
  const ceiling = clamp(base + random.uniform(0.16, 0.36) + modelInfo.ceiling, 0.7, 0.91);
  const instructionQuality = Array.from({ length: plan.instructionCandidates }, (_, i) => (i === 0 ? 0 : random.next()));
  const demoQuality = Array.from({ length: plan.demoSets }, (_, i) => (i === 0 ? 0 : random.next()));
  const quality = (c: Candidate): number => {
    const h =
      plan.weights.instruction * instructionQuality[c.instruction]! +
      plan.weights.demos * demoQuality[c.demoSet]! +
      plan.weights.rules * (plan.maxRules ? c.rules / plan.maxRules : 0);
    return base + (ceiling - base) * h;
  };

  const planned = plan.iterations;
  const done =
    status === 'pending' ? 0
    : status === 'running' ? Math.max(6, Math.floor(planned * random.uniform(0.3, 0.5)))
    : status === 'failed' || status === 'cancelled' ? Math.max(2, Math.floor(planned * random.uniform(0.2, 0.75)))
    : planned;

  // Trials -----------------------------------------------------------------------------
  interface Trial { candidate: Candidate; evalType: EvalType; score: number; samples: number }
  const trials: Trial[] = [];
  const tried: Candidate[] = [];
  for (let t = 0; t < done; t++) {
    const isFull = t === 0 || plan.fullEvery === null || t % plan.fullEvery === 0 || t === planned - 1;
    let candidate: Candidate;
    if (t === 0) {
      candidate = { instruction: 0, demoSet: 0, rules: 0 };
    } else if (isFull && plan.fullEvery !== null) {
      // a full evaluation re-scores the most promising candidate tried so far
      candidate = tried.reduce((best, c) => (quality(c) > quality(best) ? c : best), trials[0]!.candidate);
    } else {
      // more draws per trial as the search goes on: later trials tend to be better
      const rules = Math.min(plan.maxRules, Math.floor((t / planned) * (plan.maxRules + 1)));
      const draws = 1 + Math.floor(t / 3);
      candidate = { instruction: 0, demoSet: 0, rules };
      for (let d = 0; d < draws; d++) {
        const c: Candidate = {
          instruction: plan.instructionCandidates > 1 ? random.int(0, plan.instructionCandidates - 1) : 0,
          demoSet: plan.demoSets > 1 ? random.int(0, plan.demoSets - 1) : 0,
          rules,
        };
        if (d === 0 || quality(c) > quality(candidate)) candidate = c;
      }
    }
    const evalType: EvalType = isFull ? 'full' : 'minibatch';
    const samples = isFull ? devSize : plan.minibatchSize;
    const q = quality(candidate);
    const sd = isFull ? 0.012 : Math.sqrt((q * (1 - q)) / samples);
    const score = round(clamp(random.normal(q, sd), 0.02, 0.97), 4);
    if (!isFull) tried.push(candidate);
    trials.push({ candidate, evalType, score, samples });
  }

  // Time line --------------------------------------------------------------------------
  const setupMs = type === 'miprov2' || type === 'gepa' ? random.uniform(1.5, 4) * MINUTE_MS : random.uniform(10, 40) * 1000;
  const timings = trials.map((trial) => {
    const demos = demoCount(plan, trial.candidate);
    const latency = round(modelInfo.latencyMs * random.uniform(0.85, 1.25) * (1 + 0.04 * demos), 2);
    const tokensPerCall = Math.round(
      (380 + project.contextTokens + demos * 140 + trial.candidate.rules * 18) * random.uniform(0.9, 1.15),
    );
    const tokens = tokensPerCall * trial.samples;
    const duration = Math.round((trial.samples * latency) / threads + random.uniform(400, 2500));
    return { latency, tokensPerCall, tokens, cost: round((tokens * modelInfo.usdPerMTokens) / 1e6, 6), duration };
  });
  const workMs = setupMs + timings.reduce((sum, t) => sum + t.duration, 0);

  const startDelayMs = random.uniform(1, 8) * 1000;
  const createdAt =
    status === 'running' ? now - workMs - startDelayMs - random.uniform(15, 45) * 1000
    : status === 'pending' ? now - random.uniform(2, 6) * MINUTE_MS
    // a finished run ended well before now
    : Math.min(run.createdAt.getTime(), now - workMs - startDelayMs - 10 * MINUTE_MS);
  const startedAt = status === 'pending' ? null : createdAt + startDelayMs;

  let clock = (startedAt ?? createdAt) + setupMs;
  const iterationRows: DemoIteration[] = trials.map((trial, index) => {
    const timing = timings[index]!;
    clock += timing.duration;
    const programState = programStateOf(project, plan, trial.candidate);
    return {
      id: random.uuid(),
      run_id: runId,
      project_id: project.id,
      iteration: index,
      score: trial.score,
      eval_kind: trial.evalType,
      params: plan.params(index, trial.candidate, trial.evalType),
      program_state: programState,
      program_hash: createHash('sha256').update(JSON.stringify(programState)).digest('hex').slice(0, 16),
      samples_evaluated: trial.samples,
      latency_ms: timing.latency,
      tokens: timing.tokens,
      cost_usd: timing.cost,
      duration_ms: timing.duration,
      created_at: new Date(clock),
    };
  });
  const lastAt = iterationRows.at(-1)?.created_at.getTime() ?? (startedAt ?? createdAt) + setupMs;
  const endedAt =
    status === 'completed' ? lastAt + random.uniform(2, 15) * 1000
    : status === 'failed' || status === 'cancelled' ? lastAt + random.uniform(5, 90) * 1000
    : null;

  // Samples of a few iterations: the baseline, the best, the last and one in between.
  const stored = new Set<number>();
  if (iterationRows.length > 0) {
    stored.add(0);
    stored.add(iterationRows.length - 1);
    stored.add(bestIndex(iterationRows));
    if (iterationRows.length > 3) stored.add(random.int(1, iterationRows.length - 2));
  }
  for (const index of [...stored].sort((a, b) => a - b)) {
    const iteration = iterationRows[index]!;
    data.samples.push(...samplesOf(random, project, metric, iteration, timings[index]!, modelInfo.usdPerMTokens));
  }

  const evaluated = iterationRows.reduce((sum, i) => sum + i.samples_evaluated, 0);
  const failureRate = status === 'failed' ? random.uniform(0.03, 0.09) : random.uniform(0.002, 0.03);
  const failedSamples = Math.round(evaluated * failureRate);
  const fullScores = iterationRows.filter((i) => i.eval_kind === 'full').map((i) => i.score);

  data.runs.push({
    id: runId,
    project_id: project.id,
    run_name: `${plan.label} ${model} #${String(run.sequence).padStart(2, '0')}`,
    description: status === 'completed' && random.chance(0.3) ? random.pick(RUN_DESCRIPTIONS) : null,
    optimizer_type: type,
    status,
    config,
    metadata:
      status === 'cancelled' ? { ...metadata, cancel_reason: 'KeyboardInterrupt (stopped from the notebook)' } : metadata,
    tags,
    error_message: status === 'failed' ? random.pick(RUN_ERRORS) : null,
    started_at: startedAt === null ? null : new Date(startedAt),
    ended_at: endedAt === null ? null : new Date(endedAt),
    initial_score: iterationRows[0]?.score ?? null,
    final_score: status === 'completed' ? Math.max(...fullScores) : null,
    samples_evaluated: evaluated,
    samples_successful: evaluated - failedSamples,
    samples_failed: failedSamples,
    created_at: new Date(createdAt),
  });
  data.iterations.push(...iterationRows);
}

function optimizerPlan(type: OptimizerType, random: Random, devSize: number, running: boolean): Plan {
  switch (type) {
    case 'miprov2': {
      const auto = running ? 'medium' : random.weighted([['light', 5], ['medium', 3], ['heavy', 1]] as const);
      const numCandidates = random.pick([10, 20]);
      const iterations = running ? 30 : auto === 'light' ? random.int(8, 16) : auto === 'medium' ? random.int(14, 24) : random.int(22, 30);
      const fullEvery = iterations > 16 ? 10 : 5;
      return {
        type,
        label: `miprov2-${auto}`,
        iterations,
        fullEvery,
        minibatchSize: 25,
        instructionCandidates: numCandidates,
        demoSets: numCandidates,
        maxRules: 0,
        weights: { instruction: 0.55, demos: 0.45, rules: 0 },
        config: {
          num_candidates: numCandidates,
          init_temperature: 1.0,
          auto,
          max_bootstrapped_demos: 4,
          max_labeled_demos: 4,
          num_trials: iterations - 1,
          minibatch: true,
          minibatch_size: 25,
          minibatch_full_eval_steps: fullEvery,
        },
        params: (trial, c, evalType) => ({
          trial,
          eval_type: evalType,
          ...(evalType === 'minibatch' ? { minibatch_size: 25 } : { full_eval_size: devSize }),
          instruction_candidate: c.instruction,
          demo_set: c.demoSet,
          temperature: 0.7,
        }),
      };
    }
    case 'bootstrap_fewshot': {
      const iterations = random.int(8, 14);
      return {
        type,
        label: 'bootstrap',
        iterations,
        fullEvery: null,
        minibatchSize: devSize,
        instructionCandidates: 1,
        demoSets: iterations + 4,
        maxRules: 0,
        weights: { instruction: 0, demos: 1, rules: 0 },
        config: { max_bootstrapped_demos: 4, max_labeled_demos: 16, max_rounds: 1, num_candidate_programs: iterations - 1 },
        params: (trial, c, evalType) => ({
          candidate_program: trial,
          eval_type: evalType,
          full_eval_size: devSize,
          demo_set: c.demoSet,
          num_demos: c.demoSet === 0 ? 0 : 4,
          seed: trial === 0 ? -3 : trial,
        }),
      };
    }
    case 'copro': {
      const [breadth, depth] = random.pick([[4, 3], [5, 3], [6, 3], [4, 4], [5, 4]] as const);
      return {
        type,
        label: `copro-b${breadth}d${depth}`,
        iterations: breadth * depth,
        fullEvery: null,
        minibatchSize: devSize,
        instructionCandidates: breadth * depth + 1,
        demoSets: 1,
        maxRules: 0,
        weights: { instruction: 1, demos: 0, rules: 0 },
        config: { breadth, depth, init_temperature: 1.4, track_stats: true },
        params: (trial, c, evalType) => ({
          depth: Math.floor(trial / breadth),
          breadth_candidate: trial % breadth,
          eval_type: evalType,
          full_eval_size: devSize,
          instruction_candidate: c.instruction,
          temperature: 1.4,
        }),
      };
    }
    case 'gepa': {
      const auto = random.pick(['light', 'medium'] as const);
      const iterations = auto === 'light' ? random.int(10, 18) : random.int(18, 28);
      return {
        type,
        label: `gepa-${auto}`,
        iterations,
        fullEvery: 4,
        minibatchSize: 12,
        instructionCandidates: 6,
        demoSets: 1,
        maxRules: LEARNED_RULES.length,
        weights: { instruction: 0.5, demos: 0, rules: 0.5 },
        config: {
          auto,
          reflection_lm: 'gpt-4o',
          reflection_minibatch_size: 12,
          candidate_selection_strategy: 'pareto',
          use_merge: true,
        },
        params: (trial, c, evalType) => ({
          step: trial,
          eval_type: evalType,
          ...(evalType === 'minibatch' ? { minibatch_size: 12 } : { full_eval_size: devSize }),
          parent_candidate: Math.max(0, trial - 1 - (trial % 3)),
          learned_rules: c.rules,
        }),
      };
    }
    case 'simba': {
      const iterations = random.int(8, 16);
      return {
        type,
        label: 'simba',
        iterations,
        fullEvery: 5,
        minibatchSize: 32,
        instructionCandidates: 1,
        demoSets: 8,
        maxRules: 4,
        weights: { instruction: 0, demos: 0.55, rules: 0.45 },
        config: { bsize: 32, num_candidates: 6, max_steps: iterations, max_demos: 4, temperature_for_sampling: 0.2 },
        params: (trial, c, evalType) => ({
          step: trial,
          eval_type: evalType,
          ...(evalType === 'minibatch' ? { minibatch_size: 32 } : { full_eval_size: devSize }),
          strategy: trial % 2 === 0 ? 'append_a_demo' : 'append_a_rule',
          demo_set: c.demoSet,
          learned_rules: c.rules,
        }),
      };
    }
  }
}

function demoCount(plan: Plan, c: Candidate): number {
  if (c.demoSet === 0) return 0;
  return plan.type === 'bootstrap_fewshot' || plan.type === 'miprov2' ? 4 : plan.type === 'simba' ? 1 + (c.demoSet % 4) : 0;
}

function programStateOf(project: DemoProjectContent, plan: Plan, c: Candidate): Json {
  const base = project.instructions[c.instruction % project.instructions.length]!;
  const suffix = INSTRUCTION_SUFFIXES[Math.floor(c.instruction / project.instructions.length) % INSTRUCTION_SUFFIXES.length]!;
  const rules = LEARNED_RULES.slice(0, c.rules);
  const instructions = [base + suffix, ...rules.map((r) => `- ${r}`)].join('\n');
  const count = demoCount(plan, c);
  const demos: Example[] = Array.from({ length: count }, (_, i) => project.examples[(c.demoSet * 3 + i * 5) % project.examples.length]!);
  return {
    signature: project.signature,
    instructions,
    demos: demos.map((d) => ({ question: d.question, answer: d.answer })),
  };
}

function samplesOf(
  random: Random,
  project: DemoProjectContent,
  metric: string,
  iteration: DemoIteration,
  timing: { latency: number; tokensPerCall: number },
  usdPerMTokens: number,
): DemoSample[] {
  const count = Math.min(iteration.samples_evaluated, random.int(10, 40));
  const offset = random.int(0, project.examples.length - 1);
  const rows: DemoSample[] = [];
  for (let i = 0; i < count; i++) {
    const exampleIndex = (offset + i) % project.examples.length;
    const example = project.examples[exampleIndex]!;
    const phrasing = project.phrasings[Math.floor((offset + i) / project.examples.length) % project.phrasings.length]!;
    const question = phrasing.replace('{q}', phrasing === '{q}' ? example.question : lowerFirst(example.question));
    const tokens = Math.round(timing.tokensPerCall * random.uniform(0.8, 1.2));
    const failed = random.chance(0.05);
    const correct = random.chance(iteration.score);
    rows.push({
      run_id: iteration.run_id,
      project_id: iteration.project_id,
      iteration: iteration.iteration,
      iteration_id: iteration.id,
      sample_index: i,
      input: { question },
      output: failed ? null : { answer: correct ? example.answer : random.pick(project.wrongAnswers) },
      expected: { answer: example.answer },
      score: failed ? null : sampleScore(random, metric, correct),
      error: failed ? random.pick(SAMPLE_ERRORS) : null,
      latency_ms: round(timing.latency * random.uniform(0.6, 1.6), 2),
      tokens,
      cost_usd: round((tokens * usdPerMTokens) / 1e6, 6),
      program_hash: iteration.program_hash,
      metadata: { example_id: `${project.slug}-${String(exampleIndex).padStart(4, '0')}` },
      created_at: new Date(iteration.created_at.getTime() - random.int(0, Math.max(0, iteration.duration_ms - 1))),
    });
  }
  return rows;
}

function sampleScore(random: Random, metric: string, correct: boolean): number {
  if (metric === 'exact_match') return correct ? 1 : 0;
  if (metric === 'llm_judge') return correct ? random.pick([1, 1, 0.8]) : random.pick([0, 0.2, 0.4, 0.6]);
  return correct ? round(random.uniform(0.85, 1), 4) : round(random.uniform(0, 0.5), 4);
}

function runTags(random: Random, type: OptimizerType, model: Model, status: RunStatus): string[] {
  const tags = new Set<string>();
  if (random.chance(0.8)) tags.add(MODELS[model].tag);
  if (type === 'bootstrap_fewshot' && random.chance(0.7)) tags.add('baseline');
  if (status === 'completed' && random.chance(0.15)) tags.add('production');
  const extra = random.int(0, 2);
  for (let i = 0; i < extra; i++) tags.add(random.pick(EXTRA_TAGS));
  return [...tags];
}

// The iteration the database will mark best: highest score, earliest on a tie.
// The run's best iteration as the database marks it: the best full evaluation (a minibatch
// score never outranks one).
function bestIndex(rows: DemoIteration[]): number {
  let best = -1;
  rows.forEach((row, i) => {
    if (row.eval_kind === 'full' && (best < 0 || row.score > rows[best]!.score)) best = i;
  });
  return Math.max(best, 0);
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
