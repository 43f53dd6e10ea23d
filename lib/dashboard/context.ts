import 'server-only';
import { notFound, redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';
import { getViewer, type Viewer } from '../auth/index.ts';
import {
  getProjectRun,
  inProject,
  isDataError,
  listProjects,
  userScope,
  type OptimizationRun,
  type Project,
  type Scope,
} from '../supabase-optimization/index.ts';

export interface ViewerContext {
  viewer: Viewer;
  scope: Scope;
}

// The signed-in viewer and their data-layer scope; signed-out visitors go to sign-in.
export const requireViewer = cache(async (): Promise<ViewerContext> => {
  await connection();
  const viewer = await getViewer();
  if (!viewer) redirect('/sign-in');
  return { viewer, scope: userScope(viewer.claims) };
});

export interface ProjectContext extends ViewerContext {
  project: Project;
  projects: Project[];
  canWrite: boolean;
  canAdmin: boolean;
}

// The project a page is about; a project the viewer cannot see is a 404, never a 403.
export const requireProject = cache(async (projectId: string): Promise<ProjectContext> => {
  const ctx = await requireViewer();
  const projects = await listProjects(ctx.scope);
  const project = projects.find((p) => p.id === projectId);
  if (!project) notFound();
  return {
    ...ctx,
    // the page's data-layer calls name the project (run ids are unique per project only)
    scope: inProject(ctx.scope, project.id),
    project,
    projects,
    canWrite: project.role !== 'viewer',
    canAdmin: project.role === 'owner' || project.role === 'admin',
  };
});

// The run a page is about, once per request; a malformed id is "not found" too.
export const requireRun = cache(async (projectId: string, runId: string): Promise<ProjectContext & { run: OptimizationRun }> => {
  const context = await requireProject(projectId);
  try {
    return { ...context, run: await getProjectRun(context.scope, context.project.id, runId) };
  } catch (error) {
    if (isDataError(error)) notFound();
    throw error;
  }
});
