import 'server-only';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { localUserClaims, looksLikeApiKey, readAccessToken, resolveApiKey, verifyAccessToken } from '../auth/index.ts';
import { getConfig } from '../config/index.ts';
import { withRequestDeadline } from '../db/index.ts';
import { inProject, parseInput, projectIdSchema, userScope, ValidationError, type Scope } from '../supabase-optimization/index.ts';
import { ApiError, errorResponse, toErrorResponse } from './errors.ts';
import { takeToken } from './rate-limit.ts';

export interface Caller {
  kind: 'api_key' | 'user';
  id: string;
  scope: Scope;
  // an API key's own project (callers with a session name the project themselves)
  projectId: string | null;
  canWrite: boolean;
}

export interface HandlerContext<P, B> {
  request: Request;
  requestId: string;
  params: P;
  caller: Caller;
  body: B;
  searchParams: URLSearchParams;
}

interface HandlerOptions<S extends z.ZodType | undefined> {
  access: 'read' | 'write';
  body?: S;
}

type RouteContext<P> = { params: Promise<P> };

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

// The project a request is about: the one it names (checked for format first), else an API
// key's own. A key naming any other project is refused (403) whether or not that project
// exists, so a script never mistakes a project it cannot read for one without runs.
export function requestedProject(caller: Caller, requested: string | null | undefined): string | undefined {
  if (requested === null || requested === undefined) return caller.projectId ?? undefined;
  const projectId = parseInput(projectIdSchema, requested, 'projectId');
  if (caller.kind === 'api_key' && projectId !== caller.projectId) {
    throw new ApiError('forbidden', `this API key belongs to project "${caller.projectId}" and cannot be used for project "${projectId}"`);
  }
  return projectId;
}

// One wrapper does the shared work of every route: authenticate, rate-limit, read and
// validate the body, map errors. Handlers read like the API docs.
export function apiHandler<P = Record<string, never>, S extends z.ZodType | undefined = undefined>(
  options: HandlerOptions<S>,
  handler: (ctx: HandlerContext<P, S extends z.ZodType ? z.output<S> : undefined>) => Promise<Response>,
) {
  // withRequestDeadline: the request's database work, pool wait included, ends in time
  return (request: Request, context: RouteContext<P>): Promise<Response> => withRequestDeadline(async () => {
    const requestId = randomUUID();
    try {
      const config = getConfig();
      const caller = await authenticate(request);
      if (options.access === 'write' && !caller.canWrite) {
        throw new ApiError('forbidden', 'this API key is read-only: create a key with the write scope');
      }
      const limit = await takeToken(`${caller.kind}:${caller.id}`, config.apiRateLimitPerMinute);
      if (!limit.ok) {
        throw new ApiError('rate_limited', `too many requests: retry in ${limit.retryAfterSeconds}s`, {
          headers: { 'retry-after': String(limit.retryAfterSeconds) },
        });
      }
      let body: unknown = undefined;
      if (options.body) {
        const raw = await readJsonBody(request, config.apiMaxBodyBytes);
        body = parseInput(options.body, raw);
      }
      const params = (await context.params) ?? ({} as P);
      const response = await handler({
        request,
        requestId,
        params,
        caller,
        body: body as never,
        searchParams: new URL(request.url).searchParams,
      });
      response.headers.set('x-request-id', requestId);
      return response;
    } catch (error) {
      const response = toErrorResponse(error, requestId);
      response.headers.set('x-request-id', requestId);
      return response;
    }
  });
}

