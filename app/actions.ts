'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { requireViewer } from '@/lib/dashboard/context';
import type { CreateProjectState } from '@/lib/dashboard/action-states';
import { createProject, toFormError } from '@/lib/supabase-optimization';

export type { CreateProjectState };

const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : '';
};

// Creates a project owned by the caller, then opens it.
export async function createProjectAction(_prev: CreateProjectState, formData: FormData): Promise<CreateProjectState> {
  const { scope } = await requireViewer();
  const values = { id: text(formData, 'id').trim(), name: text(formData, 'name'), description: text(formData, 'description') };
  let projectId: string;
  try {
    const project = await createProject(scope, {
      id: values.id,
      name: values.name,
      description: values.description.trim() || null,
    });
    projectId = project.id;
  } catch (error) {
    return { error: toFormError(error, 'createProject'), values };
  }
  revalidatePath('/', 'layout');
  redirect(`/projects/${projectId}/runs`);
}
