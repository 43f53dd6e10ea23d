'use client';

import { useState, useTransition } from 'react';
import type { SettingsActionResult } from '@/lib/dashboard/action-states';
import type { FormError, ProjectRole } from '@/lib/supabase-optimization';
import { FormAlert } from './form-feedback';

const ROLES: ProjectRole[] = ['owner', 'admin', 'member', 'viewer'];

// A member's role, changed as soon as another is picked; a refused change snaps back.
export type UpdateMemberRole = (userId: string, role: string) => Promise<SettingsActionResult>;
export type RemoveMember = (userId: string) => Promise<SettingsActionResult>;

export function MemberRoleSelect({
  updateRole,
  userId,
  email,
  role,
  canGrantOwner,
}: {
  updateRole: UpdateMemberRole;
  userId: string;
  email: string;
  role: ProjectRole;
  canGrantOwner: boolean;
}) {
  const [value, setValue] = useState<ProjectRole>(role);
  const [error, setError] = useState<FormError | null>(null);
  const [pending, startTransition] = useTransition();

  const change = (next: ProjectRole) => {
    const previous = value;
    setValue(next);
    setError(null);
    startTransition(async () => {
      const result = await updateRole(userId, next);
      if (!result.ok) {
        setValue(previous);
        setError(result.error);
      }
    });
  };

  return (
    <div className="space-y-2">
      <select
        className="input w-auto min-w-28"
        value={value}
        disabled={pending}
        aria-busy={pending}
        aria-label={`Role of ${email}`}
        data-testid="member-role"
        onChange={(e) => change(e.target.value as ProjectRole)}
      >
        {ROLES.map((r) => (
          <option key={r} value={r} disabled={r === 'owner' && !canGrantOwner && value !== 'owner'}>
            {r}
          </option>
        ))}
      </select>
      {error && (
        <div className="max-w-xs">
          <FormAlert error={error} title="Role not changed" />
        </div>
      )}
    </div>
  );
}

export function RemoveMemberButton({
  removeMember,
  userId,
  email,
  self,
}: {
  removeMember: RemoveMember;
  userId: string;
  email: string;
  self: boolean;
}) {
  const [error, setError] = useState<FormError | null>(null);
  const [pending, startTransition] = useTransition();

  const remove = () => {
    const question = self
      ? 'Leave this project? You lose access to its runs at once.'
      : `Remove ${email} from this project? They lose access to its runs at once.`;
    if (!window.confirm(question)) return;
    startTransition(async () => {
      const result = await removeMember(userId);
      setError(result.ok ? null : result.error);
    });
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <button
        type="button"
        className="btn btn-danger"
        onClick={remove}
        disabled={pending}
        aria-label={self ? 'Leave this project' : `Remove ${email}`}
        data-testid="remove-member"
      >
        {pending ? (self ? 'Leaving…' : 'Removing…') : self ? 'Leave' : 'Remove'}
      </button>
      {error && (
        <div className="w-64 text-left">
          <FormAlert error={error} title={self ? 'Not left' : 'Not removed'} />
        </div>
      )}
    </div>
  );
}
