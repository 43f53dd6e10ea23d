// The run page's drill-down for one iteration: its samples (sIter) and its program in the
// program diff (to), against the run's first iteration.
export function iterationHref(basePath: string, iteration: number): string {
  return `${basePath}?sIter=${iteration}&to=${iteration}#program-diff`;
}

export const INSIGHT_COLORS = {
  minibatch: '#0ea5e9',
  full: '#6366f1',
  bestSoFar: '#10b981',
  selected: '#f59e0b',
} as const;

// Role colours of the cost view: task model, proposer, reflection, then the rest.
export const ROLE_COLORS = ['#6366f1', '#f59e0b', '#ec4899', '#10b981', '#0ea5e9', '#a855f7', '#64748b'] as const;
