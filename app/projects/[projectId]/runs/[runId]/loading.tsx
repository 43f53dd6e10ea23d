// Placeholder shapes of the run page while its data loads.
export default function RunLoading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading the run…</span>
      <div className="space-y-3">
        <div className="skeleton h-4 w-16" />
        <div className="flex items-center gap-3">
          <div className="skeleton h-8 w-72 max-w-full" />
          <div className="skeleton h-5 w-20 rounded-full" />
        </div>
        <div className="flex gap-2">
          <div className="skeleton h-5 w-20" />
          <div className="skeleton h-5 w-24 rounded-full" />
          <div className="skeleton h-5 w-16 rounded-full" />
        </div>
        <div className="grid grid-cols-2 gap-4 sm:grid-cols-4">
          {Array.from({ length: 4 }, (_, i) => (
            <div key={i} className="space-y-1.5">
              <div className="skeleton h-3 w-14" />
              <div className="skeleton h-4 w-24" />
            </div>
          ))}
        </div>
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <div key={i} className="card space-y-2 p-4">
            <div className="skeleton h-3 w-20" />
            <div className="skeleton h-7 w-32" />
          </div>
        ))}
      </div>
      <div className="card h-20" />
      <div className="card p-5">
        <div className="skeleton mb-4 h-5 w-40" />
        <div className="skeleton h-[300px] w-full" />
      </div>
      <div className="card space-y-3 p-5">
        <div className="skeleton h-5 w-28" />
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="skeleton h-8 w-full" />
        ))}
      </div>
    </div>
  );
}
