import type { RunStatus } from '../supabase-optimization/dto.ts';
import { CONFIG_PATH_PATTERN } from '../supabase-optimization/schemas.ts';

// The Runs page keeps all of its state in the URL, under the API's own parameter names
// (GET /api/v1/runs, parsed by lib/api/query.ts), so a page URL and an API query share
// filters. `prev` and `page` are the page's own: the cursors of earlier pages and the
// page number. Shared by the server page, the client table and the CSV export.

export const RUN_STATUS_OPTIONS = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];
export const SORTABLE_COLUMNS = ['created_at', 'final_score', 'improvement', 'duration_ms', 'total_cost_usd'] as const;
export type SortColumn = (typeof SORTABLE_COLUMNS)[number];
export type SortDirection = 'asc' | 'desc';

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;
// earlier cursors kept for "Previous"; past this, Previous falls back to the first page
export const MAX_PREV_CURSORS = 25;

const FILTER_PARAMS = ['status', 'optimizerType', 'tags', 'minScore', 'maxScore', 'search', 'createdAfter', 'createdBefore'] as const;
const LIST_PARAMS = [...FILTER_PARAMS, 'orderBy', 'orderDirection', 'limit', 'cursor'] as const;
const CONFIG_PREFIX = 'config.';

export { CONFIG_PATH_PATTERN };

export interface ConfigFilter {
  key: string;
  // as typed: 10 is a number, "10" (quoted) a string, true/false booleans, null
  raw: string;
}

// Raw URL values, unvalidated: forms show what the URL says, the data layer judges it.
export interface RunsUrlState {
  status: string[];
  optimizerType: string[];
  tags: string[];
  config: ConfigFilter[];
  minScore: string;
  maxScore: string;
  search: string;
  createdAfter: string;
  createdBefore: string;
  orderBy: SortColumn;
  orderDirection: SortDirection;
  limit: number;
  cursor: string;
  prev: string[];
  page: number;
}

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

export function toSearchParams(source: ParamSource): URLSearchParams {
  if (source instanceof URLSearchParams) return new URLSearchParams(source);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params;
}

