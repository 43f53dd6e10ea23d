'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, useTransition, type ChangeEvent, type KeyboardEvent, type ReactNode } from 'react';
import {
  configValueType,
  createdAfterToDate,
  createdBeforeToDate,
  dateToCreatedAfter,
  dateToCreatedBefore,
  hasActiveFilters,
  RUN_STATUS_OPTIONS,
  runsHref,
  withFilters,
  type RunsUrlState,
} from '@/lib/dashboard/run-filters';

export interface FacetOption {
  value: string;
  count: number;
}

export type FieldErrors = Partial<Record<string, string[]>>;

interface RunsFiltersProps {
  projectId: string;
  state: RunsUrlState;
  optimizerTypes: FacetOption[];
  tags: FacetOption[];
  configKeys: FacetOption[];
  sampledRuns: number;
  fieldErrors: FieldErrors;
}

// Typed text (name search, score bounds) waits for a pause; a click applies at once.
const TYPING_DEBOUNCE_MS = 350;

const FILTER_FIELDS = ['search', 'status', 'optimizerType', 'tags', 'config', 'minScore', 'maxScore', 'createdAfter', 'createdBefore'] as const;
type Filters = Pick<RunsUrlState, (typeof FILTER_FIELDS)[number]>;

function pickFilters(state: RunsUrlState): Filters {
  return Object.fromEntries(FILTER_FIELDS.map((f) => [f, state[f]])) as Filters;
}

const filtersKey = (f: Filters) => JSON.stringify(FILTER_FIELDS.map((name) => f[name]));

const NO_FILTERS: Filters = { search: '', status: [], optimizerType: [], tags: [], config: [], minScore: '', maxScore: '', createdAfter: '', createdBefore: '' };

// One model for every filter: each applies as soon as it changes (typed text after a short
// pause, so a word is one history entry), with no "Apply" step to forget. Tags and config
// filters apply when added (Enter, the Add button, or a pick from the suggestions).
// Every change is a new history entry (router.push), so Back undoes it.
export function RunsFilters({ projectId, state, optimizerTypes, tags, configKeys, sampledRuns, fieldErrors }: RunsFiltersProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const base = `/projects/${projectId}/runs`;

  const urlKey = filtersKey(pickFilters(state));
  const [draft, setDraft] = useState<Filters>(() => pickFilters(state));
  const [delay, setDelay] = useState(0);
  const [seenKey, setSeenKey] = useState(urlKey);
  // filters sent and not yet seen in the URL: arriving, they must not overwrite newer changes
  const [inFlight, setInFlight] = useState<string[]>([]);
  if (urlKey !== seenKey) {
    setSeenKey(urlKey);
    const arrived = inFlight.indexOf(urlKey);
    if (arrived >= 0) setInFlight(inFlight.slice(arrived + 1));
    // the URL moved on its own (Back, Clear all, a removed chip, a tag clicked in the table)
    else setDraft(pickFilters(state));
  }

  const draftKey = filtersKey(draft);
  useEffect(() => {
    if (draftKey === urlKey || inFlight.includes(draftKey)) return;
    const timer = setTimeout(() => {
      const next = withFilters(state, { ...draft, minScore: draft.minScore.trim(), maxScore: draft.maxScore.trim() });
      setInFlight((current) => [...current, filtersKey(pickFilters(next))]);
      startTransition(() => router.push(runsHref(base, next), { scroll: false }));
    }, delay);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restart only when the filters or the URL change
  }, [draftKey, urlKey]);

  const change = (patch: Partial<Filters>, typed = false) => {
    setDelay(typed ? TYPING_DEBOUNCE_MS : 0);
    setDraft((current) => ({ ...current, ...patch }));
  };

  const applied = countFilters(state);

  return (
    <div className="mb-4 space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <form role="search" className="min-w-0 flex-1" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="runs-search" className="sr-only">
            Search run names
          </label>
          <div className="relative">
            <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-500 dark:text-zinc-400">
              <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.45 4.39l3.58 3.58a.75.75 0 1 1-1.06 1.06l-3.58-3.58A7 7 0 0 1 2 9Z" clipRule="evenodd" />
            </svg>
            <input
              id="runs-search"
              type="search"
              className="input aria-[invalid=true]:border-rose-500 pl-8"
              placeholder="Search run names"
              value={draft.search}
              maxLength={200}
              autoComplete="off"
              data-testid="filter-search"
              aria-invalid={fieldErrors.search ? true : undefined}
              aria-describedby={fieldErrors.search ? 'runs-search-error' : undefined}
              onChange={(e) => change({ search: e.target.value }, true)}
            />
          </div>
          <FieldError id="runs-search-error" messages={fieldErrors.search} />
        </form>
        <button
          type="button"
          className="btn md:hidden"
          aria-expanded={open}
          aria-controls={panelId}
          data-testid="filter-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-4 text-zinc-500 dark:text-zinc-400">
            <path d="M2.5 4.75A.75.75 0 0 1 3.25 4h13.5a.75.75 0 0 1 0 1.5H3.25a.75.75 0 0 1-.75-.75Zm3 5A.75.75 0 0 1 6.25 9h7.5a.75.75 0 0 1 0 1.5h-7.5a.75.75 0 0 1-.75-.75Zm3 5a.75.75 0 0 1 .75-.75h1.5a.75.75 0 0 1 0 1.5h-1.5a.75.75 0 0 1-.75-.75Z" />
          </svg>
          Filters
          {applied > 0 && <span className="rounded-full bg-indigo-600 px-1.5 text-xs text-white tabular-nums">{applied}</span>}
          <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className={`size-4 transition-transform ${open ? 'rotate-180' : ''}`}>
            <path fillRule="evenodd" d="M5.22 8.22a.75.75 0 0 1 1.06 0L10 11.94l3.72-3.72a.75.75 0 1 1 1.06 1.06l-4.25 4.25a.75.75 0 0 1-1.06 0L5.22 9.28a.75.75 0 0 1 0-1.06Z" clipRule="evenodd" />
          </svg>
        </button>
      </div>
      <div id={panelId} className={`${open ? 'block' : 'hidden'} md:block`}>
        <FilterForm
          draft={draft}
          change={change}
          optimizerTypes={optimizerTypes}
          tags={tags}
          configKeys={configKeys}
          sampledRuns={sampledRuns}
          fieldErrors={fieldErrors}
          pending={pending}
          active={draftKey !== filtersKey(NO_FILTERS) || hasActiveFilters(state)}
          onClear={() => change(NO_FILTERS)}
        />
      </div>
    </div>
  );
}

