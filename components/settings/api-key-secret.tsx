'use client';

import { useEffect, useRef, useState } from 'react';

// The new key's secret, shown once: copy it now or lose it.
export function ApiKeySecret({ secret, name, onDone }: { secret: string; name: string; onDone: () => void }) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const codeRef = useRef<HTMLElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  useEffect(() => {
    if (copy !== 'copied') return;
    const t = setTimeout(() => setCopy('idle'), 2500);
    return () => clearTimeout(t);
  }, [copy]);

  const selectSecret = () => {
    const node = codeRef.current;
    const selection = window.getSelection();
    if (!node || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  };

  const copySecret = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopy('copied');
    } catch {
      // no clipboard access (an insecure origin, or permission denied): let the user copy by hand
      selectSecret();
      setCopy('failed');
    }
  };

  return (
    <div
      ref={boxRef}
      tabIndex={-1}
      role="region"
      aria-label={`New API key ${name}`}
      className="rounded-lg border-2 border-amber-400 bg-amber-50 p-4 focus:outline-none dark:border-amber-400/60 dark:bg-amber-400/10"
      data-testid="api-key-created"
    >
      <p className="text-sm font-semibold text-amber-900 dark:text-amber-200">API key “{name}” created</p>
      <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
        <strong>Copy it now: it will not be shown again.</strong> Only a hash is stored; if you lose it, revoke it and
        create a new one.
      </p>
      <div className="mt-3 flex flex-col gap-2 sm:flex-row sm:items-center">
        <code
          ref={codeRef}
          data-testid="api-key-secret"
          className="block min-w-0 flex-1 overflow-x-auto rounded-md border border-amber-300 bg-white px-3 py-2 font-mono text-sm break-all text-zinc-900 select-all dark:border-amber-400/40 dark:bg-zinc-950 dark:text-zinc-100"
        >
          {secret}
        </code>
        <div className="flex shrink-0 gap-2">
          <button type="button" className="btn btn-primary" onClick={copySecret} data-testid="copy-api-key">
            {copy === 'copied' ? (
              <>
                <svg aria-hidden width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5">
                  <path d="M20 6 9 17l-5-5" />
                </svg>
                Copied
              </>
            ) : (
              <>
                <svg aria-hidden width="15" height="15" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
                  <rect x="9" y="9" width="12" height="12" rx="2" />
                  <path d="M5 15V5a2 2 0 0 1 2-2h10" />
                </svg>
                Copy
              </>
            )}
          </button>
          <button type="button" className="btn" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
      <p aria-live="polite" className="mt-2 text-xs text-amber-900 empty:hidden dark:text-amber-200">
        {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'failed' ? 'The clipboard is not available here: the key is selected, press Ctrl+C (⌘C) to copy it.' : ''}
      </p>
    </div>
  );
}
