import { randomUUID } from 'node:crypto';
import http from 'node:http';

// Requests Next.js cannot route (a method undici refuses, a path that is not valid
// percent-encoded UTF-8) fail inside Next.js with a plain-text 500, and a query that is not
// UTF-8 reaches handlers already turned into U+FFFD: all are answered here, from the raw
// request, with the API's error shape under /api and plain text elsewhere.
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const allowed = new Set<string>(ALLOWED_METHODS);

export interface GuardVerdict {
  status: number;
  code: 'method_not_allowed' | 'bad_request' | 'validation_failed';
  message: string;
  issues?: { path: string; message: string }[];
}

function decodes(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

// Query parameters whose name or value is not valid percent-encoded UTF-8 (the same rule
// as text in a body: refused, naming the parameter).
export function queryIssues(query: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodes(rawName);
    if (name === null) issues.push({ path: rawName.slice(0, 100), message: 'the parameter name is not valid percent-encoded UTF-8' });
    else if (eq >= 0 && decodes(part.slice(eq + 1)) === null) issues.push({ path: name, message: 'is not valid percent-encoded UTF-8' });
  }
  return issues;
}

export function checkRequest(method: string | undefined, url: string | undefined): GuardVerdict | null {
  if (!method || !allowed.has(method)) {
    return { status: 405, code: 'method_not_allowed', message: `the method ${method ?? '(none)'} is not supported` };
  }
  const target = (url ?? '/').split('#')[0]!;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path.split('/').some((segment) => decodes(segment.replace(/\+/g, '%2B')) === null)) {
    return { status: 400, code: 'bad_request', message: 'the path is not valid percent-encoded UTF-8' };
  }
  const issues = q < 0 ? [] : queryIssues(target.slice(q + 1));
  if (issues.length) {
    const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
    return { status: 422, code: 'validation_failed', message: `invalid input: ${shown}`, issues };
  }
  return null;
}

function reject(req: http.IncomingMessage, res: http.ServerResponse, verdict: GuardVerdict): void {
  const api = (req.url ?? '').startsWith('/api/');
  const headers: Record<string, string> = { 'cache-control': 'no-store', connection: 'close', 'x-request-id': randomUUID() };
  if (verdict.status === 405) headers.allow = ALLOWED_METHODS.join(', ');
  const error = { code: verdict.code, message: verdict.message, ...(verdict.issues ? { details: { issues: verdict.issues } } : {}) };
  const body = api ? JSON.stringify({ error }) : `${verdict.message}\n`;
  headers['content-type'] = api ? 'application/json' : 'text/plain; charset=utf-8';
  res.writeHead(verdict.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  req.resume();
}

let installed = false;

// Runs before every 'request' listener of every HTTP server in this process (Next.js's own).
export function installRequestGuard(): void {
  if (installed) return;
  installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      const verdict = checkRequest(req.method, req.url);
      if (verdict) {
        reject(req, res, verdict);
        return true;
      }
    }
    return (emit as (...a: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof emit;
}
