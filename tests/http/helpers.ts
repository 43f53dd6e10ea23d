import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import { STATUS_BY_CODE, type ApiErrorCode } from '../../lib/api/errors.ts';
import { generateApiKey } from '../../lib/auth/api-key.ts';
import { createSqlClient, type Sql } from '../../lib/db/client.ts';
import { createProject, createUser, type Role, type TestUser } from '../helpers/fixtures.ts';
import { cookieHeader, sessionCookies, signAccessToken } from '../support/auth.ts';

// Shared by the HTTP test files. Each file makes its own users, projects and keys with
// unique ids, so files run in parallel against the one server of global-setup.ts.

export function superuserSql(): Sql {
  return createSqlClient(inject('databaseUrl'), { max: 2 });
}

export function uniqueId(label: string): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export interface TestKey {
  id: string;
  key: string;
}

// An API key row as the admin UI creates it: only the hash and a display prefix are stored.
export async function createApiKey(
  sql: Sql,
  projectId: string,
  scopes: Array<'read' | 'write'> = ['read', 'write'],
): Promise<TestKey> {
  const generated = generateApiKey();
  const [row] = await sql<{ id: string }[]>`
    insert into api_keys (project_id, name, key_hash, key_prefix, scopes)
    values (${projectId}, ${'test key ' + scopes.join('+')}, ${generated.hash}, ${generated.displayPrefix}, ${scopes}::text[])
    returning id
  `;
  return { id: row!.id, key: generated.key };
}

export interface Tenant {
  projectId: string;
  owner: TestUser;
  key: TestKey;
  readKey: TestKey;
}

// A project with an owner, a read-write key and a read-only key.
export async function createTenant(sql: Sql, label: string, members: Array<[TestUser, Role]> = []): Promise<Tenant> {
  const owner = await createUser(sql, `${label}-owner`);
  const projectId = await createProject(sql, uniqueId(label), [[owner, 'owner'], ...members]);
  return { projectId, owner, key: await createApiKey(sql, projectId), readKey: await createApiKey(sql, projectId, ['read']) };
}

export type Headers = Record<string, string>;

export const keyAuth = (key: TestKey | string): Headers => ({
  authorization: `Bearer ${typeof key === 'string' ? key : key.key}`,
});

export const bearerAuth = (token: string): Headers => ({ authorization: `Bearer ${token}` });

// The browser's session: the cookies @supabase/ssr writes, holding a token signed with the
// test secret (see tests/support/auth.ts).
export async function sessionAuth(user: TestUser, token?: string): Promise<Headers> {
  const accessToken = token ?? (await signAccessToken(user));
  return { cookie: cookieHeader(sessionCookies(accessToken, user)) };
}

export interface ApiResponse {
  status: number;
  headers: globalThis.Headers;
  text: string;
  // parsed JSON (undefined for an empty body); loosely typed, as tests read into it freely
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

// Signs of an internal error leaking out: stack frames, source locations, SQL, driver names.
// (A bare "at " would match honest messages such as "at most 500 characters", so a stack
// frame is matched by its shape.)
const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /(^|\n|\\n)\s*at\s+\S/],
  ['stack frame', /\bat\s+[\w.<>$]+\s+\([^)]*:\d+:\d+\)/],
  ['source location', /\.(ts|tsx|js|mjs|cjs):/],
  ['SQL', /\bselect\s/i],
  ['SQL', /\binsert\s/i],
  ['SQL', /\bupdate\s+(public\.)?\w+\s+set\b/i],
  ['SQL', /\bdelete\s+from\b/i],
  ['SQL', /\bwhere\s+\w+\s*=/i],
  ['driver', /postgres/i],
  ['driver', /\bpg_|\bPG::|SQLSTATE|relation "|column "/i],
  ['node internals', /node_modules|node:internal/],
];

export function assertNoLeak(text: string): void {
  for (const [what, pattern] of LEAKS) {
    expect(pattern.test(text), `error body reveals a ${what} (${pattern}): ${text.slice(0, 500)}`).toBe(false);
  }
}

// Every error the API returns has the documented shape, the status its code maps to,
// a request id, no caching, and nothing internal in it.
export function assertErrorShape(res: ApiResponse): void {
  assertNoLeak(res.text);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(res.body, `error body: ${res.text.slice(0, 300)}`).toMatchObject({
    error: { code: expect.any(String), message: expect.any(String) },
  });
  const code = res.body.error.code as ApiErrorCode;
  expect(STATUS_BY_CODE[code], `unknown error code ${code}`).toBe(res.status);
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(res.headers.get('cache-control')).toBe('no-store');
}

export interface RequestOptions {
  headers?: Headers;
  // sent as JSON with Content-Type: application/json
  json?: unknown;
  // sent as is (set content-type in headers yourself, or it defaults to application/json)
  body?: string | Buffer | ReadableStream<Uint8Array>;
  // another server than the shared one of global-setup.ts
  baseUrl?: string;
}

export async function api(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Headers = { ...options.headers };
  let body: RequestInit['body'];
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.body !== undefined) {
    body = options.body as RequestInit['body'];
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body, redirect: 'manual' };
  if (body instanceof ReadableStream) init.duplex = 'half';
  const res = await fetch(`${options.baseUrl ?? inject('baseUrl')}${path}`, init);
  const text = await res.text();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const response: ApiResponse = { status: res.status, headers: res.headers, text, body: parsed };
  if (res.status >= 400) {
    assertErrorShape(response);
  }
  return response;
}

// Asserts the status, printing the body when it differs.
export function expectStatus(res: ApiResponse, status: number): void {
  expect(res.status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`).toBe(status);
}

// A 422 whose details.issues name the given path.
export function expectIssueAt(res: ApiResponse, path: string, message?: RegExp): void {
  expectStatus(res, 422);
  expect(res.body.error.code).toBe('validation_failed');
  const issues = res.body.error.details?.issues as Array<{ path: string; message: string }>;
  expect(Array.isArray(issues), `no details.issues in ${res.text}`).toBe(true);
  const match = issues.find((i) => i.path === path);
  expect(match, `no issue at "${path}" in ${JSON.stringify(issues)}`).toBeDefined();
  if (message) expect(match!.message).toMatch(message);
}

export const validRun = (extra: Record<string, unknown> = {}) => ({
  runName: 'MIPROv2 on HotpotQA',
  optimizerType: 'miprov2',
  config: { model: 'gpt-4o-mini', miprov2: { num_candidates: 10 } },
  tags: ['hotpotqa'],
  ...extra,
});

export async function countRows(sql: Sql, table: 'optimization_runs' | 'optimization_iterations' | 'optimization_samples', projectId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)} where project_id = ${projectId}`;
  return row!.n;
}

export async function projectRowCounts(sql: Sql, projectId: string) {
  return {
    runs: await countRows(sql, 'optimization_runs', projectId),
    iterations: await countRows(sql, 'optimization_iterations', projectId),
    samples: await countRows(sql, 'optimization_samples', projectId),
  };
}

export async function poll<T>(fn: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
