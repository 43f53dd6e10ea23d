'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { AddMemberState, CreateApiKeyState, SettingsActionResult } from '@/lib/dashboard/action-states';
import { requireProject } from '@/lib/dashboard/context';
import {
  addProjectMember,
  API_KEY_SCOPES,
  createApiKey,
  ForbiddenError,
  listApiKeys,
  NotFoundError,
  removeProjectMember,
  revokeApiKey,
  toFormError,
  updateProjectMemberRole,
  ValidationError,
  type FormError,
  type ProjectRole,
} from '@/lib/supabase-optimization';

// Every action re-resolves the project for the caller and leaves authorization to the
// data layer (and the database under it): the UI hiding a button proves nothing.

const settingsPath = (projectId: string) => `/projects/${projectId}/settings`;

export async function createApiKeyAction(
  projectId: string,
  _prev: CreateApiKeyState,
  formData: FormData,
): Promise<CreateApiKeyState> {
  const { scope, project } = await requireProject(projectId);
  const name = String(formData.get('name') ?? '');
  const scopes = formData.getAll('scopes').map(String);
  try {
    if (scopes.length === 0) throw new ValidationError([{ path: 'scopes', message: 'choose read, write or both' }]);
    const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
    if (unknown.length) throw new ValidationError([{ path: 'scopes', message: `unknown scope ${unknown.join(', ')}` }]);
    const { apiKey, secret } = await createApiKey(scope, {
      projectId: project.id,
      name,
      scopes: scopes as Array<(typeof API_KEY_SCOPES)[number]>,
    });
    revalidatePath(settingsPath(project.id));
    return { status: 'created', secret, name: apiKey.name, keyPrefix: apiKey.keyPrefix };
  } catch (error) {
    return { status: 'error', error: toFormError(error, 'createApiKey'), values: { name, scopes } };
  }
}

export async function revokeApiKeyAction(projectId: string, keyId: string): Promise<SettingsActionResult> {
  const { scope, project } = await requireProject(projectId);
  try {
    // only this project's keys: the id alone could name a key of another project the caller administers
    const keys = await listApiKeys(scope, project.id);
    if (!keys.some((k) => k.id === keyId)) throw new NotFoundError('API key', keyId);
    await revokeApiKey(scope, keyId);
    revalidatePath(settingsPath(project.id));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: toFormError(error, 'revokeApiKey') };
  }
}

const localModeError = (): FormError =>
  toFormError(new ForbiddenError('local mode has a single user: members are managed in Supabase mode'), 'members');

export async function addMemberAction(projectId: string, _prev: AddMemberState, formData: FormData): Promise<AddMemberState> {
  const { scope, project, viewer } = await requireProject(projectId);
  const email = String(formData.get('email') ?? '').trim();
  const role = String(formData.get('role') ?? 'member');
  if (viewer.mode === 'local') return { status: 'error', error: localModeError(), values: { email, role } };
  try {
    const member = await addProjectMember(scope, { projectId: project.id, email, role: role as ProjectRole });
    revalidatePath(settingsPath(project.id));
    return { status: 'added', email: member.email, role: member.role };
  } catch (error) {
    return { status: 'error', error: toFormError(error, 'addProjectMember'), values: { email, role } };
  }
}

export async function updateMemberRoleAction(projectId: string, userId: string, role: string): Promise<SettingsActionResult> {
  const { scope, project, viewer } = await requireProject(projectId);
  if (viewer.mode === 'local') return { ok: false, error: localModeError() };
  try {
    await updateProjectMemberRole(scope, project.id, userId, role as ProjectRole);
    revalidatePath(settingsPath(project.id));
    return { ok: true };
  } catch (error) {
    return { ok: false, error: toFormError(error, 'updateProjectMemberRole') };
  }
}

export async function removeMemberAction(projectId: string, userId: string): Promise<SettingsActionResult> {
  const { scope, project, viewer } = await requireProject(projectId);
  if (viewer.mode === 'local') return { ok: false, error: localModeError() };
  try {
    await removeProjectMember(scope, project.id, userId);
  } catch (error) {
    return { ok: false, error: toFormError(error, 'removeProjectMember') };
  }
  // whoever leaves a project can no longer see it
  if (userId === viewer.userId) {
    revalidatePath('/', 'layout');
    redirect('/');
  }
  revalidatePath(settingsPath(project.id));
  return { ok: true };
}
