import { randomUUID } from 'node:crypto';
import type { Sql } from '../../lib/db/client.ts';
import type { JsonObject, JsonValue, ListRunsInput } from '../../lib/supabase-optimization/index.ts';

// Runs inserted with the superuser connection in one statement, and an independent
// model of what listOptimizationRuns must return for them. Scores and costs are kept
// as integers (1/10000 and 1/1000000) so ties compare exactly in JS.
export interface RunFixture {
  id: string;
  projectId: string;
  runName: string;
  status: string;
  optimizerType: string;
  tags: string[];
  config: JsonObject;
  createdAt: number;
  initial: number | null;
  final: number | null;
  durationMs: number | null;
  costMicros: number;
}

export async function insertRuns(sql: Sql, runs: RunFixture[]): Promise<void> {
  const rows = runs.map((r) => {
    const started = r.durationMs === null ? null : r.createdAt + 1000;
    return {
      id: r.id,
      project_id: r.projectId,
      run_name: r.runName,
      status: r.status,
      optimizer_type: r.optimizerType,
      tags: r.tags,
      config: r.config,
      created_at: new Date(r.createdAt).toISOString(),
      initial_score: r.initial === null ? null : r.initial / 10_000,
      final_score: r.final === null ? null : r.final / 10_000,
      started_at: started === null ? null : new Date(started).toISOString(),
      ended_at: started === null ? null : new Date(started + r.durationMs!).toISOString(),
      total_cost_usd: r.costMicros / 1_000_000,
    };
  });
  await sql`
    insert into optimization_runs (id, project_id, run_name, status, optimizer_type, tags, config,
      created_at, initial_score, final_score, started_at, ended_at, total_cost_usd)
    select id, project_id, run_name, status, optimizer_type, tags, config, created_at,
           initial_score, final_score, started_at, ended_at, total_cost_usd
    from jsonb_to_recordset(${sql.json(rows as never)}) as x(
      id uuid, project_id text, run_name text, status text, optimizer_type text, tags text[],
      config jsonb, created_at timestamptz, initial_score numeric, final_score numeric,
      started_at timestamptz, ended_at timestamptz, total_cost_usd numeric)
  `;
}

export const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const OPTIMIZERS = ['miprov2', 'copro', 'gepa', 'bootstrap_fewshot'] as const;
const NAMES = ['Alpha', 'beta_test', 'betaXtest', 'GAMMA', 'delta 100% done', 'path\\to', 'Epsilon'];
const FINALS = [9234, 8000, 8000, 5000, 10_000, 0, 7500, 9234];
const COSTS = [0, 1_500_000, 123_456, 10_000_000, 1_500_000];
export const BASE_TIME = Date.parse('2026-03-01T00:00:00.000Z');

// Varied runs: ties and NULLs in every sort column, overlapping tags and configs whose
// values differ only in type (10 and "10", true and "true").
export function makeRuns(projectId: string, n: number): RunFixture[] {
  return Array.from({ length: n }, (_, i) => {
    const slot = i - (i % 3 === 1 ? 1 : 0); // every third run shares created_at with the previous one
    const tags = [
      ...(i & 1 ? ['production'] : []),
      ...(i & 2 ? ['v2'] : []),
      ...(i & 4 ? ['experiment-1'] : []),
      ...(i % 3 === 0 ? ['nightly'] : []),
    ];
    const config: JsonObject =
      i % 13 === 12
        ? {}
        : {
            model: ['gpt-4', 'gpt-4o', 'claude-3'][i % 3]!,
            miprov2: { num_candidates: [10, '10', 5][(i >> 1) % 3]!, init_temperature: 1 },
            flags: { fast: [true, false, 'true'][(i >> 2) % 3]! },
          };
    return {
      id: randomUUID(),
      projectId,
      runName: `${NAMES[i % NAMES.length]} #${i}`,
      status: STATUSES[i % 5]!,
      optimizerType: OPTIMIZERS[i % 4]!,
      tags,
      config,
      createdAt: BASE_TIME + slot * 60_000 + (slot % 7),
      initial: i % 9 === 0 ? null : (i * 37) % 5000,
      final: i % 7 === 3 ? null : FINALS[(i * 3) % 8]!,
      durationMs: i % 4 === 2 ? null : (i % 5) * 1000 + (i % 3) * 250,
      costMicros: COSTS[(i * 3) % 5]!,
    };
  });
}

