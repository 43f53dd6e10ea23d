'use client';

import { useActionState, useId, useState } from 'react';
import type { CreateApiKeyState } from '@/lib/dashboard/action-states';
import { ApiKeySecret } from './api-key-secret';
import { FieldError, FormAlert } from './form-feedback';

type Action = (prev: CreateApiKeyState, formData: FormData) => Promise<CreateApiKeyState>;

export function CreateApiKeyForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, { status: 'idle' });
  const [dismissed, setDismissed] = useState<string | null>(null);
  const uid = useId();
  const error = state.status === 'error' ? state.error : null;
  const values = state.status === 'error' ? state.values : { name: '', scopes: ['read', 'write'] };
  const fields = error?.fields ?? {};

  return (
    <div className="space-y-4">
      {state.status === 'created' && dismissed !== state.secret && (
        <ApiKeySecret
          key={state.secret}
          secret={state.secret}
          name={state.name}
          onDone={() => setDismissed(state.secret)}
        />
      )}
      <form action={formAction} className="space-y-3" noValidate aria-label="Create an API key">
        {error && <FormAlert error={error} title="The key was not created" />}
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="sm:w-72">
            <label htmlFor={`${uid}-name`} className="label">
              Key name
            </label>
            <input
              id={`${uid}-name`}
              name="name"
              required
              maxLength={100}
              autoComplete="off"
              placeholder="nightly-miprov2-job"
              className="input aria-invalid:border-red-500 dark:aria-invalid:border-red-400"
              data-testid="api-key-name"
              defaultValue={values.name}
              aria-invalid={fields.name ? true : undefined}
              aria-describedby={fields.name ? `${uid}-name-error` : undefined}
            />
          </div>
          <fieldset
            className="flex items-center gap-4 rounded-md px-1 py-1 aria-invalid:ring-2 aria-invalid:ring-red-400 sm:mb-0.5"
            aria-invalid={fields.scopes ? true : undefined}
            aria-describedby={fields.scopes ? `${uid}-scopes-error` : `${uid}-scopes-hint`}
          >
            <legend className="sr-only">Scopes</legend>
            <label className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                name="scopes"
                value="read"
                defaultChecked={values.scopes.includes('read')}
                data-testid="api-key-scope-read"
                className="size-4 accent-indigo-600"
              />
              read
            </label>
            <label className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                name="scopes"
                value="write"
                defaultChecked={values.scopes.includes('write')}
                data-testid="api-key-scope-write"
                className="size-4 accent-indigo-600"
              />
              write
            </label>
          </fieldset>
          <button type="submit" className="btn btn-primary sm:ml-1" disabled={pending} data-testid="create-api-key">
            {pending ? 'Creating…' : 'Create key'}
          </button>
        </div>
        <FieldError id={`${uid}-name-error`} message={fields.name} />
        <FieldError id={`${uid}-scopes-error`} message={fields.scopes && `Scopes: ${fields.scopes}`} />
        <p id={`${uid}-scopes-hint`} className="muted text-xs">
          <strong className="font-medium">read</strong> lists runs and their results; <strong className="font-medium">write</strong> also creates
          runs and posts iterations and samples. A key acts on this project only.
        </p>
      </form>
    </div>
  );
}
