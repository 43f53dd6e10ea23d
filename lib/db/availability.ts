import { AsyncLocalStorage } from 'node:async_hooks';
import { getDatabaseSettings } from '../config/index.ts';
import { DATABASE_UNAVAILABLE_DIGEST } from '../outage.ts';

// How long a client should wait before trying again while the database is unavailable:
// about what a PostgreSQL restart takes.
export const RETRY_AFTER_SECONDS = 5;

// The database could not be reached, closed the connection, or did not answer in time.
// Answered as 503 with Retry-After; `outcomeUnknown` when a write may have committed
// (the connection failed after COMMIT was sent), so a retry must be one that is safe to repeat.
export class DatabaseUnavailableError extends Error {
  readonly outcomeUnknown: boolean;
  readonly digest = DATABASE_UNAVAILABLE_DIGEST;
  constructor(reason: string, options: { cause?: unknown; outcomeUnknown?: boolean } = {}) {
    super(reason, { cause: options.cause });
    this.name = 'DatabaseUnavailableError';
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

// The transaction did not finish before the request's deadline.
export class DeadlineError extends DatabaseUnavailableError {
  constructor(what: string, options: { outcomeUnknown?: boolean } = {}) {
    super(`the database did not answer in time (${what})`, options);
    this.name = 'DeadlineError';
  }
}

// Node socket errors that mean the server is unreachable or the connection died.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// postgres.js: CONNECTION_CLOSED, CONNECTION_ENDED, CONNECTION_DESTROYED, CONNECT_TIMEOUT
const DRIVER_CODE = /^CONNECT(ION)?_/;
// SQLSTATE 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now,
// 53300 too_many_connections, class 08 connection exceptions.
const SQLSTATE_UNAVAILABLE = /^(57P0[123]|53300|08...)$/;

// Whether an error means "the database is not there right now" rather than a fault in
// the request or the query. Such a failure leaves the connection unusable.
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return SOCKET_CODES.has(code) || DRIVER_CODE.test(code) || SQLSTATE_UNAVAILABLE.test(code);
}

// A request's deadline (epoch ms): the API handler opens one per request, so every
// transaction of the request (and the wait for a pooled connection) fits in it. Work
// outside a request (pages, scripts) gets a fresh one per transaction.
const deadlines = new AsyncLocalStorage<number>();

export function withRequestDeadline<T>(fn: () => Promise<T>): Promise<T> {
  return deadlines.run(Date.now() + getDatabaseSettings().requestTimeoutMs, fn);
}

export function currentDeadline(): number {
  return deadlines.getStore() ?? Date.now() + getDatabaseSettings().requestTimeoutMs;
}
