import { valueAtPath, type Json } from '@/lib/json-flatten';
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
  // the config values the table shows as columns, by dotted path (a missing key is absent)
  config?: Record<string, Json>;
};

// `shown`: the scores to display when some were derived (lib/supabase-optimization shownScores);
// `configPaths`: the config values shown as columns (only these leave the server).
export function toRunRow(run: OptimizationRun, shown?: ShownScores, configPaths: string[] = []): RunRow {
  const row: RunRow = { ...(Object.fromEntries(ROW_FIELDS.map((field) => [field, run[field]])) as Omit<RunRow, 'config'>) };
  if (configPaths.length) {
    row.config = {};
    for (const path of configPaths) {
      const value = valueAtPath(run.config as Json, path);
      if (value !== undefined) row.config[path] = value;
    }
  }
  if (!shown || (!shown.initialDerived && !shown.finalDerived)) return row;
  const { initialScore, finalScore, improvement, improvementPct, initialDerived, finalDerived } = shown;
  return { ...row, initialScore, finalScore, improvement, improvementPct, initialDerived, finalDerived };
}
