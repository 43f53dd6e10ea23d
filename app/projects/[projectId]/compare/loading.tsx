// Placeholder shapes of the compare page while its data loads.
export default function CompareLoading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading the comparison…</span>
      <div className="space-y-2">
        <div className="skeleton h-4 w-16" />
        <div className="skeleton h-8 w-56" />
      </div>
      <div className="card space-y-3 p-5">
        <div className="skeleton h-5 w-24" />
        <div className="grid grid-cols-3 gap-4">
          {Array.from({ length: 3 }, (_, i) => (
            <div key={i} className="skeleton h-12" />
          ))}
        </div>
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="skeleton h-6 w-full" />
        ))}
      </div>
      <div className="card p-5">
        <div className="skeleton mb-4 h-5 w-32" />
        <div className="skeleton h-[320px] w-full" />
      </div>
      <div className="card space-y-2 p-5">
        <div className="skeleton h-5 w-32" />
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="skeleton h-6 w-full" />
        ))}
      </div>
    </div>
  );
}
