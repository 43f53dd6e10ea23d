// Nested JSON as dotted paths ("miprov2.num_candidates" → 10), for side-by-side config
// comparison and CSV columns. Arrays of scalars stay one value (["a","b"] reads better
// than two rows); arrays of objects get indexed paths ("demos[0].answer").

export type JsonScalar = string | number | boolean | null;
export type Json = JsonScalar | Json[] | { [key: string]: Json };

// A leaf value: a scalar, an array of scalars, or an empty object/array.
export type FlatValue = JsonScalar | JsonScalar[] | Record<string, never>;

function isPlainObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is JsonScalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

export function flattenJson(value: Json | undefined, prefix = ''): Record<string, FlatValue> {
  const out: Record<string, FlatValue> = {};
  const visit = (node: Json, path: string) => {
    if (isPlainObject(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0 && path) out[path] = {};
      for (const key of keys) visit(node[key]!, path ? `${path}.${key}` : key);
    } else if (Array.isArray(node)) {
      if (node.every(isScalar)) out[path] = node as JsonScalar[];
      else node.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else {
      out[path] = node;
    }
  };
  if (value !== undefined) visit(value, prefix);
  return out;
}

// A stable textual form of a flattened value, for equality checks and display.
export function flatValueKey(value: FlatValue | undefined): string {
  return value === undefined ? '\u0000missing' : JSON.stringify(value);
}

// JSON.stringify with object keys sorted at every level, so two states that differ only
// in key order print identically (jsonb does not keep insertion order).
export function stableStringify(value: unknown, indent = 2): string {
  return JSON.stringify(sortKeys(value), null, indent) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

// The value at a dotted path ("miprov2.num_candidates"), undefined when a key is missing;
// what the runs list sorts by (config #> path).
export function valueAtPath(value: Json | undefined, path: string): Json | undefined {
  let node: Json | undefined = value;
  for (const key of path.split('.')) {
    node = isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}
