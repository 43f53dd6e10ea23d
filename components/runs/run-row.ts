import type { OptimizationRun, RunStatus } from '@/lib/supabase-optimization/dto';

// What the runs table shows of a run: config and metadata stay on the server.
export interface RunRow {
  id: string;
  runName: string;
  status: RunStatus;
  optimizerType: string;
  tags: string[];
  initialScore: number | null;
  finalScore: number | null;
  bestScore: number | null;
  improvement: number | null;
  improvementPct: number | null;
  iterations: number;
  durationMs: number | null;
  startedAt: string | null;
  totalCostUsd: number;
  totalTokens: number;
  createdAt: string;
}

export function toRunRow(run: OptimizationRun): RunRow {
  return {
    id: run.id,
    runName: run.runName,
    status: run.status,
    optimizerType: run.optimizerType,
    tags: run.tags,
    initialScore: run.initialScore,
    finalScore: run.finalScore,
    bestScore: run.bestScore,
    improvement: run.improvement,
    improvementPct: run.improvementPct,
    iterations: run.iterations,
    durationMs: run.durationMs,
    startedAt: run.startedAt,
    totalCostUsd: run.totalCostUsd,
    totalTokens: run.totalTokens,
    createdAt: run.createdAt,
  };
}
