'use client';

import { useId, useState } from 'react';
import type { CreateProjectState } from '@/lib/dashboard/action-states';
import { NewProjectForm } from './new-project-form';

type Action = (prev: CreateProjectState, formData: FormData) => Promise<CreateProjectState>;

// "New project" button that opens the form in place (open from the start on an empty home).
export function NewProjectButton({ action }: { action: Action }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <button
        type="button"
        className="btn btn-primary"
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="new-project"
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5">
          <path d="M12 5v14M5 12h14" />
        </svg>
        New project
      </button>
      <div id={panelId} hidden={!open} className="order-last w-full basis-full">
        {open && (
          <section aria-label="New project" className="card mt-2 p-5">
            <h2 className="mb-4 text-base font-semibold">New project</h2>
            <NewProjectForm action={action} onCancel={() => setOpen(false)} />
          </section>
        )}
      </div>
    </>
  );
}
