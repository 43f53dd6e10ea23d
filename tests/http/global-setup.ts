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

// 500 is not reachable on purpose: a request that hit an unexpected error anywhere in the
// run fails it (exit code 1), even if the test that sent it looked only at part of the answer.
export async function teardown() {
  const logs = server?.logs() ?? '';
  await server?.stop();
  const unexpected = logs.split('\n').filter((line) => /\[api\].*unexpected error/.test(line));
  if (unexpected.length) {
    process.exitCode = 1; // vitest only prints an error thrown from teardown
    throw new Error(`the API answered ${unexpected.length} request(s) with 500:\n${unexpected.slice(0, 10).join('\n')}`);
  }
}
