import type { RunActivity, RunChange, RunNote, SavedView } from './dto-schemas.ts';
import { toDto, toDtos, type OptimizationRun } from './dto.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, parseInput } from './errors.ts';
import { assertUuid, missingRun, refusedWrite } from './runs.ts';
import {
  createSavedViewSchema,
  editRunLabelsSchema,
  markCrashedSchema,
  projectIdSchema,
  RUN_CHANGES_SHOWN,
  runNoteSchema,
  type CreateSavedViewInput,
  type EditRunLabelsInput,
  type MarkCrashedInput,
} from './schemas.ts';
import { inScope, isInsufficientPrivilege, projectAccess, projectOfRun, projectOfRuns, readInScope, runChanged, type Scope, type Tx } from './scope.ts';

// Notes, labels, stars, saved views, the audit of changes and stalled runs (issue 16).

export const DEFAULT_STALLED_MINUTES = 15;

function assertProject(projectId: string): void {
  const parsed = projectIdSchema.safeParse(projectId);
  if (!parsed.success) throw new ValidationError([{ path: 'projectId', message: parsed.error.issues[0]!.message }]);
}

export async function getRunNote(scope: Scope, runId: string): Promise<RunNote | null> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [[run], [note]] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select run_id, body, updated_by, updated_at from run_notes where project_id = ${projectId} and run_id = ${runId}
    `,
  ]);
  if (!run) throw new NotFoundError('run', runId);
  return note ? toDto<RunNote>(note) : null;
}

// Writes the run's note; an empty body removes it. The change is audited by a trigger.
export async function setRunNote(scope: Scope, runId: string, input: unknown): Promise<RunNote | null> {
  assertUuid(runId, 'runId');
  const { body } = parseInput(runNoteSchema, input);
  const projectId = await projectOfRun(scope, runId);
  return inScope(scope, async (tx) => {
    const [run] = await tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`;
    if (!run) throw new NotFoundError('run', runId);
    // asked first: a refused insert would abort the transaction before it could be explained
    if ((await projectAccess(tx, projectId)) === 'read') {
      throw new ForbiddenError(`you have read-only access to project ${projectId}`);
    }
    runChanged(tx, projectId, runId);
    if (body.trim() === '') {
      await tx`delete from run_notes where project_id = ${projectId} and run_id = ${runId}`;
      return null;
    }
    const [note] = await tx<Record<string, unknown>[]>`
      insert into run_notes (project_id, run_id, body, updated_by)
      values (${projectId}, ${runId}, ${body}, ${scope.claims.sub ?? null})
      on conflict (project_id, run_id) do update set body = excluded.body, updated_by = excluded.updated_by
      returning run_id, body, updated_by, updated_at
    `;
    return toDto<RunNote>(note!);
  });
}

// Renames a run and adds or removes tags in one statement (no lost update between two
// editors); the trigger records each change with its author.
export async function editRunLabels(scope: Scope, runId: string, input: EditRunLabelsInput): Promise<OptimizationRun> {
  assertUuid(runId, 'runId');
  const edit = parseInput(editRunLabelsSchema, input);
  const projectId = await projectOfRun(scope, runId);
  return inScope(scope, async (tx) => {
    const [current] = await tx<{ tags: string[] }[]>`
      select tags from optimization_runs where project_id = ${projectId} and id = ${runId} for update
    `;
    if (!current) throw await missingRun(tx, projectId, runId);
    const remove = new Set(edit.removeTags ?? []);
    const tags = [...new Set([...current.tags, ...(edit.addTags ?? [])])].filter((t) => !remove.has(t));
    if (tags.length > 50) throw new ValidationError([{ path: 'addTags', message: `a run carries at most 50 tags (this would make ${tags.length})` }]);
    const [row] = await tx<Record<string, unknown>[]>`
      update optimization_runs
      set tags = ${tags}::text[], run_name = coalesce(${edit.runName ?? null}, run_name)
      where project_id = ${projectId} and id = ${runId}
      returning *
    `;
    if (!row) throw await missingRun(tx, projectId, runId);
    runChanged(tx, projectId, runId);
    return toDto<OptimizationRun>(row);
  });
}

