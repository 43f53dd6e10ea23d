import type { z } from 'zod';

export type DataErrorCode = 'not_found' | 'forbidden' | 'conflict' | 'validation' | 'unauthorized';

export interface FieldIssue {
  path: string;
  message: string;
}

// Typed errors routes map to statuses. A row the caller may not see is NotFoundError,
// never ForbiddenError: the caller learns nothing about other tenants.
export class DataError extends Error {
  readonly code: DataErrorCode;
  readonly details?: unknown;
  constructor(code: DataErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'DataError';
    this.code = code;
    this.details = details;
  }
}

export class NotFoundError extends DataError {
  constructor(what: string, id?: string) {
    super('not_found', id ? `${what} ${id} not found` : `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends DataError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}

// The caller's credentials stopped being valid during the request: an API key revoked or
// expired since it was presented (see private.require_live_api_key).
export class UnauthorizedError extends DataError {
  constructor(message: string) {
    super('unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export class ConflictError extends DataError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, details);
    this.name = 'ConflictError';
  }
}

export class ValidationError extends DataError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super('validation', describeIssues(issues), { issues });
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

function describeIssues(issues: FieldIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `invalid input: ${shown.join('; ')}${more}`;
}

export function isDataError(error: unknown): error is DataError {
  return error instanceof DataError;
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
          : issue.message;
      return { path, message };
    }),
  );
}

interface PgError {
  code?: string;
  message?: string;
  constraint_name?: string;
  column_name?: string;
}

// Database errors the schema raises on purpose, as typed errors; anything else is rethrown.
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof DataError || typeof error !== 'object' || error === null) return error;
  const pg = error as PgError;
  switch (pg.code) {
    case '23514':
      // raised by a trigger (no constraint name): its message is the explanation
      return new ValidationError([
        { path: constraintField(pg.constraint_name), message: pg.constraint_name ? `violates ${pg.constraint_name}` : (pg.message ?? 'violates a check constraint') },
      ]);
    case '23502':
      return new ValidationError([{ path: pg.column_name ?? '', message: 'is required' }]);
    case '22P02':
    case '22P05':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
    case '22021':
      return new ValidationError([{ path: '', message: pg.message ?? 'invalid value' }]);
    case '28000':
      return new UnauthorizedError(pg.message ?? 'the credentials are not valid');
    case '23505':
      return new ConflictError(`already exists (${pg.constraint_name ?? 'unique constraint'})`);
    default:
      return error;
  }
}

// Checks across columns, blamed on the field a caller most likely got wrong.
const CROSS_FIELD_CHECKS: Record<string, string> = {
  optimization_runs_time_order: 'endedAt',
  optimization_runs_sample_counts: 'samplesEvaluated',
};

function constraintField(name: string | undefined): string {
  if (!name) return '';
  if (CROSS_FIELD_CHECKS[name]) return CROSS_FIELD_CHECKS[name];
  const match = /^optimization_(?:runs|iterations|samples)_(.+?)(?:_range|_check|_length|_format|_nonnegative|_object)?$/.exec(name);
  return match ? snakeToCamel(match[1]!) : name;
}

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
