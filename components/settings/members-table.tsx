import { TimeAgo } from '@/components/analytics/time';
import type { ProjectMember } from '@/lib/supabase-optimization';
import { MemberRoleSelect, RemoveMemberButton, type RemoveMember, type UpdateMemberRole } from './member-controls';

const ROLE_STYLES: Record<ProjectMember['role'], string> = {
  owner: 'bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300',
  admin: 'bg-sky-50 text-sky-700 dark:bg-sky-500/15 dark:text-sky-300',
  member: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  viewer: 'bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400',
};

export function MembersTable({
  members,
  updateRole,
  removeMember,
  viewerId,
  manage,
  canLeave,
  canGrantOwner,
  renderedAt,
}: {
  members: ProjectMember[];
  updateRole: UpdateMemberRole;
  removeMember: RemoveMember;
  viewerId: string;
  manage: boolean;
  canLeave: boolean;
  canGrantOwner: boolean;
  renderedAt: string;
}) {
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full min-w-[32rem] text-sm" data-testid="members-table">
        <caption className="sr-only">Members of this project and their roles</caption>
        <thead className="table-head">
          <tr>
            <th scope="col" className="px-4 py-2.5">Email</th>
            <th scope="col" className="px-3 py-2.5">Role</th>
            <th scope="col" className="px-3 py-2.5">Added</th>
            <th scope="col" className="px-4 py-2.5 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {members.map((m) => {
            const self = m.userId === viewerId;
            return (
              <tr key={m.userId} data-testid="member-row" data-user-id={m.userId} data-role={m.role}>
                <th scope="row" className="px-4 py-3 text-left align-top font-medium">
                  <span className="break-all" data-testid="member-row-email">{m.email}</span>
                  {self && (
                    <span className="ml-2 rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-normal text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
                      you
                    </span>
                  )}
                </th>
                <td className="px-3 py-2.5 align-top">
                  {manage ? (
                    <MemberRoleSelect
                      updateRole={updateRole}
                      userId={m.userId}
                      email={m.email}
                      role={m.role}
                      canGrantOwner={canGrantOwner}
                    />
                  ) : (
                    <span className={`rounded px-2 py-0.5 text-xs font-medium ${ROLE_STYLES[m.role]}`} data-testid="member-role-label">
                      {m.role}
                    </span>
                  )}
                </td>
                <td className="px-3 py-3 align-top whitespace-nowrap">
                  <TimeAgo iso={m.createdAt} renderedAt={renderedAt} className="muted" />
                </td>
                <td className="px-4 py-2.5 text-right align-top">
                  {(manage || (self && canLeave)) && (
                    <RemoveMemberButton removeMember={removeMember} userId={m.userId} email={m.email} self={self} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
