import type { JsonValue } from '@/lib/supabase-optimization/schemas';

// Nested JSON as a collapsible tree (native <details>: keyboard and screen-reader friendly,
// no JavaScript), values colored by type.
export function JsonTree({
  value,
  openDepth = 1,
  className = '',
  label,
}: {
  value: JsonValue | undefined;
  openDepth?: number;
  className?: string;
  label?: string;
}) {
  const isContainer = typeof value === 'object' && value !== null;
  const empty = isContainer && Object.keys(value).length === 0;
  return (
    <div className={`font-mono text-xs leading-relaxed ${className}`} aria-label={label} role={label ? 'group' : undefined}>
      {isContainer && !empty ? <Entries value={value} depth={0} openDepth={openDepth} /> : <JsonScalar value={value ?? null} />}
    </div>
  );
}

function Entries({ value, depth, openDepth }: { value: JsonValue[] | { [key: string]: JsonValue }; depth: number; openDepth: number }) {
  const entries: Array<[string, JsonValue]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  return (
    <ul className={depth > 0 ? 'ml-2 border-l border-zinc-200 pl-3 dark:border-zinc-700' : ''}>
      {entries.map(([key, child]) => (
        <li key={key}>
          <Entry name={key} index={Array.isArray(value)} value={child} depth={depth} openDepth={openDepth} />
        </li>
      ))}
    </ul>
  );
}

function Entry({
  name,
  index,
  value,
  depth,
  openDepth,
}: {
  name: string;
  index: boolean;
  value: JsonValue;
  depth: number;
  openDepth: number;
}) {
  const key = (
    <span className={index ? 'text-zinc-500 dark:text-zinc-400' : 'text-zinc-700 dark:text-zinc-300'}>
      {index ? `[${name}]` : name}
    </span>
  );
  if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
    const size = Object.keys(value).length;
    return (
      <details open={depth < openDepth} className="group">
        <summary className="cursor-pointer list-none rounded px-0.5 select-none hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-800 [&::-webkit-details-marker]:hidden">
          <span aria-hidden className="mr-1 inline-block w-3 text-zinc-500 transition-transform group-open:rotate-90 dark:text-zinc-400">
            ▸
          </span>
          {key}
          <span className="ml-1.5 text-zinc-500 dark:text-zinc-400">
            {Array.isArray(value) ? `[${size}]` : `{${size}}`}
          </span>
        </summary>
        <Entries value={value} depth={depth + 1} openDepth={openDepth} />
      </details>
    );
  }
  return (
    <div className="flex gap-1.5 pl-4">
      <span className="shrink-0">
        {key}
        <span className="text-zinc-500 dark:text-zinc-400">:</span>
      </span>
      <JsonScalar value={value} />
    </div>
  );
}

export function JsonScalar({ value }: { value: JsonValue }) {
  if (value === null) return <span className="text-zinc-500 italic dark:text-zinc-400">null</span>;
  if (typeof value === 'string') {
    return (
      <span className="break-words whitespace-pre-wrap text-emerald-700 dark:text-emerald-400">
        &quot;{value}&quot;
      </span>
    );
  }
  if (typeof value === 'number') return <span className="text-sky-700 dark:text-sky-400">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="text-violet-700 dark:text-violet-400">{String(value)}</span>;
  return <span className="text-zinc-500 dark:text-zinc-400">{Array.isArray(value) ? '[]' : '{}'}</span>;
}
