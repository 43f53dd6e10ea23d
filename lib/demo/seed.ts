import 'server-only';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
// not lib/auth's index: the scripts run this under plain Node, where next/headers is not
import { generateApiKey, hashApiKey, looksLikeApiKey } from '../auth/api-key.ts';
import { LOCAL_USER } from '../auth/local-user.ts';
import { withServiceScope, type Sql, type TransactionSql } from '../db/index.ts';
import { coalesceRecordedWrites, replayRecordedWrites } from '../supabase-optimization/index.ts';
import { DATA_DIR } from '../paths.ts';
import { ensureLocalUser } from '../supabase-optimization/index.ts';
import { DEMO_PROJECT_IDS, generateDemoData, type DemoData } from './generator.ts';
import { loadRecordedCompile, RECORDED_PROJECT, RECORDED_RUNS } from './recorded.ts';

export const DEMO_API_KEY_FILE = path.join(DATA_DIR, 'demo-api-key');
const DEMO_API_KEY_PROJECT = 'demo-qa';
const BATCH_ROWS = 500;

export interface SeedCounts {
  projects: number;
  runs: number;
  iterations: number;
  samples: number;
  apiKeys: number;
}

export type SeedResult =
  // demo-present: a demo project exists; with onlyIfEmpty, seeded-before: the demo was
  // seeded once (and its projects deleted since), not-empty: the database has projects
  | { seeded: false; reason: 'demo-present' | 'seeded-before' | 'not-empty'; existing: string[] }
  | { seeded: true; counts: SeedCounts; apiKey: string; apiKeyFile: string | null };

// Seeds the demo projects unless any of them exists (with onlyIfEmpty: unless the demo was
// ever seeded here or any project exists, so a first start seeds and a user who deleted
// the demo projects keeps them gone).
// The local user is ensured first (see ensureLocalUser); everything else is one
// service-scoped transaction, all or nothing. The demo key's plaintext is written to
// apiKeyFile after the commit (null: not written).
export async function seedDemoData(
  sql: Sql,
  options: { now?: Date; seed?: number; apiKeyFile?: string | null; onlyIfEmpty?: boolean } = {},
): Promise<SeedResult> {
  await ensureLocalUser(sql);
  const result = await withServiceScope('seed demo data', async (tx) => {
    // two seeders at once (npm start and npm run db:seed): the second waits, then sees the data
    // (waiting as long as the other seed takes: no statement timeout for the wait)
    const [setting] = await tx<{ timeout: string }[]>`select current_setting('statement_timeout') as timeout`;
    await tx`select set_config('statement_timeout', '0', true)`;
    await tx`select pg_advisory_xact_lock(hashtext('optiscope.seed_demo_data'))`;
    await tx`select set_config('statement_timeout', ${setting!.timeout}, true)`;
    const existing = await tx<{ id: string }[]>`
      select id from project_config where id = any (${DEMO_PROJECT_IDS}) order by id
    `;
    if (existing.length > 0) {
      return { seeded: false as const, reason: 'demo-present' as const, existing: existing.map((r) => r.id) };
    }
    if (options.onlyIfEmpty && (await tx`select 1 from private.demo_seedings limit 1`).length > 0) {
      return { seeded: false as const, reason: 'seeded-before' as const, existing: [] };
    }
    if (options.onlyIfEmpty && (await tx`select 1 from project_config limit 1`).length > 0) {
      return { seeded: false as const, reason: 'not-empty' as const, existing: [] };
    }

    const now = options.now ?? new Date();
    const data = generateDemoData({ now, seed: options.seed });
    await insertDemoData(tx, data);
    await insertRecordedCompiles(tx, now);
    const apiKey = generateApiKey();
    await tx`
      insert into api_keys (project_id, name, key_hash, key_prefix, scopes, created_by)
      values (${DEMO_API_KEY_PROJECT}, 'Demo key', ${apiKey.hash}, ${apiKey.displayPrefix},
              ${['read', 'write']}, ${LOCAL_USER.id})
    `;
    await tx`insert into private.demo_seedings default values`;
    await tx`select refresh_optimization_analytics()`;
    const [counts] = await tx<SeedCounts[]>`
      select (select count(*)::int from project_config where id = any (${DEMO_PROJECT_IDS})) as projects,
             (select count(*)::int from optimization_runs where project_id = any (${DEMO_PROJECT_IDS})) as runs,
             (select count(*)::int from optimization_iterations where project_id = any (${DEMO_PROJECT_IDS})) as iterations,
             (select count(*)::int from optimization_samples where project_id = any (${DEMO_PROJECT_IDS})) as samples,
             1 as "apiKeys"
    `;
    return { seeded: true as const, counts: counts!, apiKey: apiKey.key };
  }, sql);
  if (!result.seeded) return result;

  const apiKeyFile = options.apiKeyFile === undefined ? DEMO_API_KEY_FILE : options.apiKeyFile;
  if (apiKeyFile) await writeSecretFile(apiKeyFile, `${result.apiKey}\n`);
  return { ...result, apiKeyFile };
}

