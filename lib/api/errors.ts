import { z } from 'zod';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/index.ts';
import { isDataError } from '../supabase-optimization/index.ts';

// One table maps every error code to its HTTP status; the codes' type and the OpenAPI
// document's Error schema are read off it.
export const STATUS_BY_CODE = {
  bad_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
  database_unavailable: 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof STATUS_BY_CODE;

export const API_ERROR_CODES = Object.keys(STATUS_BY_CODE) as [ApiErrorCode, ...ApiErrorCode[]];

// The body of every error response.
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(API_ERROR_CODES),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  constructor(code: ApiErrorCode, message: string, options: { details?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export function errorResponse(code: ApiErrorCode, message: string, details?: unknown, headers?: Record<string, string>): Response {
  return Response.json(
    { error: details === undefined ? { code, message } : { code, message, details } },
    { status: STATUS_BY_CODE[code], headers: { 'cache-control': 'no-store', ...headers } },
  );
}

// Known errors keep their message; anything else becomes a 500 that reveals nothing
// (the request id ties it to the server log).
export function toErrorResponse(error: unknown, requestId: string): Response {
  if (error instanceof ApiError) return errorResponse(error.code, error.message, error.details, error.headers);
  if (isDataError(error)) {
    const code: ApiErrorCode =
      error.code === 'validation' ? 'validation_failed' : error.code === 'not_found' ? 'not_found' : error.code;
    return errorResponse(code, error.message, error.details);
  }
  // an outage is not a fault of ours to log as one: the client is told when to come back
  if (isDatabaseUnavailable(error)) {
    const unknown = (error as { outcomeUnknown?: boolean }).outcomeUnknown
      ? ' The write may or may not have been saved: retrying it with the same ids is safe.'
      : '';
    return errorResponse(
      'database_unavailable',
      `the database is unavailable (restarting or unreachable): retry in ${RETRY_AFTER_SECONDS} s.${unknown}`,
      undefined,
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  const pg = error as { code?: string };
  if (pg?.code === '57014') {
    return errorResponse('internal_error', 'the query took too long and was cancelled', { requestId });
  }
  console.error(`[api] ${requestId} unexpected error:`, error instanceof Error ? error.stack ?? error.message : error);
  return errorResponse('internal_error', 'something went wrong on our side', { requestId });
}
