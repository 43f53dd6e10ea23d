'use client';

import { useActionState, useId } from 'react';
import type { AddMemberState } from '@/lib/dashboard/action-states';
import { FieldError, FormAlert } from './form-feedback';

type Action = (prev: AddMemberState, formData: FormData) => Promise<AddMemberState>;

export function AddMemberForm({ action, canGrantOwner }: { action: Action; canGrantOwner: boolean }) {
  const [state, formAction, pending] = useActionState(action, { status: 'idle' });
  const uid = useId();
  const error = state.status === 'error' ? state.error : null;
  const values = state.status === 'error' ? state.values : { email: '', role: 'member' };
  const fields = error?.fields ?? {};

  return (
    <form action={formAction} className="space-y-3" noValidate aria-label="Add a member">
      {error && <FormAlert error={error} title="The member was not added" />}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="sm:w-72">
          <label htmlFor={`${uid}-email`} className="label">
            Email
          </label>
          <input
            id={`${uid}-email`}
            name="email"
            type="email"
            required
            autoComplete="off"
            placeholder="teammate@example.com"
            className="input aria-invalid:border-red-500 dark:aria-invalid:border-red-400"
            data-testid="member-email"
            defaultValue={values.email}
            aria-invalid={fields.email ? true : undefined}
            aria-describedby={`${uid}-email-hint${fields.email ? ` ${uid}-email-error` : ''}`}
          />
        </div>
        <div>
          <label htmlFor={`${uid}-role`} className="label">
            Role
          </label>
          <select
            id={`${uid}-role`}
            name="role"
            className="input w-auto min-w-28"
            defaultValue={values.role}
            data-testid="add-member-role"
          >
            {canGrantOwner && <option value="owner">owner</option>}
            <option value="admin">admin</option>
            <option value="member">member</option>
            <option value="viewer">viewer</option>
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="add-member">
          {pending ? 'Adding…' : 'Add member'}
        </button>
      </div>
      <FieldError id={`${uid}-email-error`} message={fields.email} />
      <p id={`${uid}-email-hint`} className="muted text-xs">
        They must have signed in to Optiscope once. Adding someone who is already a member changes their role.
      </p>
      <p aria-live="polite" className="text-sm text-emerald-700 empty:hidden dark:text-emerald-400">
        {state.status === 'added' ? `Added ${state.email} as ${state.role}.` : ''}
      </p>
    </form>
  );
}
