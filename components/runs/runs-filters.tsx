'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useState, useTransition, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import {
  clearedFilters,
  configValueType,
  createdAfterToDate,
  createdBeforeToDate,
  dateToCreatedAfter,
  dateToCreatedBefore,
  hasActiveFilters,
  RUN_STATUS_OPTIONS,
  runsHref,
  withFilters,
  type ConfigFilter,
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
  sampledRuns: number;
  fieldErrors: FieldErrors;
}

const SEARCH_DEBOUNCE_MS = 350;

// Search applies as you type; the other filters apply together with "Apply filters".
// Every change is a new history entry (router.push), so Back undoes it.
export function RunsFilters({ projectId, state, optimizerTypes, tags, sampledRuns, fieldErrors }: RunsFiltersProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const base = `/projects/${projectId}/runs`;
  const go = (next: RunsUrlState) => startTransition(() => router.push(runsHref(base, next), { scroll: false }));

  const [search, setSearch] = useState(state.search);
  const [seenSearch, setSeenSearch] = useState(state.search);
  // searches sent and not yet seen in the URL: arriving, they must not overwrite newer typing
  const [inFlight, setInFlight] = useState<string[]>([]);
  if (state.search !== seenSearch) {
    setSeenSearch(state.search);
    const arrived = inFlight.indexOf(state.search);
    if (arrived >= 0) setInFlight(inFlight.slice(arrived + 1));
    // the URL moved on its own (Back, Clear all, a removed chip): show what it says
    else setSearch(state.search);
  }
  const sendSearch = (value: string) => {
    setInFlight((current) => [...current, value]);
    go(withFilters(state, { search: value }));
  };

  useEffect(() => {
    if (search === state.search) return;
    const timer = setTimeout(() => sendSearch(search), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- restart the debounce only when the text or the URL changes
  }, [search, state.search]);

  const applied = countFilters(state);
  const formKey = JSON.stringify([state.status, state.optimizerType, state.tags, state.config, state.minScore, state.maxScore, state.createdAfter, state.createdBefore]);

  return (
    <div className="mb-4 space-y-3">
      <div className="flex flex-wrap items-end gap-2">
        <form
          role="search"
          className="min-w-0 flex-1"
          onSubmit={(e) => {
            e.preventDefault();
            if (search !== state.search) sendSearch(search);
          }}
        >
          <label htmlFor="runs-search" className="sr-only">
            Search run names
          </label>
          <div className="relative">
            <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400">
              <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM2 9a7 7 0 1 1 12.45 4.39l3.58 3.58a.75.75 0 1 1-1.06 1.06l-3.58-3.58A7 7 0 0 1 2 9Z" clipRule="evenodd" />
            </svg>
            <input
              id="runs-search"
              type="search"
              className="input aria-[invalid=true]:border-rose-500 pl-8"
              placeholder="Search run names"
              value={search}
              maxLength={200}
              autoComplete="off"
              data-testid="filter-search"
              aria-invalid={fieldErrors.search ? true : undefined}
              aria-describedby={fieldErrors.search ? 'runs-search-error' : undefined}
              onChange={(e) => setSearch(e.target.value)}
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
          <svg aria-hidden viewBox="0 0 20 20" fill="currentColor" className="size-4 text-zinc-500">
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
          key={formKey}
          state={state}
          search={search}
          optimizerTypes={optimizerTypes}
          tags={tags}
          sampledRuns={sampledRuns}
          fieldErrors={fieldErrors}
          pending={pending}
          onApply={(next) => {
            if (next.search !== state.search) setInFlight((current) => [...current, next.search]);
            setOpen(false);
            go(next);
          }}
          onClear={() => {
            setSearch('');
            if (state.search !== '') setInFlight((current) => [...current, '']);
            go(clearedFilters(state));
          }}
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
  state: RunsUrlState;
  search: string;
  optimizerTypes: FacetOption[];
  tags: FacetOption[];
  sampledRuns: number;
  fieldErrors: FieldErrors;
  pending: boolean;
  onApply: (next: RunsUrlState) => void;
  onClear: () => void;
}

function splitTags(text: string): string[] {
  return text.split(',').map((t) => t.trim()).filter(Boolean);
}

function FilterForm({ state, search, optimizerTypes, tags: tagOptions, sampledRuns, fieldErrors, pending, onApply, onClear }: FilterFormProps) {
  const ids = useId();
  const initialFrom = createdAfterToDate(state.createdAfter);
  const initialUntil = createdBeforeToDate(state.createdBefore);
  const [status, setStatus] = useState(state.status);
  const [optimizerType, setOptimizerType] = useState(state.optimizerType);
  const [tags, setTags] = useState(state.tags);
  const [tagText, setTagText] = useState('');
  const [config, setConfig] = useState<ConfigFilter[]>(state.config);
  const [configKey, setConfigKey] = useState('');
  const [configValue, setConfigValue] = useState('');
  const [configProblem, setConfigProblem] = useState<string | null>(null);
  const [minScore, setMinScore] = useState(state.minScore);
  const [maxScore, setMaxScore] = useState(state.maxScore);
  const [createdFrom, setCreatedFrom] = useState(initialFrom);
  const [createdUntil, setCreatedUntil] = useState(initialUntil);

  const statusOptions = withSelected(RUN_STATUS_OPTIONS.map((value) => ({ value, count: -1 })), state.status, -1);
  const optimizerOptions = withSelected(optimizerTypes, state.optimizerType);

  const pendingTags = () => [...new Set([...tags, ...splitTags(tagText)])];
  const pendingConfig = (): ConfigFilter[] | null => {
    const key = configKey.trim();
    if (!key && !configValue) return config;
    if (!key) {
      setConfigProblem('Enter the config key the value belongs to.');
      return null;
    }
    if (configValue === '') {
      setConfigProblem('Enter a value (type "" for an empty string).');
      return null;
    }
    return [...config.filter((c) => c.key !== key), { key, raw: configValue }];
  };

  const next = (): RunsUrlState | null => {
    const nextConfig = pendingConfig();
    if (!nextConfig) return null;
    return withFilters(state, {
      status,
      optimizerType,
      tags: pendingTags(),
      config: nextConfig,
      minScore: minScore.trim(),
      maxScore: maxScore.trim(),
      search,
      // an untouched date keeps the URL's exact timestamp
      createdAfter: createdFrom === initialFrom && initialFrom ? state.createdAfter : dateToCreatedAfter(createdFrom),
      createdBefore: createdUntil === initialUntil && initialUntil ? state.createdBefore : dateToCreatedBefore(createdUntil),
    });
  };

  const dirty =
    !same(status, state.status) ||
    !same(optimizerType, state.optimizerType) ||
    !same(tags, state.tags) ||
    tagText.trim() !== '' ||
    JSON.stringify(config) !== JSON.stringify(state.config) ||
    configKey.trim() !== '' ||
    configValue !== '' ||
    minScore !== state.minScore ||
    maxScore !== state.maxScore ||
    createdFrom !== initialFrom ||
    createdUntil !== initialUntil;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const nextState = next();
    if (nextState) onApply(nextState);
  };

  const addTag = () => {
    const added = splitTags(tagText);
    if (added.length) setTags((current) => [...new Set([...current, ...added])]);
    setTagText('');
  };

  const addConfig = () => {
    const nextConfig = pendingConfig();
    if (!nextConfig) return;
    setConfig(nextConfig);
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
    <form
      className="card p-4"
      onSubmit={submit}
      noValidate
      aria-label="Filter runs"
      data-testid="filter-form"
    >
      <div className="grid gap-x-6 gap-y-4 md:grid-cols-2 lg:grid-cols-12">
        <fieldset className="lg:col-span-5" data-testid="filter-status" aria-describedby={describedBy('status')}>
          <legend className="label">Status</legend>
          <CheckboxPills
            name="status"
            options={statusOptions}
            selected={status}
            onChange={setStatus}
            render={(value) => value}
          />
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
              onChange={setOptimizerType}
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
              onChange={(e) => setTagText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && tagText.trim()) {
                  e.preventDefault();
                  addTag();
                } else if (e.key === 'Backspace' && !tagText && tags.length) {
                  setTags((current) => current.slice(0, -1));
                }
              }}
            />
            <button type="button" className="btn shrink-0" onClick={addTag} disabled={!tagText.trim()}>
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
            Press Enter to add a tag; Backspace in the empty field removes the last one.
          </p>
          {tags.length > 0 && (
            <ul className="mt-2 flex flex-wrap gap-1.5" aria-label="Selected tags" data-testid="filter-tag-chips">
              {tags.map((tag) => (
                <Chip key={tag} label={`Remove tag ${tag}`} onRemove={() => setTags((current) => current.filter((t) => t !== tag))}>
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
                <Chip
                  key={c.key}
                  label={`Remove config filter ${c.key}`}
                  onRemove={() => setConfig((current) => current.filter((x) => x.key !== c.key))}
                >
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
              value={minScore}
              data-testid="filter-min-score"
              aria-invalid={err('minScore') ? true : undefined}
              aria-describedby={describedBy('minScore')}
              onChange={(e) => setMinScore(e.target.value)}
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
              value={maxScore}
              data-testid="filter-max-score"
              aria-invalid={err('maxScore') ? true : undefined}
              aria-describedby={describedBy('maxScore')}
              onChange={(e) => setMaxScore(e.target.value)}
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
              value={createdFrom}
              max={createdUntil || undefined}
              data-testid="filter-created-after"
              aria-invalid={err('createdAfter') ? true : undefined}
              aria-describedby={describedBy('createdAfter')}
              onChange={(e) => setCreatedFrom(e.target.value)}
            />
            <label className="sr-only" htmlFor={`${ids}-until`}>
              Created on or before (UTC)
            </label>
            <input
              id={`${ids}-until`}
              className="input aria-[invalid=true]:border-rose-500 min-w-0"
              type="date"
              value={createdUntil}
              min={createdFrom || undefined}
              data-testid="filter-created-before"
              aria-invalid={err('createdBefore') ? true : undefined}
              aria-describedby={describedBy('createdBefore')}
              onChange={(e) => setCreatedUntil(e.target.value)}
            />
          </div>
          <FieldError id={`${ids}-createdAfter-error`} messages={err('createdAfter')} />
          <FieldError id={`${ids}-createdBefore-error`} messages={err('createdBefore')} />
        </fieldset>
      </div>

      <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-zinc-100 pt-3 dark:border-zinc-800">
        <button type="submit" className={`btn ${dirty ? 'btn-primary' : ''}`} data-testid="filter-apply" disabled={pending}>
          Apply filters
        </button>
        <button
          type="button"
          className="btn"
          data-testid="filter-clear"
          disabled={pending || (!dirty && !hasActiveFilters({ ...state, search }))}
          onClick={onClear}
        >
          Clear filters
        </button>
        <p className="muted text-xs" aria-live="polite">
          {pending ? 'Applying…' : dirty ? 'You have changes that are not applied yet.' : ''}
        </p>
      </div>
    </form>
  );
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
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
              <span className="tabular-nums opacity-60" title={countTitle}>
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
        className="inline-flex size-5 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-200 hover:text-zinc-800 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
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
