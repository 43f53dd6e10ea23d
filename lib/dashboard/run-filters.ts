import type { z } from 'zod';
import { queryFields, type QueryField } from '../api/query.ts';
import {
  CONFIG_PATH_PATTERN,
  listRunsSchema,
  RUN_ORDER_COLUMNS,
  RUN_ORDER_TEXT_COLUMNS,
  RUN_STATUSES,
  runOrderSchema,
  type ListRunsInput,
  type RunOrder,
} from '../supabase-optimization/schemas.ts';

// The Runs page keeps all of its state in the URL, under the API's own parameter names
// (GET /api/v1/runs, parsed by lib/api/query.ts), so a page URL and an API query share
// filters. `prev` and `page` are the page's own: the cursors of earlier pages and the
// page number. Shared by the server page, the client table and the CSV export.
// The filters are read off listRunsSchema (queryFields): a field added there is read from
// and written to the URL, counted as active and cleared without an edit here.

export const RUN_STATUS_OPTIONS = RUN_STATUSES;
export const SORTABLE_COLUMNS = RUN_ORDER_COLUMNS;
export type SortColumn = RunOrder;
export type SortDirection = 'asc' | 'desc';

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;
// earlier cursors kept for "Previous"; past this, Previous reads the page by offset
export const MAX_PREV_CURSORS = 25;
// the largest offset listRunsSchema takes: a page further in is reached by cursor only
const MAX_OFFSET = 100_000;

// the list schema's parameters that are not filters: the page sets them itself
const NOT_FILTERS = ['projectId', 'orderBy', 'orderDirection', 'limit', 'cursor', 'offset'] as const;
const PAGING_PARAMS = ['limit', 'cursor', 'offset'];
const CONFIG_PREFIX = 'config.';

export { CONFIG_PATH_PATTERN };

export interface ConfigFilter {
  key: string;
  // as typed: 10 is a number, "10" (quoted) a string, true/false booleans, null
  raw: string;
}

// One URL value per filter of the schema, raw and unvalidated (forms show what the URL
// says, the data layer judges it): a list filter is string[], config its typed pairs,
// any other a string ('' when absent).
type FilterName = Exclude<keyof ListRunsInput, (typeof NOT_FILTERS)[number] | 'config'>;
type UrlValue<T> = [Extract<NonNullable<T>, readonly unknown[]>] extends [never] ? string : string[];
export type RunsFilterState = { [K in FilterName]-?: UrlValue<ListRunsInput[K]> } & { config: ConfigFilter[] };

export type RunsUrlState = RunsFilterState & {
  orderBy: SortColumn;
  orderDirection: SortDirection;
  limit: number;
  cursor: string;
  // a page read by position (the last page, or one whose cursor was dropped); 0 otherwise
  offset: number;
  prev: string[];
  page: number;
  // the table's columns when chosen in this URL (run column ids and "config.<path>"); [] = the visitor's defaults
  columns: string[];
};

// a run column id ("scores") or a config value ("config.miprov2.num_candidates")
export const TABLE_COLUMN_PATTERN = new RegExp(`^([a-z_]+|config\\.${CONFIG_PATH_PATTERN.source.slice(1, -1)})$`);
export const MAX_TABLE_COLUMNS = 50;

