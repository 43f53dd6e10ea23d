import { TimeAgo } from '@/components/analytics/time';
import type { ApiKey } from '@/lib/supabase-optimization';
import { RevokeApiKeyButton } from './revoke-api-key-button';
import type { SettingsActionResult } from '@/lib/dashboard/action-states';

export function ApiKeysTable({
  keys,
  revokeKey,
  renderedAt,
}: {
  keys: ApiKey[];
  revokeKey: (keyId: string) => Promise<SettingsActionResult>;
  renderedAt: string;
}) {
  if (keys.length === 0) {
    return (
      <p className="muted rounded-lg border border-dashed border-zinc-300 p-4 text-sm dark:border-zinc-700" data-testid="api-keys-empty">
        No API keys yet. Create one above for each script or job that sends runs.
      </p>
    );
  }
  const now = new Date(renderedAt);
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full min-w-[44rem] text-sm" data-testid="api-keys-table">
        <caption className="sr-only">API keys of this project</caption>
        <thead className="table-head">
          <tr>
            <th scope="col" className="px-4 py-2.5">Name</th>
            <th scope="col" className="px-3 py-2.5">Key</th>
            <th scope="col" className="px-3 py-2.5">Scopes</th>
            <th scope="col" className="px-3 py-2.5">Created</th>
            <th scope="col" className="px-3 py-2.5 whitespace-nowrap">Last used</th>
            <th scope="col" className="px-3 py-2.5">Status</th>
            <th scope="col" className="px-4 py-2.5 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {keys.map((key) => {
            const expired = key.expiresAt !== null && new Date(key.expiresAt) <= now;
            const state = key.revokedAt ? 'revoked' : expired ? 'expired' : 'active';
            return (
              <tr
                key={key.id}
                data-testid="api-key-row"
                data-key-id={key.id}
                data-state={state}
                className={state === 'active' ? undefined : 'text-zinc-500 dark:text-zinc-400'}
              >
                <th scope="row" className="max-w-56 truncate px-4 py-2.5 text-left font-medium" title={key.name}>
                  {key.name}
                </th>
                <td className="px-3 py-2.5 font-mono text-xs whitespace-nowrap">{key.keyPrefix}</td>
                <td className="px-3 py-2.5">
                  <span className="flex gap-1">
                    {key.scopes.map((s) => (
                      <span
                        key={s}
                        className={`rounded px-1.5 py-0.5 text-xs font-medium ${
                          s === 'write'
                            ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300'
                            : 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300'
                        }`}
                      >
                        {s}
                      </span>
                    ))}
                  </span>
                </td>
                <td className="px-3 py-2.5 whitespace-nowrap">
                  <TimeAgo iso={key.createdAt} renderedAt={renderedAt} />
                </td>
                <td className="px-3 py-2.5 whitespace-nowrap">
                  {key.lastUsedAt ? <TimeAgo iso={key.lastUsedAt} renderedAt={renderedAt} /> : <span className="muted">never</span>}
                </td>
                <td className="px-3 py-2.5 whitespace-nowrap">
                  {state === 'active' ? (
                    <span className="inline-flex items-center gap-1.5 text-emerald-700 dark:text-emerald-400">
                      <span aria-hidden className="size-1.5 rounded-full bg-current" />
                      active
                    </span>
                  ) : state === 'revoked' ? (
                    <span className="text-red-700 dark:text-red-400">
                      revoked <TimeAgo iso={key.revokedAt!} renderedAt={renderedAt} />
                    </span>
                  ) : (
                    <span>expired</span>
                  )}
                </td>
                <td className="px-4 py-2.5 text-right">
                  {state === 'active' && <RevokeApiKeyButton keyId={key.id} name={key.name} revokeKey={revokeKey} />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