function countFilters(state: RunsUrlState): number {
  return (
    (state.status.length ? 1 : 0) +
    (state.optimizerType.length ? 1 : 0) +
    state.tags.length +
    state.config.length +
    (state.minScore || state.maxScore ? 1 : 0) +
    (state.createdAfter || state.createdBefore ? 1 : 0)
  );
}

interface FilterFormProps {
  draft: Filters;
  change: (patch: Partial<Filters>, typed?: boolean) => void;
  optimizerTypes: FacetOption[];
  tags: FacetOption[];
  configKeys: FacetOption[];
  sampledRuns: number;
  fieldErrors: FieldErrors;
  pending: boolean;
  active: boolean;
  onClear: () => void;
}

function splitTags(text: string): string[] {
  return text.split(',').map((t) => t.trim()).filter(Boolean);
}

// A value chosen from a datalist arrives as an input event that is not typing.
function pickedFromList(event: ChangeEvent<HTMLInputElement>): boolean {
  const native = event.nativeEvent as InputEvent;
  return !native.inputType || native.inputType === 'insertReplacementText';
}

function FilterForm({ draft, change, optimizerTypes, tags: tagOptions, configKeys, sampledRuns, fieldErrors, pending, active, onClear }: FilterFormProps) {
  const ids = useId();
  const { status, optimizerType, tags, config } = draft;
  const [tagText, setTagText] = useState('');
  const [configKey, setConfigKey] = useState('');
  const [configValue, setConfigValue] = useState('');
  const [configProblem, setConfigProblem] = useState<string | null>(null);

  const statusOptions = withSelected(RUN_STATUS_OPTIONS.map((value) => ({ value, count: -1 })), status, -1);
  const optimizerOptions = withSelected(optimizerTypes, optimizerType);

  const addTags = (text: string) => {
    const added = splitTags(text);
    if (added.length) change({ tags: [...new Set([...tags, ...added])] });
    setTagText('');
  };

  const addConfig = () => {
    const key = configKey.trim();
    if (!key) {
      setConfigProblem('Enter the config key the value belongs to.');
      return;
    }
    if (configValue === '') {
      setConfigProblem('Enter a value (type "" for an empty string).');
      return;
    }
    change({ config: [...config.filter((c) => c.key !== key), { key, raw: configValue }] });
    setConfigKey('');
    setConfigValue('');
    setConfigProblem(null);
  };

  const onConfigEnter = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter' || (!configKey.trim() && !configValue)) return;
    event.preventDefault();
    addConfig();
  };

  const draftType = configValue === '' ? null : configValueType(configValue);
  const err = (field: string) => fieldErrors[field];
  const describedBy = (field: string, ...more: string[]) =>
    [...(err(field) ? [`${ids}-${field}-error`] : []), ...more].join(' ') || undefined;

  return (
    <form className="card p-4" onSubmit={(e) => e.preventDefault()} noValidate aria-label="Filter runs" data-testid="filter-form">
      <div className="grid gap-x-6 gap-y-4 md:grid-cols-2 lg:grid-cols-12">
        <fieldset className="lg:col-span-5" data-testid="filter-status" aria-describedby={describedBy('status')}>
          <legend className="label">Status</legend>
          <CheckboxPills name="status" options={statusOptions} selected={status} onChange={(next) => change({ status: next })} render={(value) => value} />
          <FieldError id={`${ids}-status-error`} messages={err('status')} />
        </fieldset>

        <fieldset className="lg:col-span-7" data-testid="filter-optimizer" aria-describedby={describedBy('optimizerType')}>
          <legend className="label">Optimizer</legend>
          {optimizerOptions.length === 0 ? (
            <p className="muted text-sm">No runs yet.</p>
          ) : (
            <CheckboxPills
              name="optimizerType"
              options={optimizerOptions}
              selected={optimizerType}
              onChange={(next) => change({ optimizerType: next })}
              render={(value) => <span className="font-mono">{value}</span>}
              countTitle={sampledRuns ? `runs among the latest ${sampledRuns.toLocaleString('en-US')}` : undefined}
            />
          )}
          <FieldError id={`${ids}-optimizerType-error`} messages={err('optimizerType')} />
        </fieldset>

        <div className="lg:col-span-3">
          <label className="label" htmlFor={`${ids}-tags`}>
            Tags <span className="font-normal">(runs with all of them)</span>
          </label>
          <div className="flex gap-1.5">
            <input
              id={`${ids}-tags`}
              className="input aria-[invalid=true]:border-rose-500"
              list={`${ids}-tag-options`}
              value={tagText}
              placeholder="e.g. baseline"
              autoComplete="off"
              data-testid="filter-tags"
              aria-invalid={err('tags') ? true : undefined}
              aria-describedby={describedBy('tags', `${ids}-tags-hint`)}
              onChange={(e) => {
                if (pickedFromList(e) && tagOptions.some((t) => t.value === e.target.value)) addTags(e.target.value);
                else setTagText(e.target.value);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && tagText.trim()) {
                  e.preventDefault();
                  addTags(tagText);
                } else if (e.key === 'Backspace' && !tagText && tags.length) {
                  change({ tags: tags.slice(0, -1) });
                }
              }}
            />
            <button type="button" className="btn shrink-0" onClick={() => addTags(tagText)} disabled={!tagText.trim()}>
              Add<span className="sr-only"> tag</span>
            </button>
          </div>
          <datalist id={`${ids}-tag-options`}>
            {tagOptions
              .filter((t) => !tags.includes(t.value))
              .map((t) => (
                <option key={t.value} value={t.value} label={`${t.value} (${t.count})`} />
              ))}
          </datalist>
          <p id={`${ids}-tags-hint`} className="sr-only">
            Press Enter or pick a suggestion to filter by a tag; Backspace in the empty field removes the last one.
          </p>
          {tags.length > 0 && (
            <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Selected tags" data-testid="filter-tag-chips">
              {tags.map((tag) => (
                <Chip key={tag} label={`Remove tag ${tag}`} onRemove={() => change({ tags: tags.filter((t) => t !== tag) })}>
                  {tag}
                </Chip>
              ))}
            </ul>
          )}
          <FieldError id={`${ids}-tags-error`} messages={err('tags')} />
        </div>

        <div className="lg:col-span-4">
          <div className="grid grid-cols-[minmax(0,3fr)_minmax(0,1.4fr)_auto] items-end gap-1.5">
            <div>
              <label className="label" htmlFor={`${ids}-config-key`}>
                Config key
              </label>
              <input
                id={`${ids}-config-key`}
                className="input aria-[invalid=true]:border-rose-500 font-mono"
                list={`${ids}-config-keys`}
                value={configKey}
                placeholder="miprov2.num_candidates"
                autoComplete="off"
                spellCheck={false}
                data-testid="filter-config-key"
                aria-invalid={err('config') || configProblem ? true : undefined}
                aria-describedby={describedBy('config', `${ids}-config-hint`)}
                onChange={(e) => {
                  setConfigKey(e.target.value);
                  setConfigProblem(null);
                }}
                onKeyDown={onConfigEnter}
              />
              <datalist id={`${ids}-config-keys`} data-testid="filter-config-key-options">
                {configKeys.map((k) => (
                  <option key={k.value} value={k.value} label={`${k.value} (${k.count})`} />
                ))}
              </datalist>
            </div>
            <div>
              <label className="label" htmlFor={`${ids}-config-value`}>
                = Value
                {draftType && (
                  <span className="ml-1 font-normal" data-testid="filter-config-type">
                    <span className="sr-only">, read as </span>
                    <TypeBadge type={draftType} />
                  </span>
                )}
              </label>
              <input
                id={`${ids}-config-value`}
                className="input aria-[invalid=true]:border-rose-500 font-mono"
                value={configValue}
                placeholder="10"
                autoComplete="off"
                spellCheck={false}
                data-testid="filter-config-value"
                aria-invalid={configProblem ? true : undefined}
                aria-describedby={`${ids}-config-hint`}
                onChange={(e) => {
                  setConfigValue(e.target.value);
                  setConfigProblem(null);
                }}
                onKeyDown={onConfigEnter}
              />
            </div>
            <button type="button" className="btn" onClick={addConfig} disabled={!configKey.trim() && !configValue}>
              Add<span className="sr-only"> config filter</span>
            </button>
          </div>
          <p id={`${ids}-config-hint`} className="muted mt-1 text-xs">
            <code>10</code> is a number, <code>&quot;10&quot;</code> a string; also <code>true</code>, <code>false</code>, <code>null</code>.
          </p>
          {configProblem && (
            <p className="mt-1 text-xs text-rose-700 dark:text-rose-400" role="alert">
              {configProblem}
            </p>
          )}
          {config.length > 0 && (
            <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Selected config filters" data-testid="filter-config-chips">
              {config.map((c) => (
                <Chip key={c.key} label={`Remove config filter ${c.key}`} onRemove={() => change({ config: config.filter((x) => x.key !== c.key) })}>
                  <span className="font-mono">
                    {c.key} = {c.raw}
                  </span>
                  <TypeBadge type={configValueType(c.raw)} />
                </Chip>
              ))}
            </ul>
          )}
          <FieldError id={`${ids}-config-error`} messages={err('config')} />
        </div>

        <fieldset className="lg:col-span-2">
          <legend className="label">Final score</legend>
          <div className="flex items-center gap-1.5">
            <label className="sr-only" htmlFor={`${ids}-min`}>
              Minimum final score
            </label>
            <input
              id={`${ids}-min`}
              className="input aria-[invalid=true]:border-rose-500 tabular-nums"
              type="number"
              inputMode="decimal"
              min={0}
              max={1}
              step="any"
              placeholder="0"
              value={draft.minScore}
              data-testid="filter-min-score"
              aria-invalid={err('minScore') ? true : undefined}
              aria-describedby={describedBy('minScore')}
              onChange={(e) => change({ minScore: e.target.value }, true)}
            />
            <span aria-hidden className="muted">–</span>
            <label className="sr-only" htmlFor={`${ids}-max`}>
              Maximum final score
            </label>
            <input
              id={`${ids}-max`}
              className="input aria-[invalid=true]:border-rose-500 tabular-nums"
              type="number"
              inputMode="decimal"
              min={0}
              max={1}
              step="any"
              placeholder="1"
              value={draft.maxScore}
              data-testid="filter-max-score"
              aria-invalid={err('maxScore') ? true : undefined}
              aria-describedby={describedBy('maxScore')}
              onChange={(e) => change({ maxScore: e.target.value }, true)}
            />
          </div>
          <FieldError id={`${ids}-minScore-error`} messages={err('minScore')} />
          <FieldError id={`${ids}-maxScore-error`} messages={err('maxScore')} />
        </fieldset>

        <fieldset className="lg:col-span-3">
          <legend className="label">Created (UTC days)</legend>
          <div className="grid grid-cols-2 gap-1.5">
            <label className="sr-only" htmlFor={`${ids}-from`}>
              Created on or after (UTC)
            </label>
            <input
              id={`${ids}-from`}
              className="input aria-[invalid=true]:border-rose-500 min-w-0"
              type="date"
              value={createdAfterToDate(draft.createdAfter)}
              max={createdBeforeToDate(draft.createdBefore) || undefined}
              data-testid="filter-created-after"
              aria-invalid={err('createdAfter') ? true : undefined}
              aria-describedby={describedBy('createdAfter')}
              onChange={(e) => change({ createdAfter: dateToCreatedAfter(e.target.value) })}
            />
            <label className="sr-only" htmlFor={`${ids}-until`}>
              Created on or before (UTC)
            </label>
            <input
              id={`${ids}-until`}
              className="input aria-[invalid=true]:border-rose-500 min-w-0"
              type="date"
              value={createdBeforeToDate(draft.createdBefore)}
              min={createdAfterToDate(draft.createdAfter) || undefined}
              data-testid="filter-created-before"
              aria-invalid={err('createdBefore') ? true : undefined}
              aria-describedby={describedBy('createdBefore')}
              onChange={(e) => change({ createdBefore: dateToCreatedBefore(e.target.value) })}
            />
          </div>
          <FieldError id={`${ids}-createdAfter-error`} messages={err('createdAfter')} />
          <FieldError id={`${ids}-createdBefore-error`} messages={err('createdBefore')} />
        </fieldset>
      </div>

      <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-zinc-100 pt-3 dark:border-zinc-800">
        <button
          type="button"
          className="btn"
          data-testid="filter-clear"
          disabled={!active}
          onClick={() => {
            setTagText('');
            setConfigKey('');
            setConfigValue('');
            setConfigProblem(null);
            onClear();
          }}
        >
          Clear filters
        </button>
        <p className="muted text-xs" aria-live="polite" data-testid="filter-status-line">
          {pending ? 'Updating the list…' : 'Filters apply as you change them.'}
        </p>
      </div>
    </form>
  );
}

