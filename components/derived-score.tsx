// Scores the client did not report, read from the run's iterations (lib/supabase-optimization/derived-scores.ts).
export function derivedTitle(initial: { iteration: number } | null, final: { iteration: number } | null): string {
  const parts = [initial && `initial from iteration #${initial.iteration}`, final && `final from iteration #${final.iteration}`].filter(Boolean);
  return `Not reported by the client: ${parts.join(', ')} (first full evaluation; selected or best non-minibatch iteration)`;
}

export function DerivedMark({ initial, final }: { initial: { iteration: number } | null; final: { iteration: number } | null }) {
  return (
    <span
      className="ml-1.5 rounded border border-amber-300 px-1 text-[10px] font-medium tracking-wide text-amber-800 uppercase dark:border-amber-500/40 dark:text-amber-300"
      title={derivedTitle(initial, final)}
      data-testid="derived-score"
    >
      derived
    </span>
  );
}

