'use client';

import { useEffect, useId, useRef, useState } from 'react';

export interface ColumnChoice {
  id: string;
  label: string;
  visible: boolean;
}

// A disclosure with one checkbox per optional column and per config value shown, and a
// picker of the project's config keys; Escape or a click outside closes it.
export function ColumnMenu({
  columns,
  configColumns = [],
  configKeys = [],
  onToggle,
  onReset,
}: {
  columns: ColumnChoice[];
  // config paths shown as columns, and the project's config paths to choose from
  configColumns?: string[];
  configKeys?: string[];
  onToggle: (id: string, visible: boolean) => void;
  onReset: () => void;
}) {
  const configPickerId = useId();
  const available = configKeys.filter((k) => !configColumns.includes(k));
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const shown = columns.filter((c) => c.visible).length + configColumns.length;

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLInputElement>('input')?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onFocus = (event: FocusEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('focusin', onFocus);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('focusin', onFocus);
    };
  }, [open]);

  return (
    <div
      ref={root}
      className="relative"
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
          trigger.current?.focus();
        }
      }}
    >
      <button
        ref={trigger}
        type="button"
        className="btn"
        data-testid="column-menu"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-4 text-zinc-500 dark:text-zinc-400">
          <path d="M3 4.5A1.5 1.5 0 0 1 4.5 3h11A1.5 1.5 0 0 1 17 4.5v11a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 3 15.5v-11ZM4.5 4.5v11h3v-11h-3Zm4.5 0v11h2v-11H9Zm3.5 0v11h3v-11h-3Z" />
        </svg>
        Columns
        <span className="text-xs text-zinc-600 tabular-nums dark:text-zinc-300">{shown}/{columns.length + configColumns.length}</span>
      </button>
      <div
        ref={panel}
        id={panelId}
        hidden={!open}
        className="card absolute right-0 z-30 mt-1 max-h-[70vh] w-64 overflow-y-auto p-2 shadow-lg"
      >
        <fieldset>
          <legend className="label px-2 pt-1">Show columns</legend>
          <ul className="space-y-0.5">
            {columns.map((column) => (
              <li key={column.id}>
                <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800">
                  <input
                    type="checkbox"
                    className="size-4 accent-indigo-600"
                    checked={column.visible}
                    data-testid={`column-toggle-${column.id}`}
                    onChange={(e) => onToggle(column.id, e.target.checked)}
                  />
                  {column.label}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset className="mt-2 border-t border-zinc-100 pt-2 dark:border-zinc-800">
          <legend className="label px-2 pt-1">Config values</legend>
          {configColumns.length > 0 && (
            <ul className="space-y-0.5">
              {configColumns.map((path) => (
                <li key={path}>
                  <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1 font-mono text-xs hover:bg-zinc-100 dark:hover:bg-zinc-800">
                    <input
                      type="checkbox"
                      className="size-4 accent-indigo-600"
                      checked
                      data-testid={`column-toggle-config.${path}`}
                      onChange={() => onToggle(`config.${path}`, false)}
                    />
                    <span className="[overflow-wrap:anywhere]">{path}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <div className="px-2 py-1">
            <label htmlFor={configPickerId} className="muted block text-xs">
              Add a config column
            </label>
            <select
              id={configPickerId}
              className="input mt-1 w-full py-1 text-xs"
              value=""
              data-testid="config-column-picker"
              disabled={available.length === 0}
              onChange={(e) => e.target.value && onToggle(`config.${e.target.value}`, true)}
            >
              <option value="">{available.length ? 'Choose a key…' : configKeys.length ? 'Every key is shown' : 'No config keys in this project'}</option>
              {available.map((key) => (
                <option key={key} value={key}>
                  {key}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        <div className="mt-2 flex justify-between border-t border-zinc-100 px-2 pt-2 dark:border-zinc-800">
          <button type="button" className="text-xs font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-400" onClick={onReset}>
            Reset to default
          </button>
          <button
            type="button"
            className="text-xs font-medium text-zinc-600 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-300"
            onClick={() => {
              setOpen(false);
              trigger.current?.focus();
            }}
          >
            Done
          </button>
        </div>
      </div>
    </div>
  );
}
