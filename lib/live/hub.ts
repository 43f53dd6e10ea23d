import 'server-only';
import { getDatabaseSettings } from '../config/index.ts';
import { createSqlClient, databaseUrl, getSql, isEmbeddedDatabase, withServiceScope, type Sql } from '../db/index.ts';
import { CHANNEL, type RunChange } from './publish.ts';

type Listener = (change: RunChange) => void;
const POLL_MS = 700;

// One database listener per server process fans run changes out to the browsers'
// event streams; the data layer announces them after each commit (publish.ts), so every
// process behind a load balancer hears every process's writes. It carries ids only; each subscriber was checked for access to the
// project it watches, and the page re-reads its data under the viewer's own scope.
class LiveHub {
  private listeners = new Set<Listener>();
  private started: Promise<void> | null = null;
  private mode: 'notify' | 'poll' | null = null;
  private listenSql: Sql | null = null;
  private timer: NodeJS.Timeout | null = null;
  private since: Date | null = null;

  // `listening` resolves once changes are received (LISTEN active or polling), so a stream
  // says "ready" only when no later change can be missed; it rejects if the listener failed.
  subscribe(listener: Listener): { unsubscribe: () => void; listening: Promise<void> } {
    this.listeners.add(listener);
    this.started ??= this.start().catch((error: unknown) => {
      this.started = null;
      console.error('[live] could not start the change listener:', (error as Error).message);
      throw error;
    });
    return { unsubscribe: () => this.listeners.delete(listener), listening: this.started };
  }

  private emit(change: RunChange) {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // one broken stream must not stop the others
      }
    }
  }

  private async start() {
    if (!isEmbeddedDatabase() && (await this.tryListen())) {
      this.mode = 'notify';
      return;
    }
    this.mode = 'poll';
    const [row] = await withServiceScope('live updates: poll start', (tx) => tx<{ now: string }[]>`select now() as now`);
    this.since = new Date(row!.now);
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  // LISTEN works on PostgreSQL; PGlite's socket server and a transaction pooler do not
  // deliver notifications, which a round trip through a probe notification detects (behind
  // a pooler, DATABASE_LISTEN_URL names a direct connection for the listener).
  private async tryListen(): Promise<boolean> {
    const sql = createSqlClient(getDatabaseSettings().listenUrl ?? databaseUrl(), { max: 1, idleTimeoutSeconds: 0 });
    const probe = `probe-${process.pid}-${Date.now()}`;
    let probed!: () => void;
    const arrived = new Promise<void>((resolve) => (probed = resolve));
    try {
      await sql.listen(CHANNEL, (payload) => {
        if (payload === probe) return probed();
        try {
          const p = JSON.parse(payload) as { project_id: string; run_id: string; op: RunChange['op'] };
          this.emit({ projectId: p.project_id, runId: p.run_id, op: p.op });
        } catch {
          // ignore foreign payloads
        }
      });
      await getSql()`select pg_notify(${CHANNEL}, ${probe})`;
      const ok = await Promise.race([arrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1500))]);
      if (ok) {
        this.listenSql = sql;
        return true;
      }
    } catch {
      // fall back to polling
    }
    await sql.end({ timeout: 1 }).catch(() => {});
    return false;
  }

  private polling = false;
  private recent = new Map<string, number>();

  // Overlaps each poll with the previous few seconds (a transaction's updated_at is its
  // start time, so a slow commit can land "in the past") and drops what was sent already.
  private async poll() {
    if (this.polling || this.listeners.size === 0) return;
    this.polling = true;
    try {
      const rows = await withServiceScope('live updates: poll run changes', (tx) => tx<{ id: string; project_id: string; updated_at: string }[]>`
        select id, project_id, updated_at from optimization_runs
        where updated_at > ${this.since!}::timestamptz - interval '5 seconds'
        order by updated_at limit 1000
      `);
      const horizon = this.since!.getTime() - 10_000;
      for (const [key, at] of this.recent) if (at < horizon) this.recent.delete(key);
      for (const row of rows) {
        const at = Date.parse(row.updated_at);
        const key = `${row.id}@${at}`;
        if (this.recent.has(key)) continue;
        this.recent.set(key, at);
        this.emit({ projectId: row.project_id, runId: row.id, op: 'update' });
        if (at > this.since!.getTime()) this.since = new Date(at);
      }
    } catch {
      // transient: the next tick tries again
    } finally {
      this.polling = false;
    }
  }

  get transport() {
    return this.mode;
  }
}

const globalHub = globalThis as unknown as { __optiscopeLiveHub?: LiveHub };
export const liveHub: LiveHub = (globalHub.__optiscopeLiveHub ??= new LiveHub());
