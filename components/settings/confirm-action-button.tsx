'use client';

import { useState, useTransition } from 'react';
import type { SettingsActionResult } from '@/lib/dashboard/action-states';
import type { FormError } from '@/lib/supabase-optimization';
import { FormAlert } from './form-feedback';

// A destructive settings action: asked for confirmation, run as a transition, and its
// refusal shown under the button.
export function ConfirmActionButton({
  question,
  run,
  label,
  pendingLabel,
  ariaLabel,
  testId,
  errorTitle,
}: {
  question: string;
  run: () => Promise<SettingsActionResult>;
  label: string;
  pendingLabel: string;
  ariaLabel: string;
  testId: string;
  errorTitle: string;
}) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<FormError | null>(null);

  const act = () => {
    if (!window.confirm(question)) return;
    startTransition(async () => {
      const result = await run();
      setError(result.ok ? null : result.error);
    });
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <button type="button" className="btn btn-danger" onClick={act} disabled={pending} aria-label={ariaLabel} data-testid={testId}>
        {pending ? pendingLabel : label}
      </button>
      {error && (
        <div className="w-64 text-left">
          <FormAlert error={error} title={errorTitle} />
        </div>
      )}
    </div>
  );
}
