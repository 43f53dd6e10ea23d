export default function SettingsLoading() {
  return (
    <div className="space-y-8" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading settings…</span>
      <div className="space-y-2">
        <div className="skeleton h-7 w-32" />
        <div className="skeleton h-4 w-80 max-w-full" />
      </div>
      {Array.from({ length: 2 }, (_, i) => (
        <div key={i} className="card space-y-4 p-5 sm:p-6">
          <div className="skeleton h-5 w-36" />
          <div className="skeleton h-4 w-full max-w-xl" />
          <div className="flex flex-wrap gap-3">
            <div className="skeleton h-9 w-72" />
            <div className="skeleton h-9 w-32" />
          </div>
          {Array.from({ length: 3 }, (_, j) => (
            <div key={j} className="skeleton h-9" />
          ))}
        </div>
      ))}
    </div>
  );
}