async function insertDemoData(tx: TransactionSql, data: DemoData): Promise<void> {
  for (const project of data.projects) {
    await tx`
      insert into project_config (id, name, description, settings, created_by)
      values (${project.id}, ${project.name}, ${project.description}, ${tx.json(project.settings as never)}, ${LOCAL_USER.id})
    `;
    await tx`
      insert into project_members (project_id, user_id, role)
      values (${project.id}, ${LOCAL_USER.id}, 'owner')
    `;
  }

  const json = (value: unknown) => (value === null ? null : tx.json(value as never));
  const runs = data.runs.map((r) => ({
    ...r,
    config: json(r.config),
    metadata: json(r.metadata),
    created_by: LOCAL_USER.id,
  }));
  // the triggers compute each run's iteration statistics and best iteration
  const iterations = data.iterations.map((i) => ({
    ...i,
    params: json(i.params),
    program_state: json(i.program_state),
  }));
  const samples = data.samples.map((s) => ({
    ...s,
    input: json(s.input),
    output: json(s.output),
    expected: json(s.expected),
    metadata: json(s.metadata),
  }));
  for (const batch of batches(runs)) await tx`insert into optimization_runs ${tx(batch)}`;
  for (const batch of batches(iterations)) await tx`insert into optimization_iterations ${tx(batch)}`;
  for (const batch of batches(samples)) await tx`insert into optimization_samples ${tx(batch)}`;
}

// The recorded DSPy compiles, replayed through the data layer's writers (the API's
// validation, upserts and triggers), then moved in time to end before `now`.
async function insertRecordedCompiles(tx: TransactionSql, now: Date): Promise<void> {
  await tx`
    insert into project_config (id, name, description, settings, created_by)
    values (${RECORDED_PROJECT.id}, ${RECORDED_PROJECT.name}, ${RECORDED_PROJECT.description},
            ${tx.json(RECORDED_PROJECT.settings as never)}, ${LOCAL_USER.id})
  `;
  await tx`insert into project_members (project_id, user_id, role) values (${RECORDED_PROJECT.id}, ${LOCAL_USER.id}, 'owner')`;
  for (const recorded of RECORDED_RUNS) {
    const { writes } = loadRecordedCompile(recorded.file);
    const target = { projectId: RECORDED_PROJECT.id, runId: recorded.runId, createdBy: LOCAL_USER.id };
    await replayRecordedWrites(tx, target, coalesceRecordedWrites(writes));
    const startedAt = new Date(now.getTime() - recorded.ageDays * DAY_MS);
    const endedAt = new Date(startedAt.getTime() + (writes.at(-1)?.atMs ?? 0));
    await tx`
      update optimization_runs set created_at = ${startedAt}, started_at = ${startedAt}, ended_at = ${endedAt}
      where id = ${recorded.runId}
    `;
    await tx`
      update optimization_iterations set created_at = ${startedAt}::timestamptz + coalesce(elapsed_ms, 0) * interval '1 millisecond'
      where run_id = ${recorded.runId}
    `;
    await tx`
      update optimization_samples s set created_at = i.created_at
      from optimization_iterations i where s.iteration_id = i.id and s.run_id = ${recorded.runId}
    `;
  }
}

const DAY_MS = 86_400_000;

function* batches<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) yield rows.slice(i, i + BATCH_ROWS);
}

async function writeSecretFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}

// The demo key from .data/demo-api-key if it is still a live key of this database, else null.
export async function readDemoApiKey(sql: Sql, file = DEMO_API_KEY_FILE): Promise<string | null> {
  let key: string;
  try {
    key = (await readFile(file, 'utf8')).trim();
  } catch {
    return null;
  }
  if (!looksLikeApiKey(key)) return null;
  const rows = await withServiceScope('check the demo API key', (tx) => tx`
    select 1 from api_keys
    where key_hash = ${hashApiKey(key)} and revoked_at is null and (expires_at is null or expires_at > now())
  `, sql);
  return rows.length > 0 ? key : null;
}
