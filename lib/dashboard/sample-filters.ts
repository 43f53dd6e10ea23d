import { parseListSamplesQuery } from '../api/query.ts';
import { ValidationError, type ListSamplesOutput } from '../supabase-optimization/index.ts';
import { toSearchParams } from './run-filters.ts';

// The run page's samples filters live beside other views' state in its URL, under their own
// names; they are read by the samples list's own parser and schema (lib/api/query.ts), so
// the page, GET /api/v1/runs/{id}/samples and the export share one rule.
export const SAMPLE_URL_NAMES = { sIter: 'iteration', sErrors: 'errorsOnly', sMin: 'minScore', sMax: 'maxScore', sCursor: 'cursor' } as const;

export interface SampleFilterValues {
  iteration: number | null;
  errorsOnly: boolean;
  minScore: number | null;
  maxScore: number | null;
}

export type SamplesUrl =
  | { input: ListSamplesOutput; values: SampleFilterValues; error: null }
  | { input: null; values: SampleFilterValues; error: string };

export function readSamplesUrl(source: URLSearchParams | Record<string, string | string[] | undefined>, runId: string, limit: number): SamplesUrl {
  const url = toSearchParams(source);
  const params = new URLSearchParams();
  for (const [name, field] of Object.entries(SAMPLE_URL_NAMES)) {
    const value = url.get(name);
    if (value !== null) params.set(field, value);
  }
  try {
    const input = parseListSamplesQuery(params, runId, { limit });
    const values = { iteration: input.iteration ?? null, errorsOnly: input.errorsOnly ?? false, minScore: input.minScore ?? null, maxScore: input.maxScore ?? null };
    return { input, values, error: null };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // the form shows what the URL says, so the viewer can correct it
    const number = (name: string) => (params.get(name)?.trim() && Number.isFinite(Number(params.get(name))) ? Number(params.get(name)) : null);
    const values = { iteration: number('iteration'), errorsOnly: ['1', 'true'].includes(params.get('errorsOnly') ?? ''), minScore: number('minScore'), maxScore: number('maxScore') };
    const issues = error.issues.map((i) => `${LABELS[i.path.split('.')[0]!] ?? i.path}: ${i.message}`);
    return { input: null, values, error: `These sample filters cannot be applied: ${issues.join('; ')}.` };
  }
}

const LABELS: Record<string, string> = { iteration: 'Iteration', errorsOnly: 'Failures only', minScore: 'Min score', maxScore: 'Max score', cursor: 'The page cursor' };
