import { createHash } from 'node:crypto';
import type { Fragment } from 'postgres';
import { getDatabaseSettings } from '../config/index.ts';
import type { z } from 'zod';
import { stableStringify } from '../json-flatten.ts';
import { toDto, valuesPage, type OptimizationRun, type RunPage, type RunStatus } from './dto.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, parseInput } from './errors.ts';
import {
  createRunSchema,
  FINISHED_STATUSES,
  FORBIDDEN_KEY,
  listRunsSchema,
  updateRunSchema,
  type CreateRunInput,
  type JsonObject,
  type ListRunsFilters,
  type ListRunsInput,
  type UpdateRunInput,
} from './schemas.ts';
import { inProject, inScope, isInsufficientPrivilege, projectAccess, projectOfRun, readInScope, runChanged, type Scope, type Tx } from './scope.ts';

// the largest cap total_optimization_runs takes: its counts path is then never capped
const UNCAPPED = 2_147_483_646;

const finished = new Set<string>(FINISHED_STATUSES);

export function isStatusTransitionAllowed(from: RunStatus, to: RunStatus): boolean {
  if (from === to) return true;
  if (finished.has(from)) return false;
  if (from === 'running') return to !== 'pending';
  return true;
}

// One digest per field of a create's body (null and absent alike), so a retry can be
// compared with the create that made the run however the run changed since.
function createDigest(run: Record<string, unknown>): Record<string, string> {
  const digest: Record<string, string> = {};
  for (const [field, value] of Object.entries(run)) {
    if (field === 'id' || value === undefined || value === null) continue;
    digest[field] = createHash('sha256').update(stableStringify(value, 0)).digest('base64url').slice(0, 22);
  }
  return digest;
}

function differingFields(stored: Record<string, string>, retry: Record<string, string>): string[] {
  const fields = new Set([...Object.keys(stored), ...Object.keys(retry)]);
  return [...fields].filter((field) => stored[field] !== retry[field]).sort();
}

// Creates a run. With a client-chosen id a retried create returns the run it created
// the first time instead of failing or duplicating it; a retry whose body differs is a 409.
export async function createOptimizationRun(scope: Scope, input: CreateRunInput): Promise<OptimizationRun> {
  const run = parseInput(createRunSchema, input);
  try {
    return await inScope(scope, (tx) => insertRunInTx(tx, run, scope.claims.sub ?? null));
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await refusedWrite(scope, run.projectId);
    throw error;
  }
}

// createOptimizationRun's write inside the caller's transaction (the demo seeder replays
// recorded API writes with it).
export async function insertRunInTx(tx: Tx, run: z.output<typeof createRunSchema>, createdBy: string | null): Promise<OptimizationRun> {
  const status = run.status ?? 'pending';
  const now = new Date().toISOString();
  const startedAt = run.startedAt ?? (status !== 'pending' ? now : null);
  const endedAt = run.endedAt ?? (finished.has(status) ? now : null);
  const digest = createDigest(run);
  const [created] = await tx<Record<string, unknown>[]>`
    insert into optimization_runs (
      id, project_id, run_name, description, optimizer_type, status, config, metadata, tags,
      started_at, ended_at, initial_score, final_score, best_score,
      samples_evaluated, samples_successful, samples_failed, error_message, created_by, create_digest
    ) values (
      coalesce(${run.id ?? null}::uuid, gen_random_uuid()), ${run.projectId}, ${run.runName},
      ${run.description ?? null}, ${run.optimizerType}, ${status},
      ${tx.json(run.config ?? {})}, ${tx.json(run.metadata ?? {})}, ${run.tags ?? []}::text[],
      ${startedAt}, ${endedAt}, ${run.initialScore ?? null}, ${run.finalScore ?? null},
      ${run.bestScore ?? null}, ${run.samplesEvaluated ?? 0}, ${run.samplesSuccessful ?? 0},
      ${run.samplesFailed ?? 0}, ${run.errorMessage ?? null}, ${createdBy}, ${tx.json(digest)}
    )
    -- no conflict target: a concurrent retry can collide on the (id, project_id) key first
    on conflict do nothing
    returning *
  `;
  if (created) {
    runChanged(tx, String(created.project_id), String(created.id), 'insert');
    return toDto<OptimizationRun>(created);
  }
  const [existing] = await tx<Record<string, unknown>[]>`
    select * from optimization_runs where project_id = ${run.projectId} and id = ${run.id!}
  `;
  if (existing) {
    const stored = existing.create_digest as Record<string, string> | null;
    const fields = stored ? differingFields(stored, digest) : [];
    if (fields.length) {
      throw new ConflictError(
        `run ${run.id} was created with a different ${fields.join(', ')}: a retry must send the same body, or use a new id`,
        { fields },
      );
    }
    return toDto<OptimizationRun>(existing);
  }
  throw new ConflictError(`run id ${run.id} is already in use`);
}

