import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseQuery } from '../lib/api/query.ts';
import {
  explainIssue,
  firstPageState,
  issueLine,
  lastPageState,
  nextPageState,
  pageCount,
  previousPageState,
  readRunsUrl,
  runsUrlCodec,
  toListRunsParams,
  withSort,
  writeRunsUrl,
} from '../lib/dashboard/run-filters.ts';
import { listRunsSchema } from '../lib/supabase-optimization/schemas.ts';

// The runs page says the API's complaints in the labels the visitor sees, without
// changing the API's own field paths.
describe('filter issues on the runs page', () => {
  it('a score range the wrong way round names the labels, the path stays the API one', () => {
    const parsed = listRunsSchema.safeParse({ projectId: 'demo-qa', minScore: 0.9, maxScore: 0.1 });
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path).toEqual(['minScore']);
    expect(issue.message).toBe('minScore must not exceed maxScore');
    const message = explainIssue({ path: 'minScore', message: issue.message });
    expect(message).toBe('Min final score must not exceed max final score');
    // the message names its field already: no "Min final score:" before it
    expect(issueLine({ path: 'minScore', message })).toEqual({ label: null, message });
  });

  it('other messages keep a label in front and change only whole parameter names', () => {
    expect(issueLine({ path: 'maxScore', message: explainIssue({ path: 'maxScore', message: 'must be at most 1' }) })).toEqual({
      label: 'Max final score',
      message: 'must be at most 1',
    });
    expect(explainIssue({ path: 'cursor', message: 'use either cursor or offset, not both' })).toBe('use either page cursor or offset, not both');
    expect(explainIssue({ path: 'search', message: 'searching is slow' })).toBe('searching is slow');
    expect(issueLine({ path: 'config.model', message: 'must be a string' })).toEqual({ label: 'Config “model”', message: 'must be a string' });
  });
});

// Adding a run filter is one schema field (and one form control): the URL state reads it,
// writes it back, counts it as active, clears it and hands it to the API parser by itself.
describe('runs page URL state follows the list schema', () => {
  const extended = listRunsSchema.extend({
    minTrials: z.number().int().min(0).optional().describe('At least this many trials'),
    models: z.array(z.string()).optional().describe('Runs of any of these models'),
  });
  const codec = runsUrlCodec(extended);

  it('a new scalar and a new list filter round-trip through the URL', () => {
    const state = codec.read(new URLSearchParams('minTrials=5&models=a,b&models=c&status=completed&orderBy=run_name&orderDirection=asc'));
    expect(state).toMatchObject({ minTrials: '5', models: ['a', 'b', 'c'], status: ['completed'], orderBy: 'run_name', orderDirection: 'asc' });
    const url = codec.write(state);
    expect(url.get('minTrials')).toBe('5');
    expect(url.getAll('models')).toEqual(['a', 'b', 'c']);
    expect(codec.read(url)).toEqual(state);
    expect(codec.hasActiveFilters(codec.read(new URLSearchParams('minTrials=1')))).toBe(true);
    const cleared = codec.clearedFilters(state);
    expect(cleared).toMatchObject({ minTrials: '', models: [], status: [], orderBy: 'run_name' });
    expect(codec.hasActiveFilters(cleared)).toBe(false);
    // the page hands it to the API's parser, typed by the schema; the page's own parameters are dropped
    const api = codec.apiParams(new URLSearchParams('minTrials=5&models=a&page=3&prev=x&colour=red'));
    expect(parseQuery(extended, api)).toEqual({ minTrials: 5, models: ['a'], limit: 50 });
    // without the field in the schema the same URL keeps nothing of it
    expect(readRunsUrl(new URLSearchParams('minTrials=5'))).not.toHaveProperty('minTrials');
    expect(toListRunsParams(new URLSearchParams('minTrials=5')).has('minTrials')).toBe(false);
  });

  it('the real schema: every filter round-trips, config values keep their raw text', () => {
    const query =
      'status=completed&status=failed&optimizerType=gepa&tags=a&config.model=gpt-4&config.n=%2210%22&minScore=0.5&maxScore=0.9' +
      '&search=x&createdAfter=2026-01-01T00%3A00%3A00Z&createdBefore=2026-02-01T00%3A00%3A00Z&orderBy=config.model&orderDirection=asc&limit=20';
    const state = readRunsUrl(new URLSearchParams(query));
    expect(state.config).toEqual([{ key: 'model', raw: 'gpt-4' }, { key: 'n', raw: '"10"' }]);
    expect(state.orderBy).toBe('config.model');
    expect(readRunsUrl(writeRunsUrl(state))).toEqual(state);
    expect(new Set(writeRunsUrl(state).keys())).toEqual(new Set(new URLSearchParams(query).keys()));
  });
});

describe('runs page paging', () => {
  const base = readRunsUrl(new URLSearchParams('limit=20'));

  it('counts pages and jumps to the last by offset, first by dropping both', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(820, 20)).toBe(41);
    expect(pageCount(821, 20)).toBe(42);
    const last = lastPageState(base, 821, true)!;
    expect(last).toMatchObject({ offset: 820, page: 42, cursor: '' });
    expect(writeRunsUrl(last).get('offset')).toBe('820');
    expect(readRunsUrl(writeRunsUrl(last))).toMatchObject({ offset: 820, page: 42 });
    expect(lastPageState(base, 821, false)).toBeNull();
    expect(lastPageState(base, 20, true)).toMatchObject({ offset: 0, page: 1 });
    expect(firstPageState(last)).toMatchObject({ offset: 0, page: 1, cursor: '' });
  });

  it('Previous uses a known cursor, else the offset of the page before', () => {
    const last = lastPageState(base, 821, true)!;
    expect(previousPageState(last)).toMatchObject({ offset: 800, page: 41, cursor: '' });
    const next = nextPageState(last, 'c1');
    expect(next).toMatchObject({ cursor: 'c1', offset: 0, page: 43, prev: [] });
    const p2 = nextPageState(base, 'c1');
    const p3 = nextPageState(p2, 'c2');
    expect(previousPageState(p3)).toMatchObject({ cursor: 'c1', page: 2 });
    expect(previousPageState(p2)).toMatchObject({ cursor: '', offset: 0, page: 1 });
    // a cursor page whose earlier cursors were dropped
    expect(previousPageState({ ...p3, prev: [], page: 30 })).toMatchObject({ cursor: '', offset: 560, page: 29 });
    // a URL with both keeps the cursor (the API refuses both at once)
    expect(toListRunsParams(new URLSearchParams('cursor=c&offset=20')).has('offset')).toBe(false);
  });

  it('a text column starts A to Z, a number highest first; the same column flips', () => {
    expect(withSort(base, 'run_name')).toMatchObject({ orderBy: 'run_name', orderDirection: 'asc' });
    expect(withSort(withSort(base, 'run_name'), 'run_name')).toMatchObject({ orderDirection: 'desc' });
    expect(withSort(base, 'final_score')).toMatchObject({ orderDirection: 'desc' });
    expect(withSort(base, 'config.lr')).toMatchObject({ orderBy: 'config.lr', orderDirection: 'desc' });
    expect(readRunsUrl(new URLSearchParams('orderBy=bogus')).orderBy).toBe('created_at');
  });
});
