const WIDTHS = ['w-40', 'w-32', 'w-48', 'w-36', 'w-44', 'w-28', 'w-40', 'w-32', 'w-36', 'w-44'];

// The shape of the Runs page while its data loads.
export function RunsPageSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite" data-testid="runs-loading">
      <span className="sr-only">Loading runs…</span>
      <div className="mb-4 flex items-center gap-4">
        <h1 className="text-2xl font-semibold tracking-tight">Runs</h1>
        <div className="skeleton h-4 w-16" />
        <div className="skeleton ml-auto h-8 w-28" />
      </div>
      <div className="skeleton mb-4 h-9 w-full" />
      <div className="card mb-4 hidden p-4 md:block">
        <div className="grid grid-cols-12 gap-6">
          <div className="col-span-5 space-y-2">
            <div className="skeleton h-3 w-12" />
            <div className="skeleton h-7 w-full" />
          </div>
          <div className="col-span-7 space-y-2">
            <div className="skeleton h-3 w-16" />
            <div className="skeleton h-7 w-full" />
          </div>
          <div className="col-span-12 skeleton h-9" />
        </div>
      </div>
      <div className="card overflow-hidden">
        <div className="flex items-center gap-3 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
          <div className="skeleton h-4 w-48" />
          <div className="skeleton ml-auto h-8 w-24" />
          <div className="skeleton h-8 w-28" />
        </div>
        <table className="w-full text-sm">
          <thead className="table-head">
            <tr>
              {['', 'Name', 'Status', 'Optimizer', 'Tags', 'Initial → final', 'Improvement', 'Duration', 'Cost', 'Created'].map((h, i) => (
                <th key={i} scope="col" className={`border-b border-zinc-200 px-3 py-2 font-medium whitespace-nowrap dark:border-zinc-800 ${i > 4 && i < 9 ? 'text-right' : ''} ${i >= 3 ? 'hidden sm:table-cell' : ''}`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {WIDTHS.map((w, row) => (
              <tr key={row}>
                <td className="w-10 py-3 pr-2 pl-4">
                  <div className="skeleton size-4" />
                </td>
                <td className="px-3 py-3">
                  <div className={`skeleton h-4 ${w}`} />
                </td>
                <td className="px-3 py-3">
                  <div className="skeleton h-5 w-20 rounded-full" />
                </td>
                {[16, 24, 24, 16, 14, 12, 16].map((width, i) => (
                  <td key={i} className="hidden px-3 py-3 sm:table-cell">
                    <div className="skeleton ml-auto h-4" style={{ width: `${width * 4}px` }} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
