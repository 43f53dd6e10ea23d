'use client';

import { useActionState, useId, useState } from 'react';
import type { CreateProjectState } from '@/lib/dashboard/action-states';
import { FieldError, FormAlert } from '@/components/settings/form-feedback';

type Action = (prev: CreateProjectState, formData: FormData) => Promise<CreateProjectState>;

const ID_HINT = '3–63 characters: lowercase letters, digits, "_" and "-", starting with a letter or digit. It cannot be changed later.';

function suggestId(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

export function NewProjectForm({ action, onCancel }: { action: Action; onCancel?: () => void }) {
  const [state, formAction, pending] = useActionState(action, {
    error: null,
    values: { id: '', name: '', description: '' },
  });
  const [name, setName] = useState(state.values.name);
  const [id, setId] = useState(state.values.id);
  const [idEdited, setIdEdited] = useState(false);
  const uid = useId();
  const fields = state.error?.fields ?? {};
  const shownId = idEdited ? id : id || suggestId(name);

  return (
    <form action={formAction} className="space-y-4" aria-describedby={state.error ? `${uid}-error` : undefined} noValidate>
      {state.error && <FormAlert id={`${uid}-error`} error={state.error} title="The project was not created" />}
      <div className="grid gap-4 sm:grid-cols-2">
        <div>
          <label htmlFor={`${uid}-name`} className="label">
            Name
          </label>
          <input
            id={`${uid}-name`}
            name="name"
            required
            maxLength={200}
            autoComplete="off"
            data-testid="new-project-name"
            className="input aria-invalid:border-red-500 dark:aria-invalid:border-red-400"
            placeholder="Support QA bot"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={fields.name ? true : undefined}
            aria-describedby={fields.name ? `${uid}-name-error` : undefined}
          />
          <FieldError id={`${uid}-name-error`} message={fields.name} />
        </div>
        <div>
          <label htmlFor={`${uid}-id`} className="label">
            Project id
          </label>
          <input
            id={`${uid}-id`}
            name="id"
            required
            maxLength={63}
            autoComplete="off"
            spellCheck={false}
            data-testid="new-project-id"
            className="input font-mono aria-invalid:border-red-500 dark:aria-invalid:border-red-400"
            placeholder="support-qa"
            value={shownId}
            onChange={(e) => {
              setIdEdited(true);
              setId(e.target.value);
            }}
            aria-invalid={fields.id ? true : undefined}
            aria-describedby={`${uid}-id-hint${fields.id ? ` ${uid}-id-error` : ''}`}
          />
          <p id={`${uid}-id-hint`} className="muted mt-1 text-xs">
            {ID_HINT}
          </p>
          <FieldError id={`${uid}-id-error`} message={fields.id} />
        </div>
      </div>
      <div>
        <label htmlFor={`${uid}-description`} className="label">
          Description <span className="font-normal">(optional)</span>
        </label>
        <textarea
          id={`${uid}-description`}
          name="description"
          rows={2}
          maxLength={2000}
          data-testid="new-project-description"
          className="input aria-invalid:border-red-500 dark:aria-invalid:border-red-400"
          defaultValue={state.values.description}
          placeholder="What the DSPy program does and how it is scored"
          aria-invalid={fields.description ? true : undefined}
          aria-describedby={fields.description ? `${uid}-description-error` : undefined}
        />
        <FieldError id={`${uid}-description-error`} message={fields.description} />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="create-project">
          {pending ? 'Creating…' : 'Create project'}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        )}
        <p className="muted text-xs">You become its owner; add members and API keys in its settings.</p>
      </div>
    </form>
  );
}
