import Link from 'next/link';
import type { TopRun } from '@/lib/supabase-optimization';
import { formatCost, formatRelativeTime, formatScore, formatSignedPct, formatSignedScore, formatTimestamp } from '@/lib/format';
import { deltaTone } from '@/components/delta-tone';
import { DerivedMark } from '@/components/derived-score';
import type { ShownScores } from '@/lib/supabase-optimization';

export type LeaderboardRun = Pick<
  TopRun,
  | 'id'
  | 'runName'
  | 'optimizerType'
  | 'tags'
  | 'initialScore'
  | 'finalScore'
  | 'improvement'
  | 'improvementPct'
  | 'iterations'
  | 'totalCostUsd'
  | 'createdAt'
> & {
  // no reported final score: listed last without a rank (scores, when derived, say so)
  unranked?: boolean;
  initialDerived?: ShownScores['initialDerived'];
  finalDerived?: ShownScores['finalDerived'];
};

const MEDALS = [
  'bg-amber-100 text-amber-800 ring-amber-300 dark:bg-amber-400/15 dark:text-amber-300 dark:ring-amber-400/30',
  'bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-400/15 dark:text-zinc-200 dark:ring-zinc-400/30',
  'bg-orange-100 text-orange-800 ring-orange-300 dark:bg-orange-400/15 dark:text-orange-300 dark:ring-orange-400/30',
];

export function LeaderboardTable({
  runs,
  projectId,
  optimizerType,
  now,
}: {
  runs: LeaderboardRun[];
  projectId: string;
  optimizerType: string | null;
  now: Date;
}) {
  const tagHref = (tag: string) => {
    const params = new URLSearchParams();
    if (optimizerType) params.set('optimizerType', optimizerType);
    params.set('tag', tag);
    return `/projects/${projectId}/leaderboard?${params}`;
  };
  return (
    <div className="card relative overflow-x-auto">
      <table className="w-full min-w-[60rem] text-sm" data-testid="leaderboard-table">
        <caption className="sr-only">Completed runs ranked by final score, best first</caption>
        <thead className="table-head">
          <tr>
            <th scope="col" className="w-14 px-4 py-2.5">Rank</th>
            <th scope="col" className="px-3 py-2.5">Run</th>
            <th scope="col" className="px-3 py-2.5">Optimizer</th>
            <th scope="col" className="px-3 py-2.5">Tags</th>
            <th scope="col" className="px-3 py-2.5 text-right whitespace-nowrap">Initial → final</th>
            <th scope="col" className="px-3 py-2.5 text-right">Improvement</th>
            <th scope="col" className="px-3 py-2.5 text-right">Iterations</th>
            <th scope="col" className="px-3 py-2.5 text-right">Cost</th>
            <th scope="col" className="px-4 py-2.5 text-right">Date</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {runs.map((run, i) => (
            <tr key={run.id} data-testid="leaderboard-row" data-unranked={run.unranked || undefined} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
              <td className="px-4 py-2.5">
                {run.unranked ? (
                  <span className="muted inline-flex size-7 items-center justify-center text-xs" title="No reported final score: not ranked">
                    —<span className="sr-only">not ranked</span>
                  </span>
                ) : (
                  <span
                    className={`inline-flex size-7 items-center justify-center rounded-full text-xs font-semibold tabular-nums ${
                      i < 3 ? `ring-1 ${MEDALS[i]}` : 'text-zinc-500 dark:text-zinc-400'
                    }`}
                  >
                    {i + 1}
                  </span>
                )}
              </td>
              <td className="max-w-72 px-3 py-2.5">
                <Link
                  href={`/projects/${projectId}/runs/${run.id}`}
                  className="block truncate font-medium text-indigo-600 hover:underline dark:text-indigo-400"
                  title={run.runName}
                >
                  {run.runName}
                </Link>
              </td>
              <td className="px-3 py-2.5 font-mono text-xs">{run.optimizerType}</td>
              <td className="px-3 py-2.5">
                {run.tags.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="flex max-w-56 min-w-40 flex-wrap gap-1" aria-label="Tags">
                    {run.tags.map((tag) => (
                      <li key={tag}>
                        <Link
                          href={tagHref(tag)}
                          className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs whitespace-nowrap text-zinc-700 hover:bg-indigo-50 hover:text-indigo-700 dark:bg-zinc-800 dark:text-zinc-300 dark:hover:bg-indigo-500/20 dark:hover:text-indigo-300"
                          title={`Only runs tagged ${tag}`}
                        >
                          {tag}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td className="px-3 py-2.5 text-right whitespace-nowrap tabular-nums">
                <span className="muted">{formatScore(run.initialScore)}</span>
                <span aria-label="to" className="muted px-1">→</span>
                <span className="font-semibold">{formatScore(run.finalScore)}</span>
                {(run.initialDerived || run.finalDerived) && <DerivedMark initial={run.initialDerived ?? null} final={run.finalDerived ?? null} />}
              </td>
              <td className={`px-3 py-2.5 text-right whitespace-nowrap tabular-nums ${deltaTone(run.improvement)}`}>
                {formatSignedScore(run.improvement)}
                <span className="ml-1.5 text-xs">({formatSignedPct(run.improvementPct)})</span>
              </td>
              <td className="px-3 py-2.5 text-right tabular-nums">{run.iterations}</td>
              <td className="px-3 py-2.5 text-right tabular-nums">{formatCost(run.totalCostUsd)}</td>
              <td className="px-4 py-2.5 text-right text-xs whitespace-nowrap">
                <time dateTime={run.createdAt} title={formatTimestamp(run.createdAt)} className="muted">
                  {formatRelativeTime(new Date(run.createdAt), now)}
                </time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