export async function listRunChanges(scope: Scope, runId: string, limit = RUN_CHANGES_SHOWN): Promise<RunChange[]> {
  assertUuid(runId, 'runId');
  const projectId = await projectOfRun(scope, runId);
  const [[run], rows] = await readInScope(scope, (tx) => [
    tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`,
    tx<Record<string, unknown>[]>`
      select c.id, c.run_id, c.field, c.old_value, c.new_value, c.changed_by, m.email as changed_by_email,
             c.api_key_id, c.changed_at
      from run_changes c
      left join lateral (select email from list_project_members(c.project_id) l where l.user_id = c.changed_by) m on true
      where c.project_id = ${projectId} and c.run_id = ${runId}
      order by c.changed_at desc, c.id desc
      limit ${Math.min(Math.max(Math.trunc(limit), 1), 500)}
    `,
  ]);
  if (!run) throw new NotFoundError('run', runId);
  return toDtos<RunChange>(rows).map((c) => ({ ...c, id: Number(c.id) }));
}

// Stars are the signed-in user's own; an API key has no user to star for.
function starUser(scope: Scope): string {
  if (!scope.claims.sub) throw new ValidationError([{ path: 'user', message: 'stars belong to a signed-in user, not to an API key' }]);
  return scope.claims.sub;
}

export async function setRunStar(scope: Scope, runId: string, starred: boolean): Promise<{ runId: string; starred: boolean }> {
  assertUuid(runId, 'runId');
  const user = starUser(scope);
  const projectId = await projectOfRun(scope, runId);
  return inScope(scope, async (tx) => {
    const [run] = await tx`select 1 from optimization_runs where project_id = ${projectId} and id = ${runId}`;
    if (!run) throw new NotFoundError('run', runId);
    runChanged(tx, projectId, runId);
    if (starred) {
      await tx`
        insert into run_stars (project_id, run_id, user_id) values (${projectId}, ${runId}, ${user})
        on conflict do nothing
      `;
    } else {
      await tx`delete from run_stars where project_id = ${projectId} and run_id = ${runId} and user_id = ${user}`;
    }
    return { runId, starred };
  });
}

// The caller's starred runs in a project, newest star first.
export async function listStarredRuns(scope: Scope, projectId: string): Promise<Array<{ runId: string; runName: string }>> {
  assertProject(projectId);
  if (!scope.claims.sub) return [];
  const [rows] = await readInScope(scope, (tx) => [
    tx<{ run_id: string; run_name: string }[]>`
      select s.run_id, r.run_name
      from run_stars s join optimization_runs r on r.id = s.run_id and r.project_id = s.project_id
      where s.project_id = ${projectId} and s.user_id = ${scope.claims.sub!}
      order by s.created_at desc
      limit 200
    `,
  ]);
  return rows.map((r) => ({ runId: r.run_id, runName: r.run_name }));
}

export async function listSavedViews(scope: Scope, projectId: string): Promise<SavedView[]> {
  assertProject(projectId);
  const [rows] = await readInScope(scope, (tx) => [
    tx<Record<string, unknown>[]>`select * from saved_views where project_id = ${projectId} order by name`,
  ]);
  return toDtos<SavedView>(rows);
}

export async function createSavedView(scope: Scope, input: CreateSavedViewInput): Promise<SavedView> {
  const view = parseInput(createSavedViewSchema, input);
  try {
    return await inScope(scope, async (tx) => {
      const [row] = await tx<Record<string, unknown>[]>`
        insert into saved_views (project_id, name, definition, created_by)
        values (${view.projectId}, ${view.name.trim()}, ${tx.json(view.definition as never)}, ${scope.claims.sub ?? null})
        on conflict (project_id, name) do nothing
        returning *
      `;
      if (!row) throw new ConflictError(`a view named "${view.name.trim()}" already exists in this project`, { name: view.name.trim() });
      return toDto<SavedView>(row);
    });
  } catch (error) {
    if (isInsufficientPrivilege(error)) throw await refusedWrite(scope, view.projectId);
    throw error;
  }
}

export async function deleteSavedView(scope: Scope, projectId: string, viewId: string): Promise<void> {
  assertProject(projectId);
  assertUuid(viewId, 'viewId');
  await inScope(scope, async (tx) => {
    const deleted = await tx`delete from saved_views where project_id = ${projectId} and id = ${viewId} returning id`;
    if (deleted.length > 0) return;
    const [visible] = await tx`select 1 from saved_views where project_id = ${projectId} and id = ${viewId}`;
    if (!visible) throw new NotFoundError('saved view', viewId);
    throw new ForbiddenError(`you have read-only access to project ${projectId}`);
  });
}

// The last write of a run: its own row or any of its iterations (a rename counts too: it
// is a write to the run).
function activityQuery(tx: Tx, projectId: string, runIds: string[], minutes: number) {
  return tx<{ run_id: string; last_write_at: string; stalled: boolean }[]>`
    select r.id as run_id, w.at as last_write_at,
           r.status = 'running' and w.at < now() - make_interval(mins => ${minutes}) as stalled
    from optimization_runs r
    cross join lateral (
      select greatest(r.updated_at, (
        select max(i.updated_at) from optimization_iterations i where i.project_id = ${projectId} and i.run_id = r.id
      )) as at
    ) w
    where r.project_id = ${projectId} and r.id = any(${runIds}::uuid[])
  `;
}

// When each run last received a write, and whether a running one is stalled (no write for
// `stalledAfterMinutes`, lib/config's STALLED_RUN_MINUTES).
export async function getRunActivity(
  scope: Scope,
  runIds: string[],
  stalledAfterMinutes = DEFAULT_STALLED_MINUTES,
): Promise<Map<string, RunActivity>> {
  runIds.forEach((id) => assertUuid(id, 'runIds'));
  const out = new Map<string, RunActivity>();
  if (runIds.length === 0) return out;
  const projectId = await projectOfRuns(scope, runIds);
  if (projectId === null) return out;
  const [rows] = await readInScope(scope, (tx) => [activityQuery(tx, projectId, runIds, stalledAfterMinutes)]);
  for (const row of toDtos<RunActivity>(rows)) out.set(row.runId, row);
  return out;
}

// A crashed run is a stalled running run the caller gives up on: it becomes `failed`
// (a finished status every list, count and leaderboard already knows) with an error
// message saying it crashed and since when nothing was written. Only a stalled run can be
// marked: a run that is still writing, or already finished, is a 409.
export async function markRunCrashed(
  scope: Scope,
  runId: string,
  input: MarkCrashedInput = {},
  stalledAfterMinutes = DEFAULT_STALLED_MINUTES,
): Promise<OptimizationRun> {
  assertUuid(runId, 'runId');
  const { reason } = parseInput(markCrashedSchema, input);
  const projectId = await projectOfRun(scope, runId);
  return inScope(scope, async (tx) => {
    const [run] = await tx<{ status: string }[]>`
      select status from optimization_runs where project_id = ${projectId} and id = ${runId} for update
    `;
    if (!run) throw await missingRun(tx, projectId, runId);
    const [activity] = await activityQuery(tx, projectId, [runId], stalledAfterMinutes);
    if (run.status !== 'running' || !activity?.stalled) {
      throw new ConflictError(
        run.status !== 'running'
          ? `only a running run can be marked crashed (this one is ${run.status})`
          : `the run wrote ${new Date(activity!.last_write_at).toISOString()}, less than ${stalledAfterMinutes} minutes ago: it is not stalled`,
        { status: run.status, lastWriteAt: activity?.last_write_at ?? null },
      );
    }
    const since = new Date(activity.last_write_at).toISOString();
    const message = `Crashed: no write since ${since}${reason ? ` (${reason})` : ''}`;
    const [row] = await tx<Record<string, unknown>[]>`
      update optimization_runs set status = 'failed', ended_at = now(), error_message = ${message}
      where project_id = ${projectId} and id = ${runId}
      returning *
    `;
    if (!row) throw await missingRun(tx, projectId, runId);
    runChanged(tx, projectId, runId);
    return toDto<OptimizationRun>(row);
  });
}
