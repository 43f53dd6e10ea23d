import { isEmbeddedDatabase, type Sql } from '../db/index.ts';

// What a listener is told: a run of a project changed (its row, or anything it owns).
export interface RunChange {
  projectId: string;
  runId: string;
  op: 'insert' | 'update' | 'delete';
}

export const CHANNEL = 'optiscope_run_changes';

// The payload on the channel (snake_case ids, as the old trigger sent them, so processes of
// two versions behind one load balancer still understand each other).
export function encodeRunChange(change: RunChange): string {
  return JSON.stringify({ project_id: change.projectId, run_id: change.runId, op: change.op });
}

let failing = false;

// Announces committed changes to every server process's listener (lib/live/hub.ts): one
// statement, outside the transaction that made them (a NOTIFY inside it breaks a Citus
// transaction that touches two shards, and would fire on workers where nobody listens).
// Fire and forget: the write has succeeded already; a failure is logged once until the
// next success, with the error's code and message only.
export function publishRunChanges(sql: Sql, changes: RunChange[]): void {
  // the embedded database has one server process, whose hub polls instead of listening
  if (changes.length === 0 || isEmbeddedDatabase()) return;
  sql`select pg_notify(${CHANNEL}, p) from unnest(${changes.map(encodeRunChange)}::text[]) as p`.then(
    () => {
      failing = false;
    },
    (error: unknown) => {
      if (failing) return;
      failing = true;
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      console.error('[live] could not announce run changes:', [code, message].filter((p) => typeof p === 'string').join(': '));
    },
  );
}
