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

// How long the app waits for the database: every request is answered within a bounded
// time, even while PostgreSQL restarts or is unreachable.
export interface DatabaseSettings {
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

function positiveInt(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name} must be a non-negative integer, got "${raw}"`);
    return fallback;
  }
  return n;
}

function positiveMs(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    problems.push(`${name} must be a positive whole number of milliseconds, got "${raw}"`);
    return fallback;
  }
  return n;
}

function readDatabaseSettings(env: Env, problems: string[]): DatabaseSettings {
  const settings: DatabaseSettings = {
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
// no full app configuration (no DATABASE_URL, no mode).
export function loadDatabaseSettings(env: Env = process.env): DatabaseSettings {
  const problems: string[] = [];
  const settings = readDatabaseSettings(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return settings;
}

let cachedDatabase: DatabaseSettings | undefined;

export function getDatabaseSettings(): DatabaseSettings {
  cachedDatabase ??= loadDatabaseSettings();
  return cachedDatabase;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL?.trim() ?? '';
  if (!databaseUrl) {
    problems.push('DATABASE_URL is not set (npm start sets it to the embedded database in local mode)');
  } else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

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
    apiRateLimitPerMinute: positiveInt(env, 'API_RATE_LIMIT_PER_MINUTE', 6000, problems),
    apiMaxBodyBytes: positiveInt(env, 'API_MAX_BODY_BYTES', 10 * 1024 * 1024, problems),
    liveRecheckSeconds: positiveInt(env, 'LIVE_RECHECK_SECONDS', 30, problems),
    // local mode has one user, who may refresh as often as one refresh at a time allows
    analyticsRefreshMinIntervalSeconds: positiveInt(env, 'ANALYTICS_REFRESH_MIN_INTERVAL_SECONDS', mode === 'local' ? 0 : 60, problems),
    stalledRunMinutes: positiveInt(env, 'STALLED_RUN_MINUTES', 15, problems),
    database: readDatabaseSettings(env, problems),
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
