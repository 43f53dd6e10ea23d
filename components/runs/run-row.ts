import type { OptimizationRun, ShownScores } from '@/lib/supabase-optimization';

// What the runs table shows of a run: config and metadata stay on the server.
const ROW_FIELDS = [
  'id', 'runName', 'status', 'optimizerType', 'tags', 'initialScore', 'finalScore', 'bestScore', 'improvement',
  'improvementPct', 'iterations', 'durationMs', 'startedAt', 'totalCostUsd', 'totalTokens', 'createdAt',
] as const satisfies readonly (keyof OptimizationRun)[];

// initialDerived/finalDerived: where the scores were derived from iterations (not reported);
// stalledSince: a running run with no write for STALLED_RUN_MINUTES, its last write
export type RunRow = Pick<OptimizationRun, (typeof ROW_FIELDS)[number]> & {
  initialDerived?: ShownScores['initialDerived'];
  finalDerived?: ShownScores['finalDerived'];
  stalledSince?: string;
};

// `shown`: the scores to display when some were derived (lib/supabase-optimization shownScores).
export function toRunRow(run: OptimizationRun, shown?: ShownScores): RunRow {
  const row = Object.fromEntries(ROW_FIELDS.map((field) => [field, run[field]])) as RunRow;
  if (!shown || (!shown.initialDerived && !shown.finalDerived)) return row;
  const { initialScore, finalScore, improvement, improvementPct, initialDerived, finalDerived } = shown;
  return { ...row, initialScore, finalScore, improvement, improvementPct, initialDerived, finalDerived };
}