type OrderBy = NonNullable<ListRunsInput['orderBy']>;

export function sortValue(run: RunFixture, orderBy: OrderBy): number | string | JsonValue | null {
  switch (orderBy) {
    case 'created_at':
      return run.createdAt;
    case 'final_score':
      return run.final;
    case 'improvement':
      return run.final === null || run.initial === null ? null : run.final - run.initial;
    case 'duration_ms':
      return run.durationMs;
    case 'total_cost_usd':
      return run.costMicros;
    case 'run_name':
      return run.runName;
    case 'status':
      return run.status;
    case 'optimizer_type':
      return run.optimizerType;
    default: {
      // config.<path>: the value at the path, NULL when a key is missing
      let node: JsonValue | undefined = run.config;
      for (const key of orderBy.slice('config.'.length).split('.')) {
        node = node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, key) ? node[key] : undefined;
      }
      return node === undefined ? null : node;
    }
  }
}

// jsonb's order of scalars: null < strings < numbers < booleans
const JSONB_RANK = { object: 0, string: 1, number: 2, boolean: 3 } as const;

function compareValues(a: number | string | JsonValue, b: number | string | JsonValue): number {
  if (typeof a !== typeof b) return JSONB_RANK[typeof a as keyof typeof JSONB_RANK] - JSONB_RANK[typeof b as keyof typeof JSONB_RANK];
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'boolean') return Number(a) - Number(b);
  // byte order, as the database sorts text (collate "C")
  const ba = Buffer.from(String(a));
  const bb = Buffer.from(String(b));
  return Buffer.compare(ba, bb);
}

// NULLs last in both directions; ties broken by id in the same direction.
export function sortRuns(runs: RunFixture[], orderBy: OrderBy = 'created_at', direction: 'asc' | 'desc' = 'desc'): RunFixture[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, orderBy);
    const vb = sortValue(b, orderBy);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    if (va !== null && vb !== null && compareValues(va, vb) !== 0) return compareValues(va, vb) * sign;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
  });
}

function contains(value: unknown, pattern: unknown): boolean {
  if (pattern !== null && typeof pattern === 'object') {
    if (value === null || typeof value !== 'object') return false;
    return Object.entries(pattern).every(([k, p]) => k in value && contains((value as Record<string, unknown>)[k], p));
  }
  return value === pattern;
}

function configMatches(config: JsonObject, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([path, expected]) => {
    let node: unknown = config;
    for (const key of path.split('.')) {
      if (node === null || typeof node !== 'object' || !(key in node)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return contains(node, expected);
  });
}

const toUnits = (score: number) => Math.round(score * 10_000);
const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

export function filterRuns(runs: RunFixture[], f: Omit<ListRunsInput, 'projectId'> & { projectId: string }): RunFixture[] {
  const statuses = asList(f.status);
  const optimizers = asList(f.optimizerType);
  return runs.filter(
    (r) =>
      r.projectId === f.projectId &&
      (!statuses || statuses.includes(r.status as never)) &&
      (!optimizers || optimizers.includes(r.optimizerType)) &&
      (!f.tags || f.tags.every((t) => r.tags.includes(t))) &&
      (!f.config || configMatches(r.config, f.config)) &&
      (f.minScore === undefined || (r.final !== null && r.final >= toUnits(f.minScore))) &&
      (f.maxScore === undefined || (r.final !== null && r.final <= toUnits(f.maxScore))) &&
      (!f.search || r.runName.toLowerCase().includes(f.search.trim().toLowerCase())) &&
      (!f.createdAfter || r.createdAt >= Date.parse(f.createdAfter)) &&
      (!f.createdBefore || r.createdAt < Date.parse(f.createdBefore)),
  );
}

export function expectedIds(runs: RunFixture[], f: ListRunsInput): string[] {
  return sortRuns(filterRuns(runs, f), f.orderBy, f.orderDirection).map((r) => r.id);
}