export async function getOptimizationRun(scope: Scope, id: string): Promise<OptimizationRun> {
  assertUuid(id, 'id');
  const projectId = await projectOfRun(scope, id);
  const [[row]] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`select * from optimization_runs where project_id = ${projectId} and id = ${id}`,
  ]);
  if (!row) throw new NotFoundError('run', id);
  return toDto<OptimizationRun>(row);
}

// A run under a project's URL: a run of another project is as unknown as another tenant's.
export async function getProjectRun(scope: Scope, projectId: string, runId: string): Promise<OptimizationRun> {
  const run = await getOptimizationRun(inProject(scope, projectId), runId);
  if (run.projectId !== projectId) throw new NotFoundError('run', runId);
  return run;
}

// Updates a run. Status moves only forward: a finished run stays finished; finishing
// sets ended_at (now, unless given), starting sets started_at.
export async function updateOptimizationRun(
  scope: Scope,
  id: string,
  input: UpdateRunInput,
): Promise<OptimizationRun> {
  assertUuid(id, 'id');
  const patch = parseInput(updateRunSchema, input);
  const projectId = await projectOfRun(scope, id);
  return inScope(scope, (tx) => updateRunInTx(tx, projectId, id, patch));
}

// updateOptimizationRun's write inside the caller's transaction.
export async function updateRunInTx(
  tx: Tx,
  projectId: string,
  id: string,
  patch: z.output<typeof updateRunSchema>,
): Promise<OptimizationRun> {
  const [current] = await tx<{ status: RunStatus; started_at: string | null }[]>`
    select status, started_at from optimization_runs where project_id = ${projectId} and id = ${id} for update
  `;
  if (!current) throw await missingRun(tx, projectId, id);
  const columns: Record<string, unknown> = {};
  const set = (column: string, value: unknown) => {
    if (value !== undefined) columns[column] = value;
  };
  set('run_name', patch.runName);
  set('description', patch.description);
  set('config', patch.config && tx.json(patch.config));
  set('metadata', patch.metadata && tx.json(patch.metadata));
  set('tags', patch.tags);
  set('started_at', patch.startedAt);
  set('ended_at', patch.endedAt);
  set('initial_score', patch.initialScore);
  set('final_score', patch.finalScore);
  set('best_score', patch.bestScore);
  set('iterations', patch.iterations);
  set('samples_evaluated', patch.samplesEvaluated);
  set('samples_successful', patch.samplesSuccessful);
  set('samples_failed', patch.samplesFailed);
  set('total_tokens', patch.totalTokens);
  set('total_cost_usd', patch.totalCostUsd);
  set('avg_latency_ms', patch.avgLatencyMs);
  set('error_message', patch.errorMessage);
  if (patch.status && patch.status !== current.status) {
    if (!isStatusTransitionAllowed(current.status, patch.status)) {
      throw new ConflictError(`a ${current.status} run cannot become ${patch.status}`, {
        from: current.status,
        to: patch.status,
      });
    }
    columns.status = patch.status;
    const now = new Date().toISOString();
    if (patch.status === 'running' && !current.started_at && patch.startedAt === undefined) columns.started_at = now;
    if (finished.has(patch.status) && patch.endedAt === undefined) columns.ended_at = now;
  }
  const names = Object.keys(columns);
  if (names.length === 0) {
    const [row] = await tx<Record<string, unknown>[]>`select * from optimization_runs where project_id = ${projectId} and id = ${id}`;
    return toDto<OptimizationRun>(row!);
  }
  const [row] = await tx<Record<string, unknown>[]>`
    update optimization_runs set ${tx(columns as Record<string, never>, names)}
    where project_id = ${projectId} and id = ${id} returning *
  `;
  runChanged(tx, projectId, id);
  return toDto<OptimizationRun>(row!);
}

export async function deleteOptimizationRun(scope: Scope, id: string): Promise<void> {
  assertUuid(id, 'id');
  const projectId = await projectOfRun(scope, id);
  await inScope(scope, async (tx) => {
    const deleted = await tx`delete from optimization_runs where project_id = ${projectId} and id = ${id} returning id`;
    if (deleted.length === 0) throw await missingRun(tx, projectId, id);
    runChanged(tx, projectId, id, 'delete');
  });
}

