// What a view says when the run's optimizer did not record its data.
export function InsightNote({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <p className="muted rounded-md border border-dashed border-zinc-300 px-3 py-4 text-center text-sm dark:border-zinc-700" data-testid={testId ?? 'insight-note'}>
      {children}
    </p>
  );
}

export function Stat({ label, value, hint, testId }: { label: string; value: React.ReactNode; hint?: string; testId?: string }) {
  return (
    <div className="min-w-0 rounded-md border border-zinc-200 px-3 py-2 break-words dark:border-zinc-800" data-testid={testId}>
      <dt className="muted text-xs">{label}</dt>
      <dd className="mt-0.5 text-base font-semibold tabular-nums">{value}</dd>
      {hint && <dd className="muted text-xs">{hint}</dd>}
    </div>
  );
}
