'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';

// A run that does not exist, or that the viewer may not see: the same answer for both.
export default function RunNotFound() {
  const params = useParams<{ projectId?: string }>();
  const runsHref = params.projectId ? `/projects/${params.projectId}/runs` : '/';
  return (
    <div className="py-20 text-center">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">404</p>
      <h1 className="mt-2 text-2xl font-semibold">Run not found</h1>
      <p className="mx-auto mt-2 max-w-md text-zinc-600 dark:text-zinc-400">
        There is no run with this id in this project, or it is not yours to see.
      </p>
      <Link href={runsHref} className="btn btn-primary mt-6">
        Back to the runs
      </Link>
    </div>
  );
}