// Repeated or comma-separated, like the API: ?status=completed&status=failed or ?status=completed,failed
function list(params: URLSearchParams, name: string): string[] {
  return [...new Set(params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

function isSortColumn(value: string | null): value is SortColumn {
  return (SORTABLE_COLUMNS as readonly string[]).includes(value ?? '');
}

export function readRunsUrl(source: ParamSource): RunsUrlState {
  const params = toSearchParams(source);
  const orderBy = params.get('orderBy');
  const limit = Number(params.get('limit'));
  const page = Number(params.get('page'));
  const cursor = params.get('cursor') ?? '';
  return {
    status: list(params, 'status'),
    optimizerType: list(params, 'optimizerType'),
    tags: list(params, 'tags'),
    config: [...params.keys()]
      .filter((key, i, keys) => key.startsWith(CONFIG_PREFIX) && keys.indexOf(key) === i)
      .map((key) => ({ key: key.slice(CONFIG_PREFIX.length), raw: params.get(key) ?? '' })),
    minScore: params.get('minScore') ?? '',
    maxScore: params.get('maxScore') ?? '',
    search: params.get('search') ?? '',
    createdAfter: params.get('createdAfter') ?? '',
    createdBefore: params.get('createdBefore') ?? '',
    orderBy: isSortColumn(orderBy) ? orderBy : 'created_at',
    orderDirection: params.get('orderDirection') === 'asc' ? 'asc' : 'desc',
    limit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_PAGE_SIZE,
    cursor,
    prev: cursor ? list(params, 'prev').slice(-MAX_PREV_CURSORS) : [],
    page: cursor && Number.isInteger(page) && page > 1 ? page : cursor ? 2 : 1,
  };
}

// The canonical page URL of a state (defaults left out, so URLs stay short).
export function writeRunsUrl(state: RunsUrlState): URLSearchParams {
  const params = new URLSearchParams();
  for (const s of state.status) params.append('status', s);
  for (const o of state.optimizerType) params.append('optimizerType', o);
  for (const t of state.tags) params.append('tags', t);
  for (const c of state.config) if (c.key) params.set(CONFIG_PREFIX + c.key, c.raw);
  const scalars = ['minScore', 'maxScore', 'search', 'createdAfter', 'createdBefore'] as const;
  for (const name of scalars) if (state[name] !== '') params.set(name, state[name]);
  if (state.orderBy !== 'created_at') params.set('orderBy', state.orderBy);
  if (state.orderDirection !== 'desc') params.set('orderDirection', state.orderDirection);
  if (state.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(state.limit));
  if (state.cursor) {
    params.set('cursor', state.cursor);
    if (state.prev.length) params.set('prev', state.prev.join(','));
    params.set('page', String(state.page));
  }
  return params;
}

export function runsHref(base: string, state: RunsUrlState): string {
  const query = writeRunsUrl(state).toString();
  return query ? `${base}?${query}` : base;
}

// What parseListRunsQuery gets: the API's parameters only (the page's own and anything
// unknown are dropped), with the page's default page size.
export function toListRunsParams(source: ParamSource, options: { paging?: boolean } = {}): URLSearchParams {
  const params = toSearchParams(source);
  const out = new URLSearchParams();
  const allowed = new Set<string>(options.paging === false ? [...FILTER_PARAMS, 'orderBy', 'orderDirection'] : LIST_PARAMS);
  for (const [key, value] of params) {
    if (allowed.has(key) || (key.startsWith(CONFIG_PREFIX) && key.length > CONFIG_PREFIX.length)) out.append(key, value);
  }
  if (options.paging !== false && !out.has('limit')) out.set('limit', String(DEFAULT_PAGE_SIZE));
  return out;
}

// The same filters and order, for links such as the CSV export (no paging).
export function filterQuery(state: RunsUrlState): string {
  return writeRunsUrl({ ...state, cursor: '', prev: [], page: 1, limit: DEFAULT_PAGE_SIZE }).toString();
}

export function hasActiveFilters(state: RunsUrlState): boolean {
  return (
    state.status.length > 0 ||
    state.optimizerType.length > 0 ||
    state.tags.length > 0 ||
    state.config.length > 0 ||
    state.minScore !== '' ||
    state.maxScore !== '' ||
    state.search.trim() !== '' ||
    state.createdAfter !== '' ||
    state.createdBefore !== ''
  );
}

const firstPage = { cursor: '', prev: [] as string[], page: 1 };

// Filters changed: back to the first page, order and page size kept.
export function withFilters(state: RunsUrlState, filters: Partial<RunsUrlState>): RunsUrlState {
  return { ...state, ...filters, ...firstPage };
}

export function clearedFilters(state: RunsUrlState): RunsUrlState {
  return {
    ...state,
    ...firstPage,
    status: [],
    optimizerType: [],
    tags: [],
    config: [],
    minScore: '',
    maxScore: '',
    search: '',
    createdAfter: '',
    createdBefore: '',
  };
}

// A header click: a new column starts descending (highest first), the same column flips.
export function withSort(state: RunsUrlState, column: SortColumn): RunsUrlState {
  const orderDirection: SortDirection = state.orderBy === column && state.orderDirection === 'desc' ? 'asc' : 'desc';
  return { ...state, ...firstPage, orderBy: column, orderDirection };
}

export function withPageSize(state: RunsUrlState, limit: number): RunsUrlState {
  return { ...state, ...firstPage, limit };
}

export function nextPageState(state: RunsUrlState, nextCursor: string): RunsUrlState {
  const prev = state.cursor ? [...state.prev, state.cursor].slice(-MAX_PREV_CURSORS) : [];
  return { ...state, cursor: nextCursor, prev, page: state.page + 1 };
}

export function previousPageState(state: RunsUrlState): RunsUrlState {
  if (!state.cursor || state.page <= 2) return { ...state, ...firstPage };
  const prev = [...state.prev];
  const cursor = prev.pop();
  // older cursors were dropped: the first page is the nearest one still known
  if (!cursor) return { ...state, ...firstPage };
  return { ...state, cursor, prev, page: state.page - 1 };
}

export type ConfigValueType = 'number' | 'string' | 'boolean' | 'null';

// The type a config filter value has, exactly as lib/api/query.ts reads it: JSON
// scalars keep their type, anything else is a bare string.
export function configValueType(raw: string): ConfigValueType {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null) return 'null';
    if (typeof parsed === 'number' || typeof parsed === 'boolean' || typeof parsed === 'string') {
      return typeof parsed as ConfigValueType;
    }
  } catch {
    // a bare string
  }
  return 'string';
}

// Created-date filters are whole UTC days: "after" is inclusive from 00:00, "before"
// is exclusive, so the day picked as the last one becomes the next day's 00:00.
export function dateToCreatedAfter(day: string): string {
  return day ? `${day}T00:00:00Z` : '';
}

export function dateToCreatedBefore(day: string): string {
  if (!day) return '';
  const next = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(next.getTime())) return '';
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().replace('.000Z', 'Z');
}