// The config paths among a column list ("config.model" → "model").
export function configColumnPaths(columns: string[]): string[] {
  return columns.filter((c) => c.startsWith('config.')).map((c) => c.slice('config.'.length));
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

export function isSortColumn(value: string | null): value is SortColumn {
  return runOrderSchema.safeParse(value).success;
}

const firstPage = { cursor: '', offset: 0, prev: [] as string[], page: 1 };

type UrlRecord = Record<string, string | string[] | ConfigFilter[] | number>;

// The URL state of a list schema. The runs page uses it for listRunsSchema (below); a test
// uses it for an extended copy, to check that a new filter needs no edit here.
export function runsUrlCodec(schema: z.ZodObject) {
  const fields: QueryField[] = queryFields(schema).filter((f) => !(NOT_FILTERS as readonly string[]).includes(f.name));
  const apiParams = queryFields(schema).map((f) => f.name).filter((name) => name !== 'projectId' && name !== 'config');

  function readFilters(params: URLSearchParams): UrlRecord {
    const out: UrlRecord = {};
    for (const field of fields) {
      if (field.kind === 'config') {
        out[field.name] = [...params.keys()]
          .filter((key, i, keys) => key.startsWith(CONFIG_PREFIX) && keys.indexOf(key) === i)
          .map((key) => ({ key: key.slice(CONFIG_PREFIX.length), raw: params.get(key) ?? '' }));
      } else {
        out[field.name] = field.kind === 'list' ? list(params, field.name) : (params.get(field.name) ?? '');
      }
    }
    return out;
  }

  function writeFilters(state: UrlRecord, params: URLSearchParams): void {
    for (const field of fields) {
      const value = state[field.name];
      if (field.kind === 'config') {
        for (const c of (value ?? []) as ConfigFilter[]) if (c.key) params.set(CONFIG_PREFIX + c.key, c.raw);
      } else if (Array.isArray(value)) {
        for (const v of value as string[]) params.append(field.name, v);
      } else if (typeof value === 'string' && value !== '') {
        params.set(field.name, value);
      }
    }
  }

  return {
    filterNames: fields.map((f) => f.name),
    read(source: ParamSource): UrlRecord {
      const params = toSearchParams(source);
      const orderBy = params.get('orderBy');
      const limitParam = Number(params.get('limit'));
      const limit = Number.isInteger(limitParam) && limitParam > 0 ? limitParam : DEFAULT_PAGE_SIZE;
      const pageParam = Number(params.get('page'));
      const cursor = params.get('cursor') ?? '';
      const offsetParam = Number(params.get('offset'));
      const offset = !cursor && Number.isInteger(offsetParam) && offsetParam > 0 ? offsetParam : 0;
      return {
        ...readFilters(params),
        orderBy: isSortColumn(orderBy) ? orderBy : 'created_at',
        orderDirection: params.get('orderDirection') === 'asc' ? 'asc' : 'desc',
        limit,
        cursor,
        offset,
        prev: cursor ? list(params, 'prev').slice(-MAX_PREV_CURSORS) : [],
        page: cursor ? (Number.isInteger(pageParam) && pageParam > 1 ? pageParam : 2) : Math.floor(offset / limit) + 1,
        columns: list(params, 'columns').filter((c) => TABLE_COLUMN_PATTERN.test(c)).slice(0, MAX_TABLE_COLUMNS),
      };
    },
    // The canonical page URL of a state (defaults left out, so URLs stay short).
    write(state: UrlRecord): URLSearchParams {
      const params = new URLSearchParams();
      writeFilters(state, params);
      if (state.orderBy !== 'created_at') params.set('orderBy', String(state.orderBy));
      if (state.orderDirection !== 'desc') params.set('orderDirection', String(state.orderDirection));
      if (state.limit !== DEFAULT_PAGE_SIZE) params.set('limit', String(state.limit));
      if (state.cursor) {
        params.set('cursor', String(state.cursor));
        if ((state.prev as string[]).length) params.set('prev', (state.prev as string[]).join(','));
        params.set('page', String(state.page));
      } else if (Number(state.offset) > 0) {
        params.set('offset', String(state.offset));
      }
      if ((state.columns as string[] | undefined)?.length) params.set('columns', (state.columns as string[]).join(','));
      return params;
    },
    // What parseListRunsQuery gets: the API's parameters only (the page's own and anything
    // unknown are dropped), with the page's default page size.
    apiParams(source: ParamSource, options: { paging?: boolean } = {}): URLSearchParams {
      const params = toSearchParams(source);
      const out = new URLSearchParams();
      const allowed = new Set(options.paging === false ? apiParams.filter((p) => !PAGING_PARAMS.includes(p)) : apiParams);
      for (const [key, value] of params) {
        if (allowed.has(key) || (key.startsWith(CONFIG_PREFIX) && key.length > CONFIG_PREFIX.length)) out.append(key, value);
      }
      if (out.has('cursor')) out.delete('offset');
      if (options.paging !== false && !out.has('limit')) out.set('limit', String(DEFAULT_PAGE_SIZE));
      return out;
    },
    hasActiveFilters(state: UrlRecord): boolean {
      return fields.some((f) => {
        const value = state[f.name];
        return Array.isArray(value) ? value.length > 0 : typeof value === 'string' && value.trim() !== '';
      });
    },
    clearedFilters(state: UrlRecord): UrlRecord {
      const cleared: UrlRecord = { ...state, ...firstPage };
      for (const f of fields) cleared[f.name] = f.kind === 'list' || f.kind === 'config' ? [] : '';
      return cleared;
    },
  };
}

const runsUrl = runsUrlCodec(listRunsSchema);
export const FILTER_NAMES = runsUrl.filterNames as readonly (FilterName | 'config')[];

export function readRunsUrl(source: ParamSource): RunsUrlState {
  return runsUrl.read(source) as RunsUrlState;
}

export function writeRunsUrl(state: RunsUrlState): URLSearchParams {
  return runsUrl.write(state as unknown as UrlRecord);
}

export function runsHref(base: string, state: RunsUrlState): string {
  const query = writeRunsUrl(state).toString();
  return query ? `${base}?${query}` : base;
}

export function toListRunsParams(source: ParamSource, options: { paging?: boolean } = {}): URLSearchParams {
  return runsUrl.apiParams(source, options);
}

// The same filters and order, for links such as the CSV export (no paging).
// Not the columns: the analysis API refuses parameters it does not know.
export function filterQuery(state: RunsUrlState): string {
  return writeRunsUrl({ ...state, ...firstPage, limit: DEFAULT_PAGE_SIZE, columns: [] }).toString();
}

export function hasActiveFilters(state: RunsUrlState): boolean {
  return runsUrl.hasActiveFilters(state as unknown as UrlRecord);
}

// Filters changed: back to the first page, order and page size kept.
export function withFilters(state: RunsUrlState, filters: Partial<RunsUrlState>): RunsUrlState {
  return { ...state, ...filters, ...firstPage };
}

export function clearedFilters(state: RunsUrlState): RunsUrlState {
  return runsUrl.clearedFilters(state as unknown as UrlRecord) as RunsUrlState;
}

// A header click: a new column starts descending (highest first; names, statuses and
// optimizers A to Z), the same column flips.
export function withSort(state: RunsUrlState, column: SortColumn): RunsUrlState {
  const first: SortDirection = (RUN_ORDER_TEXT_COLUMNS as readonly string[]).includes(column) ? 'asc' : 'desc';
  const orderDirection: SortDirection = state.orderBy === column ? (state.orderDirection === 'desc' ? 'asc' : 'desc') : first;
  return { ...state, ...firstPage, orderBy: column, orderDirection };
}

export function withPageSize(state: RunsUrlState, limit: number): RunsUrlState {
  return { ...state, ...firstPage, limit };
}

export function firstPageState(state: RunsUrlState): RunsUrlState {
  return { ...state, ...firstPage };
}

export function nextPageState(state: RunsUrlState, nextCursor: string): RunsUrlState {
  const prev = state.cursor ? [...state.prev, state.cursor].slice(-MAX_PREV_CURSORS) : [];
  return { ...state, cursor: nextCursor, offset: 0, prev, page: state.page + 1 };
}

// The page before: by its cursor when still known, else by position (an offset).
export function previousPageState(state: RunsUrlState): RunsUrlState {
  if (state.page <= 2) return { ...state, ...firstPage };
  const prev = [...state.prev];
  const cursor = state.cursor ? prev.pop() : undefined;
  if (cursor) return { ...state, cursor, prev, page: state.page - 1 };
  const offset = (state.page - 2) * state.limit;
  return offset <= MAX_OFFSET ? { ...state, ...firstPage, offset, page: state.page - 1 } : { ...state, ...firstPage };
}

// "Page 3 of 41": at least one page, even when nothing matches.
export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.ceil(total / limit));
}

// The last page, read by position; null when the total is not exact or too far for an offset.
export function lastPageState(state: RunsUrlState, total: number, totalIsExact: boolean): RunsUrlState | null {
  const pages = pageCount(total, state.limit);
  const offset = (pages - 1) * state.limit;
  if (!totalIsExact || offset > MAX_OFFSET) return null;
  return offset === 0 ? { ...state, ...firstPage } : { ...state, ...firstPage, offset, page: pages };
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
  if (field === 'orderBy') return `must be one of ${SORTABLE_COLUMNS.join(', ')} or "config.<path>"`;
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
