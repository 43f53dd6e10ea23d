import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseLeaderboardQuery, parseListRunsQuery, parseQuery, queryFields } from '../lib/api/query.ts';
import { buildOpenApiDocument } from '../lib/api/openapi.ts';
import { leaderboardQuerySchema, listRunsSchema, MAX_LEADERBOARD_LIMIT, projectQuerySchema, ValidationError } from '../lib/supabase-optimization/index.ts';

// One parser for list queries, read off the zod schema: adding a filter to the schema is all
// the parser and the OpenAPI document need.
describe('list query parsing', () => {
  it('a field added to the schema is parsed and typed without another edit', () => {
    const extended = listRunsSchema.extend({ minTrials: z.number().int().min(0).optional().describe('At least this many trials') });
    const fields = queryFields(extended);
    expect(fields.map((f) => f.name)).toEqual([...queryFields(listRunsSchema).map((f) => f.name), 'minTrials']);
    expect(fields.at(-1)).toMatchObject({ kind: 'number', description: 'At least this many trials' });
    expect(parseQuery(extended, new URLSearchParams('projectId=p1&minTrials=5'))).toEqual({ projectId: 'p1', minTrials: 5 });
  });

  it('documents every field the runs parser reads', () => {
    const doc = buildOpenApiDocument({ runCountCap: 1000 }) as { paths: Record<string, { get: { parameters: Array<{ name: string }> } }> };
    const documented = doc.paths['/api/v1/runs']!.get.parameters.map((p) => p.name);
    const parsed = queryFields(listRunsSchema).map((f) => (f.kind === 'config' ? 'config.<path>' : f.name));
    expect(documented).toEqual(parsed);
  });

  it('documents the leaderboard, analytics and views parameters from their schemas', () => {
    const doc = buildOpenApiDocument({ runCountCap: 1000 }) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; schema: { maximum?: number } }> }>> };
    const names = (path: string, method: string) => doc.paths[path]![method]!.parameters!.map((p) => p.name);
    expect(names('/api/v1/leaderboard', 'get')).toEqual(queryFields(leaderboardQuerySchema).map((f) => f.name));
    expect(doc.paths['/api/v1/leaderboard']!.get!.parameters!.find((p) => p.name === 'limit')!.schema.maximum).toBe(MAX_LEADERBOARD_LIMIT);
    for (const [path, method] of [['/api/v1/analytics', 'get'], ['/api/v1/views', 'get'], ['/api/v1/views/{viewId}', 'delete']] as const) {
      expect(names(path, method)).toEqual(queryFields(projectQuerySchema).map((f) => f.name));
    }
    expect(parseLeaderboardQuery(new URLSearchParams('limit=5&tag=prod'))).toEqual({ limit: 5, tag: 'prod' });
    expect(() => parseLeaderboardQuery(new URLSearchParams(`limit=${MAX_LEADERBOARD_LIMIT + 1}`))).toThrow(ValidationError);
    expect(() => parseLeaderboardQuery(new URLSearchParams('tags=prod'))).toThrow(/tags: is not a parameter/);
  });

  it('states the limits the server runs with, not copies of them', () => {
    const text = JSON.stringify(buildOpenApiDocument({ runCountCap: 250 }));
    expect(text).toContain('counted up to 250 (the RUN_COUNT_CAP setting)');
    expect(text).not.toContain('1,000+');
  });

  it('types values: lists, numbers, booleans and typed config values', () => {
    const input = parseListRunsQuery(
      new URLSearchParams('status=completed,failed&tag=a&tags=b&minScore=0.5&config.n=10&config.m="10"&config.flag=true'),
      'p1',
    );
    expect(input).toMatchObject({ projectId: 'p1', status: ['completed', 'failed'], tags: ['b', 'a'], minScore: 0.5 });
    expect({ ...input.config }).toEqual({ n: 10, m: '10', flag: true });
    const samples = z.object({ runId: z.string(), errorsOnly: z.boolean().optional() });
    for (const [raw, value] of [['1', true], ['true', true], ['0', false], ['false', false]] as const) {
      expect(parseQuery(samples, new URLSearchParams(`errorsOnly=${raw}`), { fixed: { runId: 'r' } })).toEqual({ runId: 'r', errorsOnly: value });
    }
    expect(() => parseQuery(samples, new URLSearchParams('errorsOnly=yes'))).toThrow(ValidationError);
    // a fixed field is not a parameter
    expect(() => parseQuery(samples, new URLSearchParams('runId=x'), { fixed: { runId: 'r' } })).toThrow(/runId: is not a parameter/);
  });

  it('refuses unknown parameters by name and a number that is not one', () => {
    expect(() => parseListRunsQuery(new URLSearchParams('colour=red'), 'p1')).toThrow(/colour: is not a parameter/);
    expect(() => parseListRunsQuery(new URLSearchParams('limit=ten'), 'p1')).toThrow(/limit: must be a number/);
    expect(() => parseListRunsQuery(new URLSearchParams(''), null)).toThrow(/projectId: is required/);
  });
});