function utcDay(iso: string, shiftDays = 0): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  date.setUTCDate(date.getUTCDate() + shiftDays);
  return date.toISOString().slice(0, 10);
}

export function createdAfterToDate(iso: string): string {
  return utcDay(iso);
}

export function createdBeforeToDate(iso: string): string {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return '';
  const midnight = date.getUTCHours() + date.getUTCMinutes() + date.getUTCSeconds() + date.getUTCMilliseconds() === 0;
  return utcDay(iso, midnight ? -1 : 0);
}

// Which filter a data-layer issue path belongs to ("config.model" → "config", "status.0" → "status").
export function issueField(path: string): string {
  if (path.startsWith(CONFIG_PREFIX) || path === 'config') return 'config';
  return path.split('.')[0] ?? path;
}

export const FILTER_LABELS: Record<string, string> = {
  status: 'Status',
  optimizerType: 'Optimizer',
  tags: 'Tags',
  config: 'Config',
  minScore: 'Min final score',
  maxScore: 'Max final score',
  offset: 'Offset',
  search: 'Name search',
  createdAfter: 'Created from',
  createdBefore: 'Created until',
  orderBy: 'Sort column',
  orderDirection: 'Sort direction',
  limit: 'Page size',
  cursor: 'Page cursor',
  projectId: 'Project',
};

// The API's messages name its parameters ("minScore must not exceed maxScore"); the page
// says the labels the visitor sees instead ("Min final score must not exceed max final score").
const API_NAMES = new RegExp(`\\b(${Object.keys(FILTER_LABELS).join('|')})\\b`, 'g');

function withLabels(message: string): string {
  return message.replace(API_NAMES, (name: string, _group: string, at: number) => {
    const label = FILTER_LABELS[name] ?? name;
    return at === 0 ? label : label.charAt(0).toLowerCase() + label.slice(1);
  });
}

// Some schema messages are generic ("Invalid input"): say what would be valid instead.
export function explainIssue(issue: { path: string; message: string }): string {
  const field = issueField(issue.path);
  const generic = /^Invalid (input|option|key in record)/i.test(issue.message);
  if (!generic) return withLabels(issue.message);
  if (field === 'status') return `must be one of ${RUN_STATUS_OPTIONS.join(', ')}`;
  if (field === 'optimizerType') return 'must be lowercase letters, digits, "_", "." and "-" (e.g. "miprov2")';
  if (field === 'config') return 'a key must be a dotted path like "miprov2.num_candidates"; a value a number, "quoted string", true, false or null';
  if (field === 'orderBy') return `must be one of ${SORTABLE_COLUMNS.join(', ')}`;
  if (field === 'orderDirection') return 'must be asc or desc';
  return withLabels(issue.message);
}

// An issue as one line: "Min final score: must be at most 1", or the message alone when it names its field.
export function issueLine(issue: { path: string; message: string }): { label: string | null; message: string } {
  const field = issueField(issue.path);
  const detail = field === 'config' && issue.path.startsWith(CONFIG_PREFIX) ? ` “${issue.path.slice(CONFIG_PREFIX.length)}”` : '';
  const label = `${(FILTER_LABELS[field] ?? issue.path) || 'Filters'}${detail}`;
  return issue.message.startsWith(label) ? { label: null, message: issue.message } : { label, message: issue.message };
}
