import type { TestProject } from 'vitest/node';
import { startTestServer, type TestServer } from '../support/test-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    databaseUrl: string;
  }
}

let server: TestServer | undefined;

// One production server in Supabase mode on a fresh PostgreSQL database for all HTTP tests.
export async function setup(project: TestProject) {
  server = await startTestServer({ mode: 'supabase', env: { API_RATE_LIMIT_PER_MINUTE: '100000', API_MAX_BODY_BYTES: String(4 * 1024 * 1024) } });
  project.provide('baseUrl', server.baseUrl);
  project.provide('databaseUrl', server.db.url);
}

export async function teardown() {
  await server?.stop();
}
