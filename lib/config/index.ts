// Runtime configuration, read and validated once. Supabase mode needs all of its
// settings; a half-configured Supabase mode refuses to start (it never falls back to
// local mode, which would serve every visitor as the local user).

export type Mode = 'local' | 'supabase';

export interface SupabaseSettings {
  url: string;
  publishableKey: string;
  jwtSecret: string | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUrl: string | null;
  storageKey: string;
}

export interface AppConfig {
  mode: Mode;
  databaseUrl: string;
  supabase: SupabaseSettings | null;
  apiRateLimitPerMinute: number;
  apiMaxBodyBytes: number;
  // how often an open live-updates stream re-checks the viewer's access
  liveRecheckSeconds: number;
  // least time between two refreshes of the global analytics view
  analyticsRefreshMinIntervalSeconds: number;
  // a running run with no write for this long shows as stalled
  stalledRunMinutes: number;
  database: DatabaseSettings;
}

// The database and the data layer. How long the app waits for it bounds every request,
// even while PostgreSQL restarts or is unreachable.
export interface DatabaseSettings {
  // DATABASE_URL; null when unset (the scripts then start the embedded database)
  url: string | null;
  // DATABASE_LISTEN_URL: a direct (session) connection for the live-updates listener, where
  // DATABASE_URL goes through a transaction pooler that does not deliver LISTEN; null: DATABASE_URL
  listenUrl: string | null;
  // OPTISCOPE_EMBEDDED_DB=1: the app runs on the embedded PGlite (set by npm start)
  embedded: boolean;
  // EMBEDDED_DB_PORT: the embedded database's Postgres-protocol server
  embeddedPort: number;
  // OPTISCOPE_DATA_DIR as given (relative to the project folder); null: .data
  dataDir: string | null;
  // DATABASE_POOL_MAX: connections per server process
  poolMax: number;
  // DATABASE_PREPARE: prepared statements (off behind Supabase's transaction pooler)
  prepare: boolean;
  // DATABASE_PIPELINE: a transaction's first statements go out with its BEGIN
  pipeline: boolean;
  // RUN_COUNT_CAP: how far a filtered runs list counts its matches
  runCountCap: number;
  // opening a connection (postgres.js connect_timeout)
  connectTimeoutMs: number;
  // one statement, enforced by the server (statement_timeout)
  statementTimeoutMs: number;
  // a request's database work in all, the wait for a pooled connection and a retry included
  requestTimeoutMs: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Optiscope configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

const first = (env: Env, ...names: string[]) => {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
};

const SUPABASE_VARS = [
  'SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_URL',
  'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_ANON_KEY', 'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY', 'NEXT_PUBLIC_SUPABASE_ANON_KEY',
  'SUPABASE_JWT_SECRET', 'SUPABASE_JWKS', 'SUPABASE_JWKS_URL',
];

// A whole-number setting of at least `min`; `what` names the expected value in the message.
function wholeNumber(env: Env, name: string, fallback: number, problems: string[], min: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    problems.push(`${name} must be ${what}, got "${raw}"`);
    return fallback;
  }
  return n;
}

const nonNegativeInt = (env: Env, name: string, fallback: number, problems: string[]) =>
  wholeNumber(env, name, fallback, problems, 0, 'a non-negative integer');
const positiveMs = (env: Env, name: string, fallback: number, problems: string[]) =>
  wholeNumber(env, name, fallback, problems, 1, 'a positive whole number of milliseconds');
const atLeastOne = (env: Env, name: string, fallback: number, problems: string[]) =>
  wholeNumber(env, name, fallback, problems, 1, 'a whole number of at least 1');

