'use client';

import type { SettingsActionResult } from '@/lib/dashboard/action-states';
import { ConfirmActionButton } from './confirm-action-button';

export function RevokeApiKeyButton({
  keyId,
  name,
  revokeKey,
}: {
  keyId: string;
  name: string;
  revokeKey: (keyId: string) => Promise<SettingsActionResult>;
}) {
  return (
    <ConfirmActionButton
      question={`Revoke the API key “${name}”? Scripts using it stop working at once. This cannot be undone.`}
      run={() => revokeKey(keyId)}
      label="Revoke"
      pendingLabel="Revoking…"
      ariaLabel={`Revoke API key ${name}`}
      testId="revoke-api-key"
      errorTitle="Not revoked"
    />
  );
}
