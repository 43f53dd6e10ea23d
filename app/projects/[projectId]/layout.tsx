import { ProjectNav } from '@/components/project-nav';
import { requireProject } from '@/lib/dashboard/context';

export default async function ProjectLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ projectId: string }>;
}) {
  const { projectId } = await params;
  const { project, projects } = await requireProject(projectId);
  return (
    <>
      <ProjectNav projectId={project.id} projects={projects.map((p) => ({ id: p.id, name: p.name }))} />
      {children}
    </>
  );
}
