import { bench, describe } from 'vitest';
import { toDtos, valuesToDtos } from '../lib/supabase-optimization/dto.ts';

// Row to DTO conversion (no database): a page of 20 runs with a run's 29 columns, through
// dto.ts (one generated object literal per column list) and through a plain loop that grows
// each DTO key by key, then serialized as the API answers.
// `npx vitest bench --run --project db bench/dto-converters.bench.ts`
const COLUMNS = [
  'id', 'project_id', 'run_name', 'description', 'optimizer_type', 'status', 'tags', 'config', 'metadata',
  'error_message', 'created_at', 'updated_at', 'started_at', 'ended_at', 'duration_ms', 'initial_score',
  'final_score', 'best_score', 'improvement', 'improvement_pct', 'iterations', 'samples_evaluated',
  'samples_successful', 'samples_failed', 'total_tokens', 'total_cost_usd', 'avg_latency_ms', 'created_by', 'create_digest',
];
const value = (name: string, i: number): unknown =>
  name.endsWith('_at') ? '2026-03-14T09:26:53.589Z' : name.includes('score') || name.startsWith('total') ? i / 7 : name === 'tags' ? ['a', 'b'] : `${name}-${i}`;
const arrays = Array.from({ length: 20 }, (_, i) => COLUMNS.map((c) => value(c, i)));
const columns = COLUMNS.map((name) => ({ name }));
// objects built key by key, as postgres.js builds a row
const objects = arrays.map((row) => {
  const o: Record<string, unknown> = {};
  COLUMNS.forEach((c, i) => (o[c] = row[i]));
  return o;
});

// the plain alternative, for reference: each DTO grown key by key
const names = COLUMNS.map((column) => (column === 'create_digest' ? null : column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())));
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const plain = (rows: readonly (readonly unknown[])[]) =>
  rows.map((row) => {
    const dto: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (name) dto[name] = iso(row[i]);
    });
    return dto;
  });

describe('20 runs: convert', () => {
  bench('valuesToDtos (array rows)', () => {
    valuesToDtos(arrays, columns);
  });
  bench('toDtos (object rows)', () => {
    toDtos(objects);
  });
  bench('plain loop (array rows)', () => {
    plain(arrays);
  });
});

describe('20 runs: convert and serialize', () => {
  bench('valuesToDtos (array rows)', () => {
    JSON.stringify({ data: valuesToDtos(arrays, columns) });
  });
  bench('plain loop (array rows)', () => {
    JSON.stringify({ data: plain(arrays) });
  });
});
