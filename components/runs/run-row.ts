import type { OptimizationRun } from '@/lib/supabase-optimization/dto';

// What the runs table shows of a run: config and metadata stay on the server.
const ROW_FIELDS = [
  'id', 'runName', 'status', 'optimizerType', 'tags', 'initialScore', 'finalScore', 'bestScore', 'improvement',
  'improvementPct', 'iterations', 'durationMs', 'startedAt', 'totalCostUsd', 'totalTokens', 'createdAt',
] as const satisfies readonly (keyof OptimizationRun)[];

// stalledSince: a running run with no write for STALLED_RUN_MINUTES, its last write
export type RunRow = Pick<OptimizationRun, (typeof ROW_FIELDS)[number]> & { stalledSince?: string };

export function toRunRow(run: OptimizationRun): RunRow {
  return Object.fromEntries(ROW_FIELDS.map((field) => [field, run[field]])) as RunRow;
}
