import type { OptimizationRun } from '@/lib/supabase-optimization/dto';

// Runs as CSV (RFC 4180: quoted when needed, CRLF line ends). Raw values, not display
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

// Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with
// an apostrophe: run names and tags come from scripts, not from this user.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = JSON.stringify(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${COLUMNS.map(([header]) => header).join(',')}\r\n`;
}

export function csvRows(runs: OptimizationRun[]): string {
  return runs.map((run) => `${COLUMNS.map(([, value]) => csvField(value(run))).join(',')}\r\n`).join('');
}
