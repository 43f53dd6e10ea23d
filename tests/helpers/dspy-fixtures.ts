import { readFileSync } from 'node:fs';
import path from 'node:path';

// Runs recorded from real DSPy compiles (`npm run record:dspy -- --structure`): the stored rows
// of a MIPROv2 and a GEPA run on the package's offline LM, as the API returned them.

export interface RecordedRun {
  run: { runName: string; optimizerType: string; status: string; config: Record<string, unknown>; metadata: Record<string, unknown>; tags: string[] };
  iterations: Array<Record<string, unknown> & { iteration: number; score: number | null; evalKind: 'full' | 'minibatch' | null; isSelected: boolean; isBest: boolean; params: Record<string, unknown> }>;
  candidates: Array<Record<string, unknown> & { candidateId: string; parentIds: string[]; score: number | null; instanceScores: Record<string, number> | null }>;
  candidatePool: Array<Record<string, unknown> & { predictorIndex: number; kind: 'instruction' | 'demos'; candidateIndex: number }>;
  pareto: Array<Record<string, unknown> & { step: number; front: Record<string, string[]>; bestScores: Record<string, number> | null }>;
  proposals: Array<Record<string, unknown> & { proposalIndex: number; accepted: boolean; scoresBefore: number[] | null; scoresAfter: number[] | null }>;
}

export function recordedRun(optimizer: 'miprov2' | 'gepa'): RecordedRun {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../fixtures/dspy', `${optimizer}.json`), 'utf8')) as RecordedRun;
}

const ITERATION_FIELDS = [
  'iteration', 'score', 'params', 'programState', 'programHash', 'samplesEvaluated', 'latencyMs', 'durationMs', 'evalKind', 'rawScore',
  'scoreScale', 'candidateId', 'parentCandidateIds', 'trial', 'budgetUsed', 'elapsedMs', 'dataset', 'usageByRole',
];
const pick = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => row[k] !== undefined && row[k] !== null).map((k) => [k, row[k]]));
const without = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(Object.entries(row).filter(([k, v]) => !keys.includes(k) && v !== null));

// The write bodies that store the recorded run again (iterations as the API takes them).
export function writeBodies(recorded: RecordedRun) {
  return {
    run: { runName: recorded.run.runName, optimizerType: recorded.run.optimizerType, status: 'completed' as const, config: recorded.run.config, tags: recorded.run.tags },
    iterations: recorded.iterations.map((i) => ({ ...pick(i, ITERATION_FIELDS), ...(i.isSelected ? { selected: true } : {}) })),
    candidates: recorded.candidates.map((c) => without(c, [])),
    candidatePool: recorded.candidatePool.map((c) => without(c, [])),
    pareto: recorded.pareto.map((p) => without(p, [])),
    proposals: recorded.proposals.map((p) => without(p, [])),
  };
}
