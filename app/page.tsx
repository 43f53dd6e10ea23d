import { Suspense } from 'react';
import { createProjectAction } from '@/app/actions';
import { NewProjectButton } from '@/components/projects/new-project';
import { NewProjectForm } from '@/components/projects/new-project-form';
import { ProjectCard } from '@/components/projects/project-card';
import { requireViewer, type ViewerContext } from '@/lib/dashboard/context';
import { listProjectOverviews } from '@/lib/supabase-optimization';
import { formatCount } from '@/lib/format';

export default async function HomePage() {
  // before streaming starts, so a signed-out visitor gets a real redirect to sign-in
  const context = await requireViewer();
  return (
    <Suspense fallback={<ProjectsSkeleton />}>
      <Projects context={context} />
    </Suspense>
  );
}

async function Projects({ context: { viewer, scope } }: { context: ViewerContext }) {
  const projects = await listProjectOverviews(scope);
  const runs = projects.reduce((sum, p) => sum + p.runCount, 0);
  const now = new Date();

  if (projects.length === 0) {
    return (
      <>
        <h1 className="mb-6 text-2xl font-semibold tracking-tight">Projects</h1>
        <div className="card mx-auto max-w-2xl p-6 sm:p-8" data-testid="projects-empty">
          <h2 className="text-lg font-semibold">Create your first project</h2>
          <p className="muted mt-1 mb-6 text-sm">
            A project holds the optimization runs of one DSPy program. Create one here, then create an API key in its
            settings and send runs from your script. For demo data on this machine, run{' '}
            <code className="font-mono">npm run db:seed</code>.
          </p>
          <NewProjectForm action={createProjectAction} />
        </div>
      </>
    );
  }

  return (
    <>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-x-4 gap-y-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
          <p className="muted mt-0.5 text-sm">
            {formatCount(projects.length, 'project')} · {formatCount(runs, 'run')}
            {viewer.email && <span className="hidden sm:inline"> · signed in as {viewer.email}</span>}
          </p>
        </div>
        <NewProjectButton action={createProjectAction} />
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 2xl:grid-cols-3">
        {projects.map((project) => (
          <ProjectCard key={project.id} project={project} now={now} />
        ))}
      </div>
    </>
  );
}

function ProjectsSkeleton() {
  return (
    <div aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading projects…</span>
      <div className="mb-6 flex items-center justify-between">
        <div className="space-y-2">
          <div className="skeleton h-7 w-32" />
          <div className="skeleton h-4 w-48" />
        </div>
        <div className="skeleton h-9 w-32" />
      </div>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 2xl:grid-cols-3">
        {Array.from({ length: 2 }, (_, i) => (
          <div key={i} className="card space-y-4 p-5">
            <div className="skeleton h-5 w-48" />
            <div className="skeleton h-4 w-full" />
            <div className="grid grid-cols-3 gap-3">
              <div className="skeleton h-10" />
              <div className="skeleton h-10" />
              <div className="skeleton h-10" />
            </div>
            {Array.from({ length: 5 }, (_, j) => (
              <div key={j} className="skeleton h-8" />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
