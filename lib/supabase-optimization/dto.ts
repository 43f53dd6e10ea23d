// snake_case rows to camelCase DTOs: timestamps as ISO strings (NUMERIC and BIGINT
// already arrive as numbers, see lib/db/client.ts).
export function toDto<T>(row: Record<string, unknown>, omit?: string): T {
  return converterFor(row, omit)(row, isoDates) as T;
}

// toDto for every row of one result: the rows share their columns (postgres.js builds each
// from the statement's columns), so the first row's converter serves them all.
export function toDtos<T>(rows: readonly Record<string, unknown>[], omit?: string): T[] {
  if (rows.length === 0) return [];
  const convert = converterFor(rows[0]!, omit);
  const out = new Array<T>(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = convert(rows[r]!, isoDates) as T;
  return out;
}

// toDtos for rows read with .values(), each an array of the values of `columns` in order.
// postgres.js builds an object row key by key, and one with a run's 29 columns becomes a
// slow dictionary-mode object; an array is cheap to build, and the converter reads it by
// index. 20 runs: about a fifth less CPU for a list call.
export function valuesToDtos<T>(rows: readonly (readonly unknown[])[], columns: readonly { name: string }[], omit?: string): T[] {
  if (rows.length === 0) return [];
  const names = columns.map((c) => c.name);
  // a key apart from toDtos's (those hold no \u0001)
  const convert = compile(`\u0001${omit ?? ''}\u0001${names.join('\0')}`, () =>
    names.flatMap((key, i) => (key === omit || INTERNAL_COLUMNS.has(key) ? [] : [`${JSON.stringify(camelKey(key))}: iso(row[${i}])`])),
  );
  const out = new Array<T>(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = convert(rows[r]!, isoDates) as T;
  return out;
}

// One page of a list read with .values() and limit + 1 rows (the extra row says that a next
// page exists): the page's DTOs, and the last row's values by column name for the next
// page's cursor. The result is emptied once converted: a finished query's result stayed
// reachable through minor GCs until the next full one (with pages of runs, over half of what
// a list call allocated survived each scavenge, and the pauses grew with it; emptied, about
// 5 %).
export function valuesPage<T>(
  rows: unknown[][] & { columns: readonly { name: string }[] },
  limit: number,
  omit?: string,
): { data: T[]; next: ((column: string) => unknown) | null } {
  const columns = rows.columns;
  const page = rows.slice(0, limit);
  const last = rows.length > limit ? page[page.length - 1] : undefined;
  const data = valuesToDtos<T>(page, columns, omit);
  rows.length = 0;
  return { data, next: last ? (column) => last[columns.findIndex((c) => c.name === column)] : null };
}

// Columns the data layer keeps for itself and never shows (a run's create digest).
const INTERNAL_COLUMNS = new Set(['create_digest']);

// rows as objects (toDtos) or as arrays (valuesToDtos)
type Converter = (row: never, iso: (value: unknown) => unknown) => Record<string, unknown>;

// One converter per column list, made once: an object literal of that exact shape builds and
// serializes several times faster than a DTO grown key by key (bench/RESULTS.md, row converters).
const converters = new Map<string, Converter>();

function isoDates(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function converterFor(row: Record<string, unknown>, omit?: string) {
  const keys = Object.keys(row).filter((key) => key !== omit && !INTERNAL_COLUMNS.has(key));
  // PostgreSQL names hold no NUL
  return compile(keys.join('\0'), () =>
    keys.map((key) => `${JSON.stringify(camelKey(key))}: iso(row[${JSON.stringify(key)}])`),
  );
}

// The cached converter `id` names, made from its fields the first time. Names are written
// as JSON strings, so any column name is safe in them. A literal key "__proto__" would set
// the prototype, but camelKey never returns it: an underscore before a lowercase letter is
// always removed.
function compile<R>(id: string, fields: () => string[]): (row: R, iso: (value: unknown) => unknown) => Record<string, unknown> {
  let convert = converters.get(id);
  if (convert === undefined) {
    convert = new Function('row', 'iso', `return {${fields().join(', ')}};`) as Converter;
    if (converters.size < 1000) converters.set(id, convert);
  }
  return convert as (row: R, iso: (value: unknown) => unknown) => Record<string, unknown>;
}

function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

// The DTO types, inferred from their zod schemas (one source with the OpenAPI document).
export type * from './dto-schemas.ts';
