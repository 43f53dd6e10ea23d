import { isDataError, ValidationError, type DataErrorCode } from './errors.ts';

// A data-layer error as plain data a server action can return to a form: the message,
// and for invalid input the message of each field (by path, "" for the whole form).
export interface FormError {
  code: DataErrorCode | 'unexpected';
  message: string;
  fields: Record<string, string>;
}

// Unexpected errors are logged and reported without their details.
export function toFormError(error: unknown, action: string): FormError {
  if (error instanceof ValidationError) {
    const fields: Record<string, string> = {};
    for (const issue of error.issues) fields[issue.path] ??= issue.message;
    return { code: 'validation', message: error.message, fields };
  }
  if (isDataError(error)) return { code: error.code, message: error.message, fields: {} };
  console.error(`[${action}] unexpected error:`, error instanceof Error ? (error.stack ?? error.message) : error);
  return { code: 'unexpected', message: 'Something went wrong on our side. Try again in a moment.', fields: {} };
}