// Facet options plus any value the URL selects that the project does not show (yet).
function withSelected(options: FacetOption[], selected: string[], count = 0): FacetOption[] {
  const known = new Set(options.map((o) => o.value));
  return [...options, ...selected.filter((s) => !known.has(s)).map((value) => ({ value, count }))];
}

function CheckboxPills({
  name,
  options,
  selected,
  onChange,
  render,
  countTitle,
}: {
  name: string;
  options: FacetOption[];
  selected: string[];
  onChange: (next: string[]) => void;
  render: (value: string) => ReactNode;
  countTitle?: string;
}) {
  return (
    <div className="flex max-h-32 flex-wrap gap-1.5 overflow-y-auto p-0.5">
      {options.map((option) => {
        const checked = selected.includes(option.value);
        return (
          <label
            key={option.value}
            className={`inline-flex cursor-pointer items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs select-none has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-1 has-[:focus-visible]:outline-indigo-500 ${
              checked
                ? 'border-indigo-500 bg-indigo-50 text-indigo-800 dark:border-indigo-400 dark:bg-indigo-500/15 dark:text-indigo-200'
                : 'border-zinc-300 bg-white text-zinc-700 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800'
            }`}
          >
            <input
              type="checkbox"
              name={name}
              value={option.value}
              className="size-3.5 accent-indigo-600 focus:outline-none"
              checked={checked}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, option.value] : selected.filter((s) => s !== option.value))
              }
            />
            {render(option.value)}
            {option.count >= 0 && (
              <span className="tabular-nums text-zinc-600 dark:text-zinc-400" title={countTitle}>
                {option.count.toLocaleString('en-US')}
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}

function Chip({ children, label, onRemove }: { children: ReactNode; label: string; onRemove: () => void }) {
  return (
    <li className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-0.5 pr-0.5 pl-2 text-xs text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
      {children}
      <button
        type="button"
        className="inline-flex size-5 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-200 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-700 dark:hover:text-zinc-100 dark:text-zinc-400"
        aria-label={label}
        onClick={onRemove}
      >
        <svg aria-hidden viewBox="0 0 16 16" fill="currentColor" className="size-3">
          <path d="M4.28 3.22a.75.75 0 0 0-1.06 1.06L6.94 8l-3.72 3.72a.75.75 0 1 0 1.06 1.06L8 9.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L9.06 8l3.72-3.72a.75.75 0 0 0-1.06-1.06L8 6.94 4.28 3.22Z" />
        </svg>
      </button>
    </li>
  );
}

const TYPE_STYLES: Record<string, string> = {
  number: 'bg-sky-100 text-sky-800 dark:bg-sky-500/15 dark:text-sky-300',
  string: 'bg-amber-100 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300',
  boolean: 'bg-violet-100 text-violet-800 dark:bg-violet-500/15 dark:text-violet-300',
  null: 'bg-zinc-200 text-zinc-700 dark:bg-zinc-700 dark:text-zinc-200',
};

export function TypeBadge({ type }: { type: string }) {
  return <span className={`rounded px-1 py-px font-sans text-[10px] font-medium uppercase ${TYPE_STYLES[type] ?? TYPE_STYLES.null}`}>{type}</span>;
}

function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-xs text-rose-700 dark:text-rose-400">
      {messages.join('; ')}
    </p>
  );
}