function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false (or 1 or 0), got "${env[name]}"`);
  return fallback;
}

export const DEFAULT_EMBEDDED_PORT = 54329;

// OPTISCOPE_DATA_DIR alone, read where the data folder's path is fixed at import time.
export function dataDirSetting(env: Env = process.env): string | null {
  return env.OPTISCOPE_DATA_DIR?.trim() || null;
}

function readDatabaseSettings(env: Env, problems: string[]): DatabaseSettings {
  const url = env.DATABASE_URL?.trim() || null;
  if (url && !/^postgres(ql)?:\/\//.test(url)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  const listenUrl = env.DATABASE_LISTEN_URL?.trim() || null;
  if (listenUrl && !/^postgres(ql)?:\/\//.test(listenUrl)) problems.push('DATABASE_LISTEN_URL must be a postgres:// or postgresql:// URL');
  const rawPort = env.EMBEDDED_DB_PORT?.trim();
  let embeddedPort = DEFAULT_EMBEDDED_PORT;
  if (rawPort) {
    embeddedPort = Number(rawPort);
    if (!Number.isInteger(embeddedPort) || embeddedPort < 1 || embeddedPort > 65535) {
      problems.push(`EMBEDDED_DB_PORT must be a port number (1-65535), got "${rawPort}"`);
      embeddedPort = DEFAULT_EMBEDDED_PORT;
    }
  }
  const prepare = flag(env, 'DATABASE_PREPARE', true, problems);
  const settings: DatabaseSettings = {
    url,
    listenUrl,
    embedded: flag(env, 'OPTISCOPE_EMBEDDED_DB', false, problems),
    embeddedPort,
    dataDir: dataDirSetting(env),
    poolMax: atLeastOne(env, 'DATABASE_POOL_MAX', 10, problems),
    prepare,
    // behind the transaction pooler (prepare off) statements go one at a time unless asked
    pipeline: flag(env, 'DATABASE_PIPELINE', prepare, problems),
    runCountCap: atLeastOne(env, 'RUN_COUNT_CAP', 1_000, problems),
    connectTimeoutMs: positiveMs(env, 'DB_CONNECT_TIMEOUT_MS', 5_000, problems),
    statementTimeoutMs: positiveMs(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, problems),
    requestTimeoutMs: positiveMs(env, 'DB_REQUEST_TIMEOUT_MS', 20_000, problems),
  };
  if (settings.requestTimeoutMs <= settings.connectTimeoutMs) {
    problems.push(`DB_REQUEST_TIMEOUT_MS (${settings.requestTimeoutMs}) must be longer than DB_CONNECT_TIMEOUT_MS (${settings.connectTimeoutMs})`);
  }
  // a statement that outlives the request is cut by the request deadline instead, and the
  // connection it ran on is given up
  if (settings.requestTimeoutMs <= settings.statementTimeoutMs) {
    problems.push(`DB_REQUEST_TIMEOUT_MS (${settings.requestTimeoutMs}) must be longer than DB_STATEMENT_TIMEOUT_MS (${settings.statementTimeoutMs})`);
  }
  return settings;
}

// The database settings alone: the data layer also runs in scripts and tests that have
// no full app configuration (no DATABASE_URL, no mode). Uncached: scripts load .env first.
export function loadDatabaseSettings(env: Env = process.env): DatabaseSettings {
  const problems: string[] = [];
  const settings = readDatabaseSettings(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return settings;
}

// What `npm start` / `npm run dev` read besides the app's settings (WEB_CONCURRENCY:
// lib/server/workers.ts, which knows whether the database allows more than one process).
export interface LauncherSettings {
  // PORT
  port: number;
  // OPTISCOPE_SEED_DEMO: load the demo on a first start; null: local mode only
  seedDemo: boolean | null;
}

export function loadLauncherSettings(env: Env = process.env): LauncherSettings {
  const problems: string[] = [];
  const rawPort = env.PORT?.trim();
  let port = 3000;
  if (rawPort) {
    port = Number(rawPort);
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`PORT must be a port number (1-65535), got "${rawPort}"`);
  }
  const seed = env.OPTISCOPE_SEED_DEMO?.trim() ? flag(env, 'OPTISCOPE_SEED_DEMO', false, problems) : null;
  if (problems.length) throw new ConfigError(problems);
  return { port, seedDemo: seed };
}

let cachedDatabase: DatabaseSettings | undefined;

export function getDatabaseSettings(): DatabaseSettings {
  cachedDatabase ??= loadDatabaseSettings();
  return cachedDatabase;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const database = readDatabaseSettings(env, problems);
  const databaseUrl = database.url ?? '';
  if (!databaseUrl) problems.push('DATABASE_URL is not set (npm start sets it to the embedded database in local mode)');

  const anySupabase = SUPABASE_VARS.some((name) => env[name]?.trim());
  const explicitMode = env.OPTISCOPE_MODE?.trim();
  if (explicitMode && explicitMode !== 'local' && explicitMode !== 'supabase') {
    problems.push(`OPTISCOPE_MODE must be "local" or "supabase", got "${explicitMode}"`);
  }
  if (explicitMode === 'local' && anySupabase) {
    problems.push('OPTISCOPE_MODE=local but Supabase settings are present: remove them or set OPTISCOPE_MODE=supabase');
  }
  const mode: Mode = explicitMode === 'supabase' || (explicitMode !== 'local' && anySupabase) ? 'supabase' : 'local';

  let supabase: SupabaseSettings | null = null;
  if (mode === 'supabase') {
    const url = first(env, 'SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_URL');
    const publishableKey = first(env, 'SUPABASE_PUBLISHABLE_KEY', 'SUPABASE_ANON_KEY', 'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY', 'NEXT_PUBLIC_SUPABASE_ANON_KEY');
    const jwtSecret = first(env, 'SUPABASE_JWT_SECRET') ?? null;
    const jwksRaw = first(env, 'SUPABASE_JWKS');
    const jwksUrl = first(env, 'SUPABASE_JWKS_URL') ?? null;
    if (!url) problems.push('Supabase mode needs SUPABASE_URL (your project URL, https://<ref>.supabase.co)');
    else if (!/^https?:\/\//.test(url)) problems.push('SUPABASE_URL must be an http(s) URL');
    if (!publishableKey) problems.push('Supabase mode needs SUPABASE_PUBLISHABLE_KEY (or SUPABASE_ANON_KEY)');
    if (!jwtSecret && !jwksRaw && !jwksUrl) {
      problems.push('Supabase mode needs a way to verify access tokens: SUPABASE_JWT_SECRET (HS256) or SUPABASE_JWKS / SUPABASE_JWKS_URL (ES256/RS256)');
    }
    if (jwtSecret && jwtSecret.length < 32) problems.push('SUPABASE_JWT_SECRET must be at least 32 characters');
    let jwks: SupabaseSettings['jwks'] = null;
    if (jwksRaw) {
      try {
        const parsed = JSON.parse(jwksRaw) as { keys?: unknown };
        if (!Array.isArray(parsed.keys)) throw new Error('no keys');
        jwks = parsed as { keys: Record<string, unknown>[] };
      } catch {
        problems.push('SUPABASE_JWKS must be a JSON Web Key Set ({"keys": [...]})');
      }
    }
    if (url && publishableKey) {
      let host = 'localhost';
      try { host = new URL(url).hostname; } catch { /* reported above */ }
      supabase = {
        url,
        publishableKey,
        jwtSecret,
        jwks,
        jwksUrl,
        storageKey: `sb-${host.split('.')[0]}-auth-token`,
      };
    }
  }

  const config: AppConfig = {
    mode,
    databaseUrl,
    supabase,
    apiRateLimitPerMinute: nonNegativeInt(env, 'API_RATE_LIMIT_PER_MINUTE', 6000, problems),
    apiMaxBodyBytes: nonNegativeInt(env, 'API_MAX_BODY_BYTES', 10 * 1024 * 1024, problems),
    liveRecheckSeconds: nonNegativeInt(env, 'LIVE_RECHECK_SECONDS', 30, problems),
    // local mode has one user, who may refresh as often as one refresh at a time allows
    analyticsRefreshMinIntervalSeconds: nonNegativeInt(env, 'ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS', mode === 'local' ? 0 : 60, problems),
    stalledRunMinutes: nonNegativeInt(env, 'STALLED_RUN_MINUTES', 15, problems),
    database,
  };
  if (config.liveRecheckSeconds < 1) problems.push('LIVE_RECHECK_SECONDS must be at least 1');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  cached ??= loadConfig();
  return cached;
}
