'use client';

import { useId, useState } from 'react';
import type { JsonValue } from '@/lib/supabase-optimization/schemas';
import { stableStringify } from '@/lib/json-flatten';
import { JsonTree } from './json-tree';
import { demoEntries, programModelOf } from './program-model';

// The program an iteration produced: instructions and demos per predictor, or the raw JSON.
export function ProgramState({ state }: { state: JsonValue | null }) {
  const model = programModelOf(state);
  const [raw, setRaw] = useState(model === null);
  const [copied, setCopied] = useState(false);
  const rawId = useId();
  const json = stableStringify(state);

  if (state === null) {
    return <p className="muted text-sm">This iteration logged no program state.</p>;
  }

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(json);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center gap-2">
        {model && (
          <div role="group" aria-label="Program state view" className="inline-flex rounded-md shadow-sm">
            <button
              type="button"
              aria-pressed={!raw}
              onClick={() => setRaw(false)}
              className={`btn rounded-r-none ${!raw ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            >
              Readable
            </button>
            <button
              type="button"
              aria-pressed={raw}
              aria-controls={raw ? rawId : undefined}
              onClick={() => setRaw(true)}
              className={`btn -ml-px rounded-l-none ${raw ? 'bg-zinc-100 dark:bg-zinc-700' : ''}`}
            >
              Raw JSON
            </button>
          </div>
        )}
        {raw && (
          <button type="button" className="btn text-xs" onClick={copy}>
            {copied ? 'Copied' : 'Copy JSON'}
          </button>
        )}
      </div>

      {raw || !model ? (
        <pre
          id={rawId}
          tabIndex={0}
          aria-label="Program state as JSON"
          className="max-h-[32rem] overflow-auto rounded-lg bg-zinc-50 p-3 font-mono text-xs leading-relaxed text-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:bg-zinc-950 dark:text-zinc-200"
        >
          {json}
        </pre>
      ) : (
        <div className="space-y-5">
          {model.predictors.map((p, index) => (
            <div key={p.name ?? index} className="space-y-3">
              {(p.name || p.signature) && (
                <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                  {p.name && <h3 className="font-mono text-sm font-semibold">{p.name}</h3>}
                  {p.signature && (
                    <span className="rounded bg-zinc-100 px-2 py-0.5 font-mono text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
                      {p.signature}
                    </span>
                  )}
                </div>
              )}
              <div>
                <p className="label">Instructions</p>
                {p.instructions ? (
                  <blockquote className="rounded-lg border-l-4 border-indigo-400 bg-indigo-50/50 px-4 py-3 text-sm leading-relaxed whitespace-pre-wrap text-zinc-800 dark:border-indigo-500 dark:bg-indigo-400/5 dark:text-zinc-200">
                    {p.instructions}
                  </blockquote>
                ) : (
                  <p className="muted text-sm">No instructions.</p>
                )}
              </div>
              <div>
                <p className="label">
                  Demos <span className="font-normal">({p.demos.length})</span>
                </p>
                {p.demos.length === 0 ? (
                  <p className="muted text-sm">No demos (zero-shot).</p>
                ) : (
                  <ol className="grid gap-2 lg:grid-cols-2">
                    {p.demos.map((demo, i) => (
                      <li
                        key={i}
                        className="rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800"
                        aria-label={`Demo ${i + 1}`}
                      >
                        <DemoView demo={demo} index={i} />
                      </li>
                    ))}
                  </ol>
                )}
              </div>
            </div>
          ))}
          {Object.keys(model.extra).length > 0 && (
            <div>
              <p className="label">Other fields</p>
              <JsonTree value={model.extra} openDepth={1} />
            </div>
          )}
        </div>
      )}
    </div>
  );
}

function DemoView({ demo, index }: { demo: JsonValue; index: number }) {
  if (typeof demo === 'object' && demo !== null && !Array.isArray(demo)) {
    return (
      <dl className="space-y-1.5">
        {demoEntries(demo).map(([key, value], j) => (
          <div key={key}>
            <dt className="text-[11px] font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">
              {j === 0 && <span className="mr-1.5 font-mono normal-case text-zinc-500 dark:text-zinc-400">#{index + 1}</span>}
              {key}
            </dt>
            <dd className="break-words whitespace-pre-wrap">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className="font-mono text-xs break-words">{JSON.stringify(demo)}</span>;
}
