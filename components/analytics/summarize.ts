import type { AnalyticsRow, RunStatus } from '@/lib/supabase-optimization';

export const STATUS_ORDER: RunStatus[] = ['completed', 'running', 'pending', 'failed', 'cancelled'];

export const STATUS_COLORS: Record<RunStatus, string> = {
  completed: '#10b981',
  running: '#0ea5e9',
  pending: '#a1a1aa',
  failed: '#f43f5e',
  cancelled: '#f59e0b',
};

export interface OptimizerSummary {
  optimizerType: string;
  runs: Record<RunStatus, number>;
  spend: Record<RunStatus, number>;
  runCount: number;
  // over completed runs: what the optimizer achieves when it finishes
  avgFinalScore: number | null;
  bestFinalScore: number | null;
  totalCostUsd: number;
}

const zero = (): Record<RunStatus, number> => ({ completed: 0, running: 0, pending: 0, failed: 0, cancelled: 0 });

// Rows per (optimizer, status) folded into one summary per optimizer, most runs first.
export function summarizeByOptimizer(rows: AnalyticsRow[]): OptimizerSummary[] {
  const byOptimizer = new Map<string, OptimizerSummary>();
  for (const row of rows) {
    let s = byOptimizer.get(row.optimizerType);
    if (!s) {
      s = {
        optimizerType: row.optimizerType,
        runs: zero(),
        spend: zero(),
        runCount: 0,
        avgFinalScore: null,
        bestFinalScore: null,
        totalCostUsd: 0,
      };
      byOptimizer.set(row.optimizerType, s);
    }
    s.runs[row.status] += row.runCount;
    s.spend[row.status] += row.totalCostUsd;
    s.runCount += row.runCount;
    s.totalCostUsd += row.totalCostUsd;
    if (row.status === 'completed') s.avgFinalScore = row.avgFinalScore;
    if (row.bestFinalScore !== null && (s.bestFinalScore === null || row.bestFinalScore > s.bestFinalScore)) {
      s.bestFinalScore = row.bestFinalScore;
    }
  }
  return [...byOptimizer.values()].sort((a, b) => b.runCount - a.runCount || a.optimizerType.localeCompare(b.optimizerType));
}

export function sortRows(rows: AnalyticsRow[], order: string[]): AnalyticsRow[] {
  const rank = new Map(order.map((o, i) => [o, i]));
  return [...rows].sort(
    (a, b) =>
      (rank.get(a.optimizerType) ?? 0) - (rank.get(b.optimizerType) ?? 0) ||
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
  );
}