async function authenticate(request: Request): Promise<Caller> {
  const config = getConfig();
  const header = request.headers.get('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new ApiError('unauthorized', 'the Authorization header must be "Bearer <API key>"');
    const token = match[1]!;
    if (looksLikeApiKey(token)) {
      const identity = await resolveApiKey(token);
      if (!identity) throw new ApiError('unauthorized', 'this API key is not valid (unknown, revoked or expired)');
      return {
        kind: 'api_key',
        id: identity.keyId,
        // a key knows its project: every statement names it
        scope: inProject(userScope(identity.claims), identity.projectId),
        projectId: identity.projectId,
        canWrite: identity.scopes.includes('write'),
      };
    }
    if (config.supabase && token.split('.').length === 3) {
      const claims = await verifyAccessToken(token, config.supabase).catch(() => {
        throw new ApiError('unauthorized', 'the access token is invalid or expired');
      });
      return { kind: 'user', id: claims.sub!, scope: userScope(claims), projectId: null, canWrite: true };
    }
    throw new ApiError('unauthorized', 'the bearer token is not an Optiscope API key (osk_…)');
  }

  // No Authorization header: the browser's own session (or the local user). Writes must
  // come from our own pages: JSON bodies force a CORS preflight, and the Origin is checked.
  if (BODY_METHODS.has(request.method) || request.method === 'DELETE') assertSameOrigin(request);
  if (config.mode === 'local') {
    const claims = localUserClaims();
    return { kind: 'user', id: claims.sub!, scope: userScope(claims), projectId: null, canWrite: true };
  }
  const cookies = parseCookies(request.headers.get('cookie'));
  const token = await readAccessToken(config.supabase!.storageKey, (name) => cookies.get(name));
  if (!token) throw new ApiError('unauthorized', 'send an API key as "Authorization: Bearer osk_…"');
  const claims = await verifyAccessToken(token, config.supabase!).catch(() => {
    throw new ApiError('unauthorized', 'your session is invalid or expired: sign in again');
  });
  return { kind: 'user', id: claims.sub!, scope: userScope(claims), projectId: null, canWrite: true };
}

function assertSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin) return;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    if (new URL(origin).host === host) return;
  } catch {
    // fall through
  }
  throw new ApiError('forbidden', 'cross-origin requests must authenticate with an API key');
}

function parseCookies(header: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) {
      const name = part.slice(0, i).trim();
      const value = part.slice(i + 1).trim();
      try {
        map.set(name, decodeURIComponent(value));
      } catch {
        map.set(name, value);
      }
    }
  }
  return map;
}

async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError('unsupported_media_type', 'send the body as JSON with "Content-Type: application/json"');
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ApiError('payload_too_large', `the body is larger than ${maxBytes} bytes`);
  }
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new ApiError('payload_too_large', `the body is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  }
  const bytes = Buffer.concat(chunks);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw invalidUtf8(bytes);
  }
  if (!text.trim()) throw new ApiError('invalid_json', 'the request body is empty: send a JSON document');
  return parseJson(text);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof RangeError ? 'the JSON is nested too deeply' : `the body is not valid JSON (${(error as Error).message})`;
    throw new ApiError('invalid_json', message);
  }
}

// Text that is not UTF-8 is refused like any other invalid text (422), naming the fields
// whose strings hold the bytes when the rest of the body is JSON.
function invalidUtf8(bytes: Buffer): ValidationError {
  const paths: string[] = [];
  try {
    collectReplaced(JSON.parse(bytes.toString('utf8')), '', paths);
  } catch {
    // not JSON either: the body as a whole
  }
  const message = 'is not valid UTF-8';
  return new ValidationError(paths.length ? paths.slice(0, 20).map((path) => ({ path, message })) : [{ path: '', message: `the body ${message}` }]);
}

function collectReplaced(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('\uFFFD')) out.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collectReplaced(item, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = path ? `${path}.${key}` : key;
      if (key.includes('\uFFFD')) out.push(keyPath);
      collectReplaced(item, keyPath, out);
    }
  }
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

// Methods a route does not serve answer with the API's error shape (Next.js would send
// an empty 405), naming the ones it does.
export function methodNotAllowed(allowed: string[]) {
  return async (): Promise<Response> =>
    errorResponse('method_not_allowed', `this endpoint accepts ${allowed.join(', ')}`, undefined, { allow: allowed.join(', ') });
}
