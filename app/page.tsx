import { connection } from 'next/server';
import { ProjectCard } from '@/components/project-card';
import { getViewer } from '@/lib/auth';
import { formatCount } from '@/lib/format';
import { getProjectOverviews } from '@/lib/home/overview';

export default async function HomePage() {
  await connection();
  const viewer = await getViewer();
  if (!viewer) {
    return (
      <div className="py-24 text-center">
        <h1 className="text-2xl font-semibold">Sign in to see your projects</h1>
      </div>
    );
  }
  const projects = await getProjectOverviews(viewer.claims);
  const runs = projects.reduce((sum, p) => sum + p.runCount, 0);
  const now = new Date();

  return (
    <>
      <div className="mb-6 flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
        <p className="text-sm text-zinc-500">
          {formatCount(projects.length, 'project')} · {formatCount(runs, 'run')}
          {viewer.email && ` · signed in as ${viewer.email}`}
        </p>
      </div>
      {projects.length === 0 ? (
        <div className="rounded-xl border border-dashed border-zinc-300 p-12 text-center dark:border-zinc-700">
          <h2 className="font-semibold">No projects yet</h2>
          <p className="mt-1 text-sm text-zinc-500">
            Load the demo projects with <code className="font-mono">npm run db:seed</code>, or create runs through the API.
          </p>
        </div>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2 2xl:grid-cols-3">
          {projects.map((project) => (
            <ProjectCard key={project.id} project={project} now={now} />
          ))}
        </div>
      )}
    </>
  );
}
