import type { Metadata } from 'next';
import { AddMemberForm } from '@/components/settings/add-member-form';
import { ApiKeysTable } from '@/components/settings/api-keys-table';
import { CreateApiKeyForm } from '@/components/settings/create-api-key-form';
import { MembersTable } from '@/components/settings/members-table';
import { requireProject } from '@/lib/dashboard/context';
import { listApiKeys, listProjectMembers } from '@/lib/supabase-optimization';
import { addMemberAction, createApiKeyAction, removeMemberAction, revokeApiKeyAction, updateMemberRoleAction } from './actions';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { scope, project, viewer, canAdmin } = await requireProject(projectId);
  const [members, keys] = await Promise.all([
    listProjectMembers(scope, project.id),
    canAdmin ? listApiKeys(scope, project.id) : Promise.resolve(null),
  ]);
  const local = viewer.mode === 'local';
  const renderedAt = new Date().toISOString();
  const isOwner = project.role === 'owner';

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="muted mt-1 text-sm">
          API keys and members of {project.name} (<span className="font-mono">{project.id}</span>). Your role:{' '}
          <strong className="font-medium text-zinc-700 dark:text-zinc-200" data-testid="viewer-role">{project.role}</strong>.
        </p>
      </div>

      <section aria-labelledby="api-keys-heading" className="card space-y-5 p-5 sm:p-6">
        <div>
          <h2 id="api-keys-heading" className="text-lg font-semibold">
            API keys
          </h2>
          <p className="muted mt-1 text-sm">
            Scripts send runs, iterations and samples with a key in the <code className="font-mono">Authorization: Bearer</code>{' '}
            header. A key belongs to the project, not to a person.
          </p>
        </div>
        {keys ? (
          <>
            <CreateApiKeyForm action={createApiKeyAction.bind(null, project.id)} />
            <ApiKeysTable keys={keys} revokeKey={revokeApiKeyAction.bind(null, project.id)} renderedAt={renderedAt} />
          </>
        ) : (
          <p
            className="rounded-lg border border-zinc-200 bg-zinc-50 p-4 text-sm text-zinc-700 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-300"
            data-testid="api-keys-readonly"
          >
            Only owners and admins can see, create and revoke API keys. Ask one of them below for a key.
          </p>
        )}
      </section>

      <section aria-labelledby="members-heading" className="card space-y-5 p-5 sm:p-6">
        <div>
          <h2 id="members-heading" className="text-lg font-semibold">
            Members and roles
          </h2>
          <p className="muted mt-1 text-sm">
            <strong className="font-medium">Owners</strong> and <strong className="font-medium">admins</strong> manage
            members, API keys and analytics; <strong className="font-medium">members</strong> create and change runs;{' '}
            <strong className="font-medium">viewers</strong> only read.
          </p>
        </div>
        {local && (
          <p
            className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-400/30 dark:bg-amber-400/10 dark:text-amber-200"
            data-testid="members-local-mode"
          >
            Optiscope runs in <strong>local mode</strong>: there is no sign-in, and you act as the single local user, the
            owner of every project on this machine. To share projects with a team, run it in Supabase mode (set{' '}
            <code className="font-mono">SUPABASE_URL</code> and <code className="font-mono">SUPABASE_PUBLISHABLE_KEY</code>
            ); then owners and admins add members by email here.
          </p>
        )}
        {!local && canAdmin && <AddMemberForm action={addMemberAction.bind(null, project.id)} canGrantOwner={isOwner} />}
        <MembersTable
          members={members}
          updateRole={updateMemberRoleAction.bind(null, project.id)}
          removeMember={removeMemberAction.bind(null, project.id)}
          viewerId={viewer.userId}
          manage={!local && canAdmin}
          canLeave={!local}
          canGrantOwner={isOwner}
          renderedAt={renderedAt}
        />
      </section>
    </div>
  );
}
