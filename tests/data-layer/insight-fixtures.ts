import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  batchCreateOptimizationSamples,
  createOptimizationIterations,
  createOptimizationRun,
  type Scope,
} from '../../lib/supabase-optimization/index.ts';

// A run as GET /api/v1/runs/{id}, /iterations and /samples returned it: either recorded from a
// real DSPy compile (`npm run record:dspy -- --insight`, scripts/record-dspy.py) or written by hand.
export interface RecordedRun {
  name: string;
  run: { optimizerType: string; config: Record<string, unknown>; status?: string };
  iterations: Array<Record<string, unknown> & { iteration: number }>;
  samples: Array<Record<string, unknown> & { iteration: number; sampleIndex: number }>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export function loadRecorded(file: string): RecordedRun {
  return JSON.parse(readFileSync(path.join(here, 'fixtures', file), 'utf8')) as RecordedRun;
}

// The writable fields of the API, as the recorded rows hold them.
const ITERATION_FIELDS = [
  'iteration', 'score', 'params', 'programState', 'programHash', 'samplesEvaluated', 'latencyMs', 'durationMs',
  'evalKind', 'rawScore', 'scoreScale', 'candidateId', 'parentCandidateIds', 'trial', 'budgetUsed', 'elapsedMs',
  'dataset', 'usageByRole',
] as const;
const SAMPLE_FIELDS = [
  'iteration', 'sampleIndex', 'input', 'output', 'expected', 'score', 'error', 'latencyMs', 'tokens', 'costUsd',
  'programHash', 'metadata', 'exampleId', 'feedback',
] as const;

function pick(row: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (row[f] !== undefined && row[f] !== null) out[f] = row[f];
  return out;
}

// Writes the recorded run into a project through the data layer; returns the new run's id.
export async function writeRecorded(scope: Scope, projectId: string, recorded: RecordedRun, runName = recorded.name): Promise<string> {
  const run = await createOptimizationRun(scope, {
    projectId,
    runName,
    optimizerType: recorded.run.optimizerType,
    status: 'running',
    config: recorded.run.config as never,
  });
  for (let i = 0; i < recorded.iterations.length; i += 500) {
    const batch = recorded.iterations.slice(i, i + 500).map((row) => {
      const fields = pick(row, ITERATION_FIELDS);
      // tokens / cost as the client reported them (the rest came from the samples)
      if (row.reportedTokens != null) fields.tokens = row.reportedTokens;
      if (row.reportedCostUsd != null) fields.costUsd = row.reportedCostUsd;
      if (row.isSelected) fields.selected = true;
      return fields;
    });
    await createOptimizationIterations(scope, run.id, batch as never);
  }
  for (let i = 0; i < recorded.samples.length; i += 1000) {
    await batchCreateOptimizationSamples(
      scope,
      recorded.samples.slice(i, i + 1000).map((s) => ({ runId: run.id, ...pick(s, SAMPLE_FIELDS) })) as never,
    );
  }
  return run.id;
}

// A hand-written run with what the recorded ones may lack: a train/val pair, usage of two
// roles with cost, unlabelled evaluations, samples without example ids and with errors.
export const HANDMADE: RecordedRun = {
  name: 'handmade',
  run: { optimizerType: 'miprov2', config: { miprov2: { auto: 'light', num_candidates: 3, minibatch_size: 4 }, lms: { task: { model: 'm-task' } }, max_metric_calls: 40 } },
  iterations: [
    { iteration: 0, score: 0.5, evalKind: 'full', dataset: 'val', candidateId: 'c0', trial: 0, budgetUsed: 8, elapsedMs: 100,
      usageByRole: { task: { model: 'm-task', calls: 8, inputTokens: 800, outputTokens: 80, costUsd: 0.08 } } },
    { iteration: 1, score: 0.75, evalKind: 'minibatch', candidateId: 'c1', trial: 1, budgetUsed: 12, elapsedMs: 150,
      usageByRole: { task: { model: 'm-task', calls: 4, inputTokens: 400, outputTokens: 40, costUsd: 0.04 }, proposer: { model: 'm-prop', calls: 2, inputTokens: 1000, outputTokens: 300, costUsd: 0.2 } } },
    { iteration: 2, score: 1, evalKind: 'minibatch', candidateId: 'c2', trial: 2, budgetUsed: 16, elapsedMs: 190,
      usageByRole: { task: { model: 'm-task', calls: 4, inputTokens: 400, outputTokens: 40, costUsd: 0.04 } } },
    { iteration: 3, score: 0.5, evalKind: 'minibatch', candidateId: 'c1', trial: 3, budgetUsed: 20, elapsedMs: 230,
      usageByRole: { task: { model: 'm-task', calls: 4, inputTokens: 400, outputTokens: 40, costUsd: 0.04 } } },
    { iteration: 4, score: 0.625, evalKind: 'full', dataset: 'val', candidateId: 'c2', budgetUsed: 28, elapsedMs: 300,
      usageByRole: { task: { model: 'm-task', calls: 8, inputTokens: 800, outputTokens: 80, costUsd: 0.08 } } },
    { iteration: 5, score: 0.75, evalKind: 'full', dataset: 'val', candidateId: 'c1', budgetUsed: 36, elapsedMs: 380, isSelected: true,
      usageByRole: { task: { model: 'm-task', calls: 8, inputTokens: 800, outputTokens: 80, costUsd: 0.08 } } },
    { iteration: 6, score: 0.875, evalKind: 'full', dataset: 'train', candidateId: 'c1', budgetUsed: 44, elapsedMs: 460 },
    // no elapsed time: drawn at the latest one before it
    { iteration: 7, score: 0.95, evalKind: 'minibatch', candidateId: 'c0', trial: 4, budgetUsed: 48 },
  ],
  samples: [
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => ({ iteration: 0, sampleIndex: k, exampleId: `ex${k}`, input: { q: k }, expected: { a: k }, output: { a: k < 4 ? k : -1 }, score: k < 4 ? 1 : 0, tokens: 10, costUsd: 0.001 })),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => ({
      iteration: 5, sampleIndex: k, exampleId: `ex${k}`, input: { q: k }, expected: { a: k },
      output: { a: [0, 1, 4, 5, 6, 7].includes(k) ? k : -1 },
      score: [0, 1, 4, 5, 6, 7].includes(k) ? 1 : 0,
      ...(k === 3 ? { error: 'timeout', score: null } : {}),
    })),
    // no example ids: matched by sample index within the run
    { iteration: 4, sampleIndex: 0, input: { q: 0 }, score: 0 },
    { iteration: 4, sampleIndex: 1, input: { q: 1 }, score: 1 },
  ],
};
