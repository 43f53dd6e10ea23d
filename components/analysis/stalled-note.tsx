// "stalled" beside a running run's status: no write for STALLED_RUN_MINUTES, since when.
export function StalledNote({ since }: { since?: string }) {
  if (!since) return null;
  const at = new Date(since);
  return (
    <span
      className="ml-1.5 inline-flex items-center rounded-full bg-amber-50 px-2 py-0.5 text-xs font-medium text-amber-800 ring-1 ring-amber-600/30 ring-inset dark:bg-amber-400/10 dark:text-amber-200 dark:ring-amber-400/30"
      title={`No write since ${at.toISOString()}`}
      data-testid="stalled-badge"
    >
      stalled · last write {at.toISOString().slice(0, 16).replace('T', ' ')} UTC
    </span>
  );
}
