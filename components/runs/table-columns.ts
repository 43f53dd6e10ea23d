'use client';

import { configColumnPaths, type RunsUrlState } from '@/lib/dashboard/run-filters';
import { DEFAULT_HIDDEN_COLUMNS, OPTIONAL_COLUMNS, type OptionalColumn } from './run-columns';
import { useStoredState } from './use-stored-state';

export const HIDDEN_COLUMNS_KEY = 'optiscope:runs:hidden-columns';
const CONFIG_PREFIX = 'config.';
// always shown; it keeps a URL's column list non-empty when every optional column is off
const NAME = 'name';

function validateHidden(value: unknown): OptionalColumn[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((v): v is OptionalColumn => (OPTIONAL_COLUMNS as string[]).includes(v));
}

export interface TableColumns {
  // the optional run columns shown, in display order
  runColumns: OptionalColumn[];
  // the config values shown as columns, by dotted path
  configPaths: string[];
  // the columns as a URL or a saved view keeps them
  list: string[];
  // the column list with one column turned on or off
  toggled: (id: string, visible: boolean) => string[];
  // remembers the run columns as this browser's default for URLs without a column list
  rememberDefault: (runColumns: string[]) => void;
}

// The table's columns: the URL's list when it has one (a saved view, or columns chosen on
// this page), else this browser's remembered run columns and no config values.
export function useTableColumns(state: Pick<RunsUrlState, 'columns'>): TableColumns {
  const [hidden, setHidden] = useStoredState('local', HIDDEN_COLUMNS_KEY, DEFAULT_HIDDEN_COLUMNS, validateHidden);
  const fromUrl = state.columns.length > 0;
  const runColumns = fromUrl
    ? OPTIONAL_COLUMNS.filter((id) => state.columns.includes(id))
    : OPTIONAL_COLUMNS.filter((id) => !hidden.includes(id));
  const configPaths = fromUrl ? configColumnPaths(state.columns) : [];
  const list = [NAME, ...runColumns, ...configPaths.map((p) => CONFIG_PREFIX + p)];
  return {
    runColumns,
    configPaths,
    list,
    toggled: (id, visible) => (visible ? [...list.filter((c) => c !== id), id] : list.filter((c) => c !== id)),
    rememberDefault: (shown) => setHidden(OPTIONAL_COLUMNS.filter((id) => !shown.includes(id))),
  };
}
