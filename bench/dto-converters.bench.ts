import { bench, describe } from 'vitest';
import { toDtos, valuesToDtos } from '../lib/supabase-optimization/dto.ts';

// Row to DTO conversion (no database): a page of 20 runs with a run's 29 columns, through
// dto.ts (each DTO grown key by key) and through the converters it generated with
// new Function until 2026-12 (one object literal per column list), then serialized as the
// API answers. `npx vitest bench --run --project db bench/dto-converters.bench.ts`
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

// the former generated converter, for reference
const literal = COLUMNS.flatMap((column, index) =>
  column === 'create_digest' ? [] : [`${JSON.stringify(column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))}: iso(row[${index}])`],
);
const convert = new Function('row', 'iso', `return {${literal.join(', ')}};`) as (row: readonly unknown[], iso: (v: unknown) => unknown) => unknown;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const generated = (rows: readonly (readonly unknown[])[]) => rows.map((row) => convert(row, iso));

describe('20 runs: convert', () => {
  bench('valuesToDtos (array rows)', () => {
    valuesToDtos(arrays, columns);
  });
  bench('toDtos (object rows)', () => {
    toDtos(objects);
  });
  bench('generated object literal (array rows)', () => {
    generated(arrays);
  });
});

describe('20 runs: convert and serialize', () => {
  bench('valuesToDtos (array rows)', () => {
    JSON.stringify({ data: valuesToDtos(arrays, columns) });
  });
  bench('generated object literal (array rows)', () => {
    JSON.stringify({ data: generated(arrays) });
  });
});
