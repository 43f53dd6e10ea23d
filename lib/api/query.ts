import { ValidationError } from '../supabase-optimization/errors.ts';
import type { ListRunsInput } from '../supabase-optimization/schemas.ts';

const LIST_RUN_PARAMS = new Set([
  'projectId', 'status', 'optimizerType', 'tags', 'tag', 'config', 'minScore', 'maxScore', 'search',
  'createdAfter', 'createdBefore', 'orderBy', 'orderDirection', 'limit', 'cursor', 'offset',
]);

// Repeated or comma-separated: ?status=completed&status=failed or ?status=completed,failed
function list(params: URLSearchParams, name: string): string[] | undefined {
  const values = params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return values.length ? values : undefined;
}

export function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ValidationError([{ path: name, message: 'must be a number' }]);
  return n;
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
  const config: Record<string, unknown> = {};
  const whole = params.get('config');
  if (whole) {
    try {
      const parsed = JSON.parse(whole) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      Object.assign(config, parsed);
    } catch {
      throw new ValidationError([{ path: 'config', message: 'must be a JSON object of dotted paths to values' }]);
    }
  }
  for (const [key, value] of params) {
    if (key.startsWith('config.')) config[key.slice('config.'.length)] = typedValue(value);
  }
  return Object.keys(config).length ? config : undefined;
}

export function parseListRunsQuery(params: URLSearchParams, defaultProjectId: string | null): ListRunsInput {
  const unknown = [...new Set([...params.keys()])].filter((k) => !LIST_RUN_PARAMS.has(k) && !k.startsWith('config.'));
  if (unknown.length) {
    throw new ValidationError(unknown.map((k) => ({ path: k, message: 'is not a filter of this endpoint' })));
  }
  const projectId = params.get('projectId') ?? defaultProjectId;
  if (!projectId) throw new ValidationError([{ path: 'projectId', message: 'is required' }]);
  const input: Record<string, unknown> = {
    projectId,
    status: list(params, 'status'),
    optimizerType: list(params, 'optimizerType'),
    tags: [...(list(params, 'tags') ?? []), ...(list(params, 'tag') ?? [])],
    config: parseConfigParams(params),
    minScore: numberParam(params, 'minScore'),
    maxScore: numberParam(params, 'maxScore'),
    search: params.get('search') ?? undefined,
    createdAfter: params.get('createdAfter') ?? undefined,
    createdBefore: params.get('createdBefore') ?? undefined,
    orderBy: params.get('orderBy') ?? undefined,
    orderDirection: params.get('orderDirection') ?? undefined,
    limit: numberParam(params, 'limit'),
    cursor: params.get('cursor') ?? undefined,
    offset: numberParam(params, 'offset'),
  };
  if ((input.tags as string[]).length === 0) delete input.tags;
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input as ListRunsInput;
}

export function assertOnlyParams(params: URLSearchParams, allowed: string[]): void {
  const unknown = [...new Set([...params.keys()])].filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new ValidationError(unknown.map((k) => ({ path: k, message: 'is not a parameter of this endpoint' })));
  }
}
