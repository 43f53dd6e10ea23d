import { csvRow } from '../csv/index.ts';
import type { OptimizationRun } from '../supabase-optimization/index.ts';

// Runs as CSV (lib/csv: RFC 4180 with the formula guard). Raw values, not display
// formats, so spreadsheets and pandas read numbers as numbers.

const COLUMNS: Array<[header: string, value: (run: OptimizationRun) => unknown]> = [
  ['id', (r) => r.id],
  ['run_name', (r) => r.runName],
  ['status', (r) => r.status],
  ['optimizer_type', (r) => r.optimizerType],
  ['tags', (r) => r.tags.join(';')],
  ['initial_score', (r) => r.initialScore],
  ['final_score', (r) => r.finalScore],
  ['best_score', (r) => r.bestScore],
  ['improvement', (r) => r.improvement],
  ['improvement_pct', (r) => r.improvementPct],
  ['iterations', (r) => r.iterations],
  ['samples_evaluated', (r) => r.samplesEvaluated],
  ['samples_successful', (r) => r.samplesSuccessful],
  ['samples_failed', (r) => r.samplesFailed],
  ['total_tokens', (r) => r.totalTokens],
  ['total_cost_usd', (r) => r.totalCostUsd],
  ['avg_latency_ms', (r) => r.avgLatencyMs],
  ['duration_ms', (r) => r.durationMs],
  ['started_at', (r) => r.startedAt],
  ['ended_at', (r) => r.endedAt],
  ['created_at', (r) => r.createdAt],
  ['description', (r) => r.description],
  ['error_message', (r) => r.errorMessage],
  ['config', (r) => r.config],
];

export function csvHeader(): string {
  return csvRow(COLUMNS.map(([header]) => header));
}

export function csvRows(runs: OptimizationRun[]): string {
  return runs.map((run) => csvRow(COLUMNS.map(([, value]) => value(run)))).join('');
}
