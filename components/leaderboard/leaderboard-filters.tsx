'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useTransition } from 'react';

interface Props {
  optimizerTypes: string[];
  tags: string[];
  optimizerType: string | null;
  tag: string | null;
}

// Optimizer and tag pickers; a change applies at once (client-side navigation).
export function LeaderboardFilters({ optimizerTypes, tags, optimizerType, tag }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();

  const apply = (next: { optimizerType: string | null; tag: string | null }) => {
    const params = new URLSearchParams();
    if (next.optimizerType) params.set('optimizerType', next.optimizerType);
    if (next.tag) params.set('tag', next.tag);
    const qs = params.toString();
    startTransition(() => router.push(qs ? `${pathname}?${qs}` : pathname));
  };

  // a value from the URL that no run carries (any more) stays selectable, so the select shows it
  const optimizerOptions = optimizerType && !optimizerTypes.includes(optimizerType) ? [optimizerType, ...optimizerTypes] : optimizerTypes;
  const tagOptions = tag && !tags.includes(tag) ? [tag, ...tags] : tags;

  return (
    <form
      role="search"
      aria-label="Filter the leaderboard"
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="w-full sm:w-52">
        <label htmlFor="leaderboard-optimizer" className="label">
          Optimizer
        </label>
        <select
          id="leaderboard-optimizer"
          name="optimizerType"
          data-testid="leaderboard-optimizer"
          className="input"
          value={optimizerType ?? ''}
          onChange={(e) => apply({ optimizerType: e.target.value || null, tag })}
        >
          <option value="">All optimizers</option>
          {optimizerOptions.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      <div className="w-full sm:w-52">
        <label htmlFor="leaderboard-tag" className="label">
          Tag
        </label>
        <select
          id="leaderboard-tag"
          name="tag"
          data-testid="leaderboard-tag"
          className="input"
          value={tag ?? ''}
          onChange={(e) => apply({ optimizerType, tag: e.target.value || null })}
        >
          <option value="">All tags</option>
          {tagOptions.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {(optimizerType || tag) && (
        <Link href={pathname} className="btn" data-testid="leaderboard-clear-filters">
          Clear filters
        </Link>
      )}
      <span role="status" className="muted pb-1.5 text-xs empty:hidden">
        {pending ? 'Updating…' : ''}
      </span>
    </form>
  );
}
