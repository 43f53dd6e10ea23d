import { existsSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR, PROJECT_ROOT } from '../paths.ts';
import { loadDatabaseSettings } from '../config/index.ts';
import { embeddedDatabaseUrl, isPortOpen, startEmbeddedDatabase } from './embedded.ts';

// Where the scripts find a database: DATABASE_URL if set, else the embedded PGlite in
// .data/pglite — the one a running `npm start` serves, or one started for the caller.

export const EMBEDDED_DATA_DIR = path.join(DATA_DIR, 'pglite');

export interface ResolvedDatabase {
  url: string;
  // env: DATABASE_URL; embedded-running: served by another process; embedded: started here
  source: 'env' | 'embedded-running' | 'embedded';
  // for logs and banners: never contains a password
  description: string;
  // stops the embedded database if this call started it
  close(): Promise<void>;
}

// Loads .env from the project root if there is one; variables already set win.
export function loadDotEnv(file = path.join(PROJECT_ROOT, '.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

export async function resolveDatabase(
  options: { reuseRunning?: boolean; dataDir?: string } = {},
): Promise<ResolvedDatabase> {
  // read here, not cached: the scripts load .env before they call this
  const { url, embeddedPort: port } = loadDatabaseSettings();
  if (url) return { url, source: 'env', description: describeDatabaseUrl(url), close: async () => {} };

  const dataDir = options.dataDir ?? EMBEDDED_DATA_DIR;
  const shown = path.relative(process.cwd(), dataDir) || dataDir;
  if (await isPortOpen(port)) {
    if (options.reuseRunning === false) {
      throw new Error(
        `port ${port} is already in use (is Optiscope already running?). Stop it, or set ` +
          'EMBEDDED_DB_PORT to a free port, or DATABASE_URL to use another database.',
      );
    }
    return {
      url: embeddedDatabaseUrl(port),
      source: 'embedded-running',
      description: `embedded PGlite served by a running Optiscope on 127.0.0.1:${port}`,
      close: async () => {},
    };
  }

  let embedded;
  try {
    embedded = await startEmbeddedDatabase({ dataDir, port });
  } catch (error) {
    throw new Error(`could not start the embedded database in ${shown} on port ${port}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return {
    url: embedded.url,
    source: 'embedded',
    description: `embedded PGlite in ${shown} (127.0.0.1:${port})`,
    close: () => embedded.stop(),
  };
}

// user@host:port/database of a connection string, without its password or options.
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL (not a URL; not shown)';
  }
}

// One line for a thrown value; connection failures arrive as an AggregateError with an
// empty message, their cause in .errors and .code.
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    const first = error.errors[0];
    return first instanceof Error && first.message ? first.message : String((error as { code?: string }).code ?? error);
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
