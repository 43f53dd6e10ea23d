import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ARTIFACTS = path.resolve(import.meta.dirname, '.artifacts');
export const SERVERS_FILE = path.join(ARTIFACTS, 'servers.json');
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

export interface Servers {
  local: { baseUrl: string; apiKey: string };
  supabase: { baseUrl: string; databaseUrl: string };
}

// What the global setup started (read by every spec).
export function servers(): Servers {
  return JSON.parse(readFileSync(SERVERS_FILE, 'utf8')) as Servers;
}
