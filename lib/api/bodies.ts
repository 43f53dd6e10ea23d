import { ValidationError } from '../supabase-optimization/index.ts';

// Items posted under /runs/{id}/… take the run from the path; a runId in the body must agree.
export function withPathRunId(items: unknown[], runId: string): unknown[] {
  return items.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ValidationError([{ path: String(i), message: 'must be a JSON object' }]);
    }
    const { runId: given, ...rest } = item as Record<string, unknown>;
    if (given !== undefined && given !== runId) {
      throw new ValidationError([{ path: `${i}.runId`, message: 'must match the run in the URL (or be left out)' }]);
    }
    return rest;
  });
}
