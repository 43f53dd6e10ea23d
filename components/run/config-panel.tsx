import type { JsonObject } from '@/lib/supabase-optimization/schemas';
import { JsonTree } from './json-tree';

// The run's config and metadata as collapsible trees of typed values.
export function ConfigPanel({ config, metadata }: { config: JsonObject; metadata: JsonObject }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Panel title="Configuration" value={config} testId="run-config" empty="No configuration was logged." />
      <Panel title="Metadata" value={metadata} testId="run-metadata" empty="No metadata was logged." />
    </div>
  );
}

function Panel({ title, value, testId, empty }: { title: string; value: JsonObject; testId: string; empty: string }) {
  const count = Object.keys(value).length;
  return (
    <details open className="card group/panel" data-testid={testId}>
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-xl px-4 py-3 select-none focus-visible:outline-2 focus-visible:outline-indigo-500 sm:px-5 [&::-webkit-details-marker]:hidden">
        <span aria-hidden className="text-zinc-500 transition-transform group-open/panel:rotate-90 dark:text-zinc-400">
          ▸
        </span>
        <h2 className="text-base font-semibold">{title}</h2>
        <span className="muted text-xs">
          {count} key{count === 1 ? '' : 's'}
        </span>
      </summary>
      <div className="max-h-96 overflow-auto border-t border-zinc-100 px-4 py-3 sm:px-5 dark:border-zinc-800">
        {count === 0 ? <p className="muted text-sm">{empty}</p> : <JsonTree value={value} openDepth={2} />}
      </div>
    </details>
  );
}
