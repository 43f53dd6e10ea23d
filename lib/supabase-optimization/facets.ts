import { parseInput } from './errors.ts';
import { CONFIG_PATH_PATTERN, projectIdSchema } from './schemas.ts';
import { inScope, type Scope } from './scope.ts';

// Counts come from the latest runs only, so the query stays cheap at 100k+ runs.
const FACET_WINDOW = 2000;
const MAX_TAGS = 200;
const MAX_OPTIMIZER_TYPES = 200;
// config keys come from fewer runs: configs are larger than tags
const CONFIG_WINDOW = 300;
const MAX_CONFIG_KEYS = 300;

export interface FacetValue {
  value: string;
  // runs carrying the value among the latest `sampledRuns` runs (0: only older runs do)
  count: number;
}

export interface RunFacets {
  optimizerTypes: FacetValue[];
  tags: FacetValue[];
  // the config paths a filter can name ("miprov2.num_candidates"), leaves only, among the latest runs
  configKeys: FacetValue[];
  sampledRuns: number;
}

// The optimizer types and tags present in a project, for filter pickers. Every optimizer
// type is listed (a skip scan over idx_optimization_runs_optimizer_type); tags and
// counts come from the latest runs. A project the caller cannot see has no facets.
export async function listRunFacets(scope: Scope, projectId: string): Promise<RunFacets> {
  const id = parseInput(projectIdSchema, projectId, 'projectId');
  return inScope(scope, async (tx) => {
    const [recent, types, configKeys] = await Promise.all([
      tx<{ kind: 'optimizer' | 'tag' | 'total'; value: string | null; n: number }[]>`
        with recent as (
          select optimizer_type, tags from optimization_runs
          where project_id = ${id}
          order by created_at desc, id desc
          limit ${FACET_WINDOW}
        )
        select 'total' as kind, null as value, count(*)::int as n from recent
        union all
        select 'optimizer', optimizer_type, count(*)::int from recent group by optimizer_type
        union all
        (select 'tag', tag, count(*)::int from recent, unnest(tags) as tag
         group by tag order by count(*) desc, tag limit ${MAX_TAGS})
      `,
      tx<{ optimizer_type: string }[]>`
        with recursive types as (
          (select optimizer_type from optimization_runs
           where project_id = ${id} order by optimizer_type limit 1)
          union all
          select (select r.optimizer_type from optimization_runs r
                  where r.project_id = ${id} and r.optimizer_type > t.optimizer_type
                  order by r.optimizer_type limit 1)
          from types t where t.optimizer_type is not null
        )
        select optimizer_type from types where optimizer_type is not null limit ${MAX_OPTIMIZER_TYPES}
      `,
      tx<{ path: string; n: number }[]>`
        with recursive recent as (
          select config from optimization_runs
          where project_id = ${id}
          order by created_at desc, id desc
          limit ${CONFIG_WINDOW}
        ), walk(path, value, depth) as (
          select e.key, e.value, 1
          from recent, jsonb_each(case when jsonb_typeof(recent.config) = 'object' then recent.config else '{}'::jsonb end) e
          union all
          select w.path || '.' || e.key, e.value, w.depth + 1
          from walk w, jsonb_each(case when jsonb_typeof(w.value) = 'object' then w.value else '{}'::jsonb end) e
          where w.depth < 8
        )
        select path, count(*)::int as n from walk
        where jsonb_typeof(value) in ('string', 'number', 'boolean', 'null')
        group by path order by count(*) desc, path limit ${MAX_CONFIG_KEYS}
      `,
    ]);
    const recentTypes = new Map<string, number>();
    const tags: FacetValue[] = [];
    let sampledRuns = 0;
    for (const row of recent) {
      if (row.kind === 'total') sampledRuns = row.n;
      else if (row.kind === 'optimizer') recentTypes.set(row.value!, row.n);
      else tags.push({ value: row.value!, count: row.n });
    }
    const optimizerTypes = types
      .map((t) => ({ value: t.optimizer_type, count: recentTypes.get(t.optimizer_type) ?? 0 }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return {
      optimizerTypes,
      tags,
      configKeys: configKeys.filter((k) => CONFIG_PATH_PATTERN.test(k.path)).map((k) => ({ value: k.path, count: k.n })),
      sampledRuns,
    };
  });
}
