// The text colour of a change in score: green up, red down, grey for none.
export function deltaTone(delta: number | null | undefined): string {
  if (delta === null || delta === undefined || delta === 0) return 'text-zinc-600 dark:text-zinc-300';
  return delta > 0 ? 'text-emerald-700 dark:text-emerald-400' : 'text-rose-600 dark:text-rose-400';
}