interface CursorPayload {
  o: string;
  d: 'asc' | 'desc';
  v: string | null;
  id: string;
}

function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

function decodeCursor(cursor: string, filters: ListRunsFilters): CursorPayload {
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
    if (
      payload.o === filters.orderBy &&
      payload.d === filters.orderDirection &&
      (payload.v === null || typeof payload.v === 'string') &&
      /^[0-9a-f-]{36}$/.test(payload.id)
    ) {
      return payload;
    }
  } catch {
    // fall through
  }
  throw new ValidationError([
    { path: 'cursor', message: 'is not a cursor of this listing (it must come from nextCursor with the same ordering)' },
  ]);
}

// Turns {"model": "gpt-4", "miprov2.num_candidates": 10} into the nested object that
// config @> ... matches (served by the jsonb_path_ops GIN index). Nodes have no prototype,
// so a path segment such as "constructor" is an ordinary key and nothing is inherited.
export function configContainment(filter: Record<string, unknown>): JsonObject {
  const root: JsonObject = Object.create(null);
  for (const [path, value] of Object.entries(filter)) {
    const keys = path.split('.');
    if (keys.includes(FORBIDDEN_KEY)) throw new ValidationError([{ path: `config.${path}`, message: `"${FORBIDDEN_KEY}" is not accepted in a config path` }]);
    let node: JsonObject = root;
    keys.forEach((key, i) => {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      if (i === keys.length - 1) {
        if (next !== undefined) throw new ValidationError([{ path: `config.${path}`, message: 'conflicts with another config filter' }]);
        node[key] = value as JsonObject[string];
        return;
      }
      if (next === undefined) node = node[key] = Object.create(null) as JsonObject;
      else if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next;
      else throw new ValidationError([{ path: `config.${path}`, message: 'conflicts with another config filter' }]);
    });
  }
  return root;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// The filters of a listing as search_optimization_runs and total_optimization_runs take them
// (also the runs an analysis chart covers).
export function runSearchFilters(filters: ListRunsFilters): Record<string, unknown> {
  const config = filters.config ? configContainment(filters.config) : null;
  // The search runs in search_optimization_runs (SECURITY DEFINER: it checks the caller's
  // access, then can use the GIN indexes that RLS would rule out); the rows are read back
  // through RLS.
  const search: Record<string, unknown> = {
    projectId: filters.projectId,
    orderBy: filters.orderBy,
    orderDirection: filters.orderDirection,
  };
  if (filters.status) search.status = filters.status;
  if (filters.optimizerType) search.optimizerType = filters.optimizerType;
  if (filters.tags?.length) search.tags = filters.tags;
  if (config) search.config = config;
  if (filters.minScore !== undefined) search.minScore = filters.minScore;
  if (filters.maxScore !== undefined) search.maxScore = filters.maxScore;
  if (filters.search?.trim()) search.search = `%${escapeLike(filters.search.trim())}%`;
  if (filters.createdAfter) search.createdAfter = filters.createdAfter;
  if (filters.createdBefore) search.createdBefore = filters.createdBefore;
  return search;
}

const DIRECT_ORDERS = ['created_at', 'final_score', 'improvement', 'duration_ms', 'total_cost_usd'] as const;

// Lists runs with every dashboard filter; keyset cursor paging, ordering by a run column
// or a config value either way (NULLs last, id as the tie-breaker).
export async function listOptimizationRuns(scope: Scope, input: ListRunsInput): Promise<RunPage> {
  const filters = parseInput(listRunsSchema, input);
  const cursor = filters.cursor ? decodeCursor(filters.cursor, filters) : null;
  const search = runSearchFilters(filters);
  if (cursor) {
    search.cursorValue = cursor.v;
    search.cursorId = cursor.id;
  }
  // Without tag, config or name filters every condition can use its index under RLS, so
  // the page is read directly (a prepared statement, no per-call planning); the search
  // function is for what RLS keeps off the indexes: tag and config filters (GIN), and a
  // cursor with a numeric value (its comparison must bound the index scan).
  const numericCursor = cursor !== null && filters.orderBy !== 'created_at' && cursor.v !== null;
  // text and config orders have no direct plan: they are read by the search function only
  const directOrder = (DIRECT_ORDERS as readonly string[]).includes(filters.orderBy);
  const direct = directOrder && !search.tags && !search.config && !search.search && !numericCursor;
  const fromCounts =
    !search.tags && !search.config && !search.search && filters.minScore === undefined && filters.maxScore === undefined &&
    !filters.createdAfter && !filters.createdBefore;
  // counts kept by triggers are exact for free; other filters count matches up to the cap
  const cap = getDatabaseSettings().runCountCap;
  const [rows, counted] = await readInScope(scope, (tx) => [
    direct
      ? directPage(tx, filters, cursor)
      : tx<Record<string, unknown>[]>`
          select r.*, s.sort_value
          from search_optimization_runs(${tx.json(search as never)}, ${filters.limit + 1}, ${filters.offset ?? 0})
            with ordinality as s(id, sort_value, ord)
          join optimization_runs r on r.project_id = ${filters.projectId} and r.id = s.id
          order by s.ord
        `.values(),
    tx<{ n: number }[]>`select total_optimization_runs(${tx.json(search as never)}, ${fromCounts ? UNCAPPED : cap}) as n`,
  ]);
  const { data, next } = valuesPage<OptimizationRun>(rows, filters.limit, 'sort_value');
  const nextCursor = next
    ? encodeCursor({
        o: filters.orderBy,
        d: filters.orderDirection,
        v: (next('sort_value') as string | null) ?? null,
        id: next('id') as string,
      })
    : null;
  const n = counted[0]?.n ?? 0;
  return {
    data,
    nextCursor,
    total: fromCounts ? n : Math.min(n, cap),
    totalIsExact: fromCounts || n <= cap,
  };
}

// One page of runs read under the caller's RLS, in the order and after the cursor that
// search_optimization_runs uses (private.run_search_where): filters without tags, config
// or a name search, and no cursor with a numeric value.
function directPage(tx: Tx, filters: ListRunsFilters, cursor: CursorPayload | null) {
  const conditions: Fragment[] = [tx`project_id = ${filters.projectId}`];
  if (filters.status) {
    conditions.push(filters.status.length === 1 ? tx`status = ${filters.status[0]!}` : tx`status = any(${filters.status}::text[])`);
  }
  if (filters.optimizerType) {
    conditions.push(
      filters.optimizerType.length === 1
        ? tx`optimizer_type = ${filters.optimizerType[0]!}`
        : tx`optimizer_type = any(${filters.optimizerType}::text[])`,
    );
  }
  if (filters.minScore !== undefined) conditions.push(tx`final_score >= ${filters.minScore}::numeric`);
  if (filters.maxScore !== undefined) conditions.push(tx`final_score <= ${filters.maxScore}::numeric`);
  if (filters.createdAfter) conditions.push(tx`created_at >= ${filters.createdAfter}::timestamptz`);
  if (filters.createdBefore) conditions.push(tx`created_at < ${filters.createdBefore}::timestamptz`);
  const column = tx(filters.orderBy);
  const desc = filters.orderDirection === 'desc';
  const notNull = filters.orderBy === 'created_at';
  if (cursor) {
    // via text: a parameter typed timestamptz would pass through a JS Date and lose microseconds
    const cmp = desc ? tx`<` : tx`>`;
    if (notNull) conditions.push(tx`(${column}, id) ${cmp} (${cursor.v}::text::timestamptz, ${cursor.id}::uuid)`);
    else if (cursor.v === null) conditions.push(tx`${column} is null and id ${cmp} ${cursor.id}::uuid`);
    else throw new Error('directPage: a cursor with a numeric value is read by search_optimization_runs');
  }
  const where = conditions.reduce((acc, c) => tx`${acc} and ${c}`);
  const order = notNull
    ? desc ? tx`${column} desc, id desc` : tx`${column} asc, id asc`
    : desc ? tx`${column} desc nulls last, id desc` : tx`${column} asc nulls last, id asc`;
  return tx<Record<string, unknown>[]>`
    select *, ${column}::text as sort_value
    from optimization_runs
    where ${where}
    order by ${order}
    limit ${filters.limit + 1}
    ${filters.offset ? tx`offset ${filters.offset}` : tx``}
  `.values();
}

export function assertUuid(value: string, field: string): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new ValidationError([{ path: field, message: 'must be a UUID' }]);
  }
}

// The run is invisible (not found) or visible but read-only for the caller (forbidden).
export async function missingRun(tx: Tx, projectId: string, id: string): Promise<Error> {
  const [row] = await tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${id}`;
  if (!row) return new NotFoundError('run', id);
  return new ForbiddenError(`you have read-only access to project ${projectId}`);
}

// A write was refused by RLS: a project the caller cannot see is "not found".
export async function refusedWrite(scope: Scope, projectId: string): Promise<Error> {
  const access = await inScope(scope, (tx) => projectAccess(tx, projectId));
  if (access === 'none') return new NotFoundError('project', projectId);
  return new ForbiddenError(`you have read-only access to project ${projectId}`);
}
