import { z } from 'zod';
// schemas.ts and errors.ts directly, not the index: the runs page's URL state (client code) reads queryFields too
import { ValidationError, parseInput } from '../supabase-optimization/errors.ts';
import {
  leaderboardQuerySchema,
  listRunsSchema,
  listSamplesSchema,
  projectQuerySchema,
  type ListRunsInput,
  type ListSamplesInput,
  type ListSamplesOutput,
} from '../supabase-optimization/schemas.ts';

type JsonSchema = Record<string, unknown> & { type?: unknown; items?: JsonSchema; anyOf?: JsonSchema[]; description?: string };

export type QueryKind = 'string' | 'number' | 'boolean' | 'list' | 'config';

export interface QueryField {
  name: string;
  kind: QueryKind;
  // the JSON Schema of one value (of one item, for a list)
  schema: JsonSchema;
  description?: string;
}

// The query parameters of a list endpoint, read off its zod schema: a field added to the
// schema is parsed from the URL and documented in OpenAPI without another edit.
export function queryFields(schema: z.ZodObject): QueryField[] {
  let fields = fieldsBySchema.get(schema);
  if (!fields) fieldsBySchema.set(schema, (fields = readFields(schema)));
  return fields;
}

const fieldsBySchema = new WeakMap<z.ZodObject, QueryField[]>();

function readFields(schema: z.ZodObject): QueryField[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> };
  return Object.entries(json.properties).map(([name, prop]) => {
    const { description, ...rest } = prop;
    if (name === 'config') return { name, kind: 'config', schema: { type: 'string' }, description };
    const variants = rest.anyOf ?? [rest];
    const array = variants.find((v) => v.type === 'array');
    const one = array?.items ?? variants[0]!;
    const kind: QueryKind = array ? 'list' : one.type === 'number' || one.type === 'integer' ? 'number' : one.type === 'boolean' ? 'boolean' : 'string';
    return { name, kind, schema: array ? one : rest, description };
  });
}

// Repeated or comma-separated: ?status=completed&status=failed or ?status=completed,failed
function list(params: URLSearchParams, names: string[]): string[] | undefined {
  const values = names.flatMap((n) => params.getAll(n)).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return values.length ? values : undefined;
}

function scalar(params: URLSearchParams, field: QueryField): unknown {
  const raw = params.get(field.name);
  if (raw === null || raw === '') return undefined;
  if (field.kind === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new ValidationError([{ path: field.name, message: 'must be a number' }]);
    return n;
  }
  if (field.kind === 'boolean') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ValidationError([{ path: field.name, message: 'must be true or false (or 1 or 0)' }]);
  }
  return raw;
}

// A config value keeps its JSON type: config.miprov2.num_candidates=10 is the number 10,
// config.flag=true a boolean, config.model=gpt-4 a string, config.n="10" the string "10".
function typedValue(raw: string): string | number | boolean | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || ['string', 'number', 'boolean'].includes(typeof parsed)) return parsed as never;
  } catch {
    // a bare string
  }
  return raw;
}

export function parseConfigParams(params: URLSearchParams): Record<string, unknown> | undefined {
  // no prototype: keys are the caller's, and "__proto__" must stay an ordinary key for the schema to refuse
  const config: Record<string, unknown> = Object.create(null);
  const whole = params.get('config');
  if (whole) {
    try {
      const parsed = JSON.parse(whole) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      for (const key of Object.keys(parsed)) config[key] = (parsed as Record<string, unknown>)[key];
    } catch {
      throw new ValidationError([{ path: 'config', message: 'must be a JSON object of dotted paths to values' }]);
    }
  }
  for (const [key, value] of params) {
    if (key.startsWith('config.')) config[key.slice('config.'.length)] = typedValue(value);
  }
  return Object.keys(config).length ? config : undefined;
}

// A URL query as the input of a list schema: unknown parameters are refused by name, the
// rest typed by the schema (the schema itself judges the values).
export function parseQuery(
  schema: z.ZodObject,
  params: URLSearchParams,
  options: { aliases?: Record<string, string>; fixed?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const fixed = options.fixed ?? {};
  const fields = queryFields(schema).filter((f) => !(f.name in fixed));
  const aliases = options.aliases ?? {};
  const known = new Set([...fields.map((f) => f.name), ...Object.keys(aliases)]);
  const hasConfig = fields.some((f) => f.kind === 'config');
  const unknown = [...new Set(params.keys())].filter((k) => !known.has(k) && !(hasConfig && k.startsWith('config.')));
  if (unknown.length) throw new ValidationError(unknown.map((k) => ({ path: k, message: 'is not a parameter of this endpoint' })));
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const names = [field.name, ...Object.keys(aliases).filter((a) => aliases[a] === field.name)];
    const value =
      field.kind === 'list' ? list(params, names) : field.kind === 'config' ? parseConfigParams(params) : scalar(params, field);
    if (value !== undefined) input[field.name] = value;
  }
  return { ...input, ...fixed };
}

// GET /api/v1/runs, the runs page and its CSV export: one parser for the runs list.
export function parseListRunsQuery(params: URLSearchParams, defaultProjectId: string | null): ListRunsInput {
  const input = parseQuery(listRunsSchema, params, { aliases: { tag: 'tags' } });
  input.projectId ??= defaultProjectId ?? undefined;
  if (!input.projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  return input as ListRunsInput;
}

// GET /api/v1/runs/{id}/samples, the run page and its export: one parser and one schema
// for the samples list (min > max and any bad value refused, errorsOnly 1/true/0/false).
export function parseListSamplesQuery(params: URLSearchParams, runId: string, fixed: Partial<ListSamplesInput> = {}): ListSamplesOutput {
  return parseInput(listSamplesSchema, parseQuery(listSamplesSchema, params, { fixed: { ...fixed, runId } }));
}

// A query read off its schema and checked by it: unknown parameters and bad values are 422s
// naming the parameter.
export function parseSchemaQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.output<S> {
  return parseInput(schema, parseQuery(schema, params));
}
export const parseLeaderboardQuery = (params: URLSearchParams) => parseSchemaQuery(leaderboardQuerySchema, params);
export const parseProjectQuery = (params: URLSearchParams) => parseSchemaQuery(projectQuerySchema, params);

export function assertOnlyParams(params: URLSearchParams, allowed: string[]): void {
  const unknown = [...new Set([...params.keys()])].filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new ValidationError(unknown.map((k) => ({ path: k, message: 'is not a parameter of this endpoint' })));
  }
}

// GET /api/v1/analysis/*: the runs list's filters plus the analysis's own parameters
// (numbers as typed; the data layer's schema judges them).
export const ANALYSIS_PARAMS = ['groupBy', 'smoothing', 'maxRuns', 'maxKeys'] as const;
export function parseAnalysisQuery(
  params: URLSearchParams,
  defaultProjectId: string | null,
): { filters: ListRunsInput } & Partial<Record<(typeof ANALYSIS_PARAMS)[number], string | number>> {
  const rest = new URLSearchParams(params);
  const own: Partial<Record<(typeof ANALYSIS_PARAMS)[number], string | number>> = {};
  for (const name of ANALYSIS_PARAMS) {
    const value = rest.get(name);
    rest.delete(name);
    if (value === null || value === '') continue;
    own[name] = name === 'groupBy' || Number.isNaN(Number(value)) ? value : Number(value);
  }
  for (const name of ['cursor', 'offset', 'limit']) rest.delete(name);
  return { filters: parseListRunsQuery(rest, defaultProjectId), ...own };
}
