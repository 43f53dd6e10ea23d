export default function LeaderboardLoading() {
  return (
    <div className="space-y-5" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading the leaderboard…</span>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-2">
          <div className="skeleton h-7 w-40" />
          <div className="skeleton h-4 w-72" />
        </div>
        <div className="flex gap-3">
          <div className="skeleton h-9 w-52" />
          <div className="skeleton h-9 w-52" />
        </div>
      </div>
      <div className="card divide-y divide-zinc-100 dark:divide-zinc-800">
        <div className="skeleton m-0 h-10 rounded-none rounded-t-xl" />
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="flex items-center gap-4 px-4 py-3">
            <div className="skeleton size-7 rounded-full" />
            <div className="skeleton h-4 flex-1" />
            <div className="skeleton hidden h-4 w-20 sm:block" />
            <div className="skeleton hidden h-4 w-28 md:block" />
            <div className="skeleton h-4 w-24" />
            <div className="skeleton hidden h-4 w-16 lg:block" />
          </div>
        ))}
      </div>
    </div>
  );
}
