import type { UpsertCounts } from './dto-schemas.ts';
import { ValidationError } from './errors.ts';
import { missingRun } from './runs.ts';
import { runChanged, type Tx } from './scope.ts';

// Field-by-field upserts of a run's child rows (iterations, candidates, candidate pools,
// Pareto snapshots, proposals): a field absent from an item keeps the stored value, null
// clears it, and a new row takes the column's default for what it lacks.

export interface FieldColumn {
  field: string; // the API's camelCase name
  column: string;
  type: string; // as jsonb_to_recordset reads it
  insertDefault?: string; // SQL for a new row without the field (null otherwise)
}

export interface ChildTable {
  table: string;
  keys: FieldColumn[]; // with project_id and run_id, the primary key
  fields: FieldColumn[];
}

export type { UpsertCounts };

type ColumnSpec = string | { type: string; column?: string; insertDefault?: string };

// A table's fields by their API names, each with its type (as jsonb_to_recordset reads it);
// the column is the snake_case name unless it is given.
export function columns(specs: Record<string, ColumnSpec>): FieldColumn[] {
  return Object.entries(specs).map(([field, spec]) => {
    const { type, column, insertDefault } = typeof spec === 'string' ? { type: spec } : spec;
    return { field, column: column ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), type, ...(insertDefault ? { insertDefault } : {}) };
  });
}

// Items of one batch name distinct keys: a repeated key is the client's mistake.
export function assertDistinctKeys<T extends Record<string, unknown>>(items: T[], keys: (keyof T & string)[], what: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = JSON.stringify(keys.map((k) => item[k]));
    if (seen.has(key)) {
      const path = keys.length === 1 ? `${i}.${keys[0]}` : String(i);
      throw new ValidationError([{ path, message: `${what} ${keys.map((k) => item[k]).join('/')} appears twice in the batch` }]);
    }
    seen.add(key);
  });
}

// Locks the run (so writers of its rows take turns, in the order the triggers lock too)
// of the project; a run the caller cannot write is not found or forbidden. Every writer of
// a run's rows comes here, so here the run is noted as changed (live updates).
export async function lockRunForWrite(tx: Tx, projectId: string, runId: string): Promise<void> {
  const [run] = await tx`
    select 1 from optimization_runs where project_id = ${projectId} and id = ${runId} for no key update
  `;
  if (!run) throw await missingRun(tx, projectId, runId);
  runChanged(tx, projectId, runId);
}

// Updates the rows whose keys exist, inserts the others; one statement. `afterInsert` is a
// further CTE that may read `inserted` (every column of the new rows). The caller holds
// the run's lock (lockRunForWrite), so no other writer inserts the same keys meanwhile.
export async function upsertChildRows(
  tx: Tx,
  spec: ChildTable,
  runId: string,
  projectId: string,
  items: Record<string, unknown>[],
  afterInsert?: string,
): Promise<UpsertCounts> {
  const all = [...spec.keys, ...spec.fields];
  const records = items.map((item) => {
    const record: Record<string, unknown> = { set_fields: [] as string[] };
    for (const c of all) {
      const value = item[c.field];
      if (value === undefined) continue;
      record[c.column] = value;
      if (spec.fields.includes(c)) (record.set_fields as string[]).push(c.column);
    }
    return record;
  });
  const given = (c: FieldColumn) => `'${c.column}' = any (x.set_fields)`;
  const keyMatch = spec.keys.map((k) => `t.${k.column} = x.${k.column}`).join(' and ');
  const text = `
    with input as (
      select * from jsonb_to_recordset($1::jsonb) as x(
        ${all.map((c) => `${c.column} ${c.type}`).join(', ')}, set_fields text[]
      )
    ), updated as (
      update public.${spec.table} t set
        ${spec.fields.map((c) => `${c.column} = case when ${given(c)} then x.${c.column} else t.${c.column} end`).join(',\n        ')}
      from input x
      where t.project_id = $3 and t.run_id = $2 and ${keyMatch}
      returning 1
    ), inserted as (
      insert into public.${spec.table} (project_id, run_id, ${all.map((c) => c.column).join(', ')})
      select $3, $2, ${spec.keys.map((k) => `x.${k.column}`).join(', ')},
             ${spec.fields.map((c) => `case when ${given(c)} then x.${c.column} else ${c.insertDefault ?? 'null'} end`).join(',\n             ')}
      from input x
      where not exists (select 1 from public.${spec.table} t where t.project_id = $3 and t.run_id = $2 and ${keyMatch})
      order by ${spec.keys.map((k) => `x.${k.column}`).join(', ')}
      returning *
    )${afterInsert ? `, after_insert as (${afterInsert})` : ''}
    select (select count(*) from inserted)::int as inserted, (select count(*) from updated)::int as updated
  `;
  const [row] = await tx.unsafe<UpsertCounts[]>(text, [records as never, runId, projectId]);
  return { inserted: row!.inserted, updated: row!.updated };
}
