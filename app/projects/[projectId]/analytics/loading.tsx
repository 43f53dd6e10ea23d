export default function AnalyticsLoading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading analytics…</span>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-2">
          <div className="skeleton h-7 w-32" />
          <div className="skeleton h-4 w-96 max-w-full" />
        </div>
        <div className="skeleton h-9 w-72" />
      </div>
      <div className="grid gap-6 lg:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <div key={i} className="card space-y-3 p-4">
            <div className="skeleton h-4 w-40" />
            {Array.from({ length: 5 }, (_, j) => (
              <div key={j} className="flex items-center gap-3">
                <div className="skeleton h-3 w-20" />
                <div className="skeleton h-5" style={{ width: `${70 - j * 10}%` }} />
              </div>
            ))}
          </div>
        ))}
      </div>
      <div className="card space-y-3 p-4">
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="skeleton h-6" />
        ))}
      </div>
    </div>
  );
}
