'use client';

import { useState, useTransition } from 'react';
import type { SettingsActionResult } from '@/lib/dashboard/action-states';
import type { FormError } from '@/lib/supabase-optimization';
import { FormAlert } from './form-feedback';

export function RevokeApiKeyButton({
  keyId,
  name,
  revokeKey,
}: {
  keyId: string;
  name: string;
  revokeKey: (keyId: string) => Promise<SettingsActionResult>;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<FormError | null>(null);

  const revoke = () => {
    if (!window.confirm(`Revoke the API key “${name}”? Scripts using it stop working at once. This cannot be undone.`)) return;
    startTransition(async () => {
      const result = await revokeKey(keyId);
      setError(result.ok ? null : result.error);
    });
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <button
        type="button"
        className="btn btn-danger"
        onClick={revoke}
        disabled={pending}
        aria-label={`Revoke API key ${name}`}
        data-testid="revoke-api-key"
      >
        {pending ? 'Revoking…' : 'Revoke'}
      </button>
      {error && (
        <div className="w-64 text-left">
          <FormAlert error={error} title="Not revoked" />
        </div>
      )}
    </div>
  );
}
