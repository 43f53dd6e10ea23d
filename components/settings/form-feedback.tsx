import type { FormError } from '@/lib/supabase-optimization';

const TITLES: Record<FormError['code'], string> = {
  forbidden: 'Not allowed',
  unauthorized: 'Signed out',
  not_found: 'Not found',
  conflict: 'Conflict',
  validation: 'Check the highlighted fields',
  unexpected: 'Something went wrong',
};

const FIELD_NAMES: Record<string, string> = {
  id: 'Project id',
  name: 'Name',
  description: 'Description',
  email: 'Email',
  role: 'Role',
  scopes: 'Scopes',
  projectId: 'Project',
};

const fieldName = (path: string) => FIELD_NAMES[path] ?? path;

// A failed action, announced to screen readers: what failed and why; for invalid input,
// every field with its problem (also shown next to the field).
export function FormAlert({ error, title, id }: { error: FormError; title?: string; id?: string }) {
  const issues = Object.entries(error.fields);
  return (
    <div
      id={id}
      role="alert"
      data-testid="form-error"
      data-code={error.code}
      className="rounded-lg border border-red-300 bg-red-50 px-3.5 py-3 text-sm text-red-800 dark:border-red-500/40 dark:bg-red-500/10 dark:text-red-200"
    >
      <p className="font-semibold">{title ?? TITLES[error.code]}</p>
      {error.code === 'validation' && issues.length > 0 ? (
        <ul className="mt-1 list-disc pl-5">
          {issues.map(([path, message]) => (
            <li key={path}>{path ? `${fieldName(path)}: ${message}` : message}</li>
          ))}
        </ul>
      ) : (
        <p className="mt-0.5">{capitalize(error.message)}</p>
      )}
    </div>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-xs font-medium text-red-700 dark:text-red-300">
      {capitalize(message)}
    </p>
  );
}

function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}
