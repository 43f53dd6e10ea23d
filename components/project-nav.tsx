'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';

const TABS = [
  { href: 'runs', label: 'Runs' },
  { href: 'leaderboard', label: 'Leaderboard' },
  { href: 'analytics', label: 'Analytics' },
  { href: 'settings', label: 'Settings' },
] as const;

export function ProjectNav({
  projectId,
  projects,
}: {
  projectId: string;
  projects: Array<{ id: string; name: string }>;
}) {
  const pathname = usePathname();
  const router = useRouter();
  const base = `/projects/${projectId}`;
  return (
    <div className="mb-6 flex flex-col gap-3 border-b border-zinc-200 pb-3 sm:flex-row sm:items-center dark:border-zinc-800">
      <label className="flex items-center gap-2 text-sm">
        <span className="sr-only">Project</span>
        <select
          aria-label="Switch project"
          data-testid="project-switcher"
          className="input w-auto max-w-64 font-medium"
          value={projectId}
          onChange={(e) => router.push(`/projects/${e.target.value}/runs`)}
        >
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <nav aria-label="Project sections" className="-mb-3 flex gap-1 overflow-x-auto">
        {TABS.map((tab) => {
          const href = `${base}/${tab.href}`;
          const active = pathname === href || pathname.startsWith(`${href}/`) || (tab.href === 'runs' && pathname.startsWith(`${base}/compare`));
          return (
            <Link
              key={tab.href}
              href={href}
              aria-current={active ? 'page' : undefined}
              className={`whitespace-nowrap border-b-2 px-3 pb-3 pt-1 text-sm font-medium ${
                active
                  ? 'border-indigo-500 text-indigo-600 dark:text-indigo-400'
                  : 'border-transparent text-zinc-500 hover:border-zinc-300 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200'
              }`}
            >
              {tab.label}
            </Link>
          );
        })}
      </nav>
    </div>
  );
}
