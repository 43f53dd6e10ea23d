'use client';

import { useState, useTransition } from 'react';
import type { SettingsActionResult } from '@/lib/dashboard/action-states';
import type { FormError, ProjectRole } from '@/lib/supabase-optimization';
import { ConfirmActionButton } from './confirm-action-button';
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
  return (
    <ConfirmActionButton
      question={
        self
          ? 'Leave this project? You lose access to its runs at once.'
          : `Remove ${email} from this project? They lose access to its runs at once.`
      }
      run={() => removeMember(userId)}
      label={self ? 'Leave' : 'Remove'}
      pendingLabel={self ? 'Leaving…' : 'Removing…'}
      ariaLabel={self ? 'Leave this project' : `Remove ${email}`}
      testId="remove-member"
      errorTitle={self ? 'Not left' : 'Not removed'}
    />
  );
}
