'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { RunChange } from '@/lib/supabase-optimization';
import { MarkdownNote } from './markdown-note';
import { StalledNote } from './stalled-note';

async function send(url: string, method: string, body?: unknown): Promise<string | null> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.ok) return null;
  const json = await res.json().catch(() => null);
  const issues = json?.error?.details?.issues as Array<{ path: string; message: string }> | undefined;
  return issues?.length ? issues.map((i) => `${i.path ? `${i.path} ` : ''}${i.message}`).join('; ') : (json?.error?.message ?? `failed (${res.status})`);
}

const FIELD_LABELS: Record<RunChange['field'], string> = { run_name: 'name', tags: 'tags', status: 'status', note: 'note' };

function describe(change: RunChange): string {
  const show = (v: unknown) =>
    v === null || v === undefined ? '—' : Array.isArray(v) ? (v.length ? v.join(', ') : '(no tags)') : typeof v === 'object' ? String((v as { status?: string }).status ?? JSON.stringify(v)) : String(v);
  if (change.field === 'note') return change.newValue === null ? 'removed the note' : change.oldValue === null ? 'added a note' : 'edited the note';
  return `${FIELD_LABELS[change.field]}: ${show(change.oldValue)} → ${show(change.newValue)}`;
}

// The run page's notes and labels: star, rename, tags, a Markdown note, the stalled state
// with "Mark crashed", and who changed what and when.
export function RunNotes({
  runId,
  runName,
  tags,
  note,
  starred,
  canWrite,
  stalledSince,
  stalledAfterMinutes,
  changes,
}: {
  runId: string;
  runName: string;
  tags: string[];
  note: string;
  starred: boolean;
  canWrite: boolean;
  stalledSince: string | null;
  stalledAfterMinutes: number;
  changes: RunChange[];
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(note);
  const [preview, setPreview] = useState(false);
  const [name, setName] = useState(runName);
  const [newTag, setNewTag] = useState('');
  const base = `/api/v1/runs/${runId}`;

  async function run(action: () => Promise<string | null>, after?: () => void) {
    setError(null);
    const problem = await action();
    if (problem) {
      setError(problem);
      return;
    }
    after?.();
    router.refresh();
  }

  return (
    <div className="space-y-5" data-testid="run-notes">
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          className="btn"
          aria-pressed={starred}
          onClick={() => run(() => send(`${base}/star`, starred ? 'DELETE' : 'PUT'))}
          data-testid="star-run"
        >
          <span aria-hidden className={starred ? 'text-amber-500' : 'text-zinc-500'}>{starred ? '★' : '☆'}</span>
          {starred ? 'Starred' : 'Star'}
        </button>
        {stalledSince && (
          <div className="flex flex-wrap items-center gap-2" data-testid="stalled-run">
            <StalledNote since={stalledSince} />
            <span className="muted text-xs">no write for more than {stalledAfterMinutes} minutes</span>
            {canWrite && (
              <button
                type="button"
                className="btn text-xs"
                onClick={() => {
                  if (window.confirm('Mark this run crashed? It becomes failed, with the time of its last write as the error.')) {
                    void run(() => send(`${base}/crash`, 'POST', {}));
                  }
                }}
                data-testid="mark-crashed"
              >
                Mark crashed
              </button>
            )}
          </div>
        )}
      </div>

      {canWrite && (
        <div className="grid gap-4 md:grid-cols-2">
          <form
            className="flex items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => send(`${base}/labels`, 'PATCH', { runName: name }));
            }}
          >
            <label className="flex min-w-0 flex-1 flex-col gap-1 text-sm">
              <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300">Name</span>
              <input className="input" value={name} onChange={(e) => setName(e.target.value)} maxLength={500} required data-testid="rename-input" />
            </label>
            <button type="submit" className="btn" disabled={name.trim() === runName || !name.trim()}>Rename</button>
          </form>
          <div className="text-sm">
            <span className="text-xs font-medium text-zinc-700 dark:text-zinc-300" id="tags-label">Tags</span>
            <ul className="mt-1 flex flex-wrap gap-1.5" aria-labelledby="tags-label">
              {tags.map((tag) => (
                <li key={tag} className="inline-flex items-center rounded-full bg-zinc-100 text-xs text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200">
                  <span className="py-0.5 pl-2">{tag}</span>
                  <button
                    type="button"
                    className="rounded-full px-1.5 py-0.5 hover:bg-zinc-200 dark:hover:bg-zinc-700"
                    aria-label={`Remove tag ${tag}`}
                    onClick={() => run(() => send(`${base}/labels`, 'PATCH', { removeTags: [tag] }))}
                  >
                    ×
                  </button>
                </li>
              ))}
              <li>
                <form
                  className="inline-flex items-center gap-1"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void run(() => send(`${base}/labels`, 'PATCH', { addTags: [newTag.trim()] }), () => setNewTag(''));
                  }}
                >
                  <label className="sr-only" htmlFor="add-tag">Add a tag</label>
                  <input id="add-tag" className="input h-7 w-32 text-xs" placeholder="Add a tag" value={newTag} onChange={(e) => setNewTag(e.target.value)} maxLength={100} />
                  <button type="submit" className="btn h-7 text-xs" disabled={!newTag.trim()}>Add</button>
                </form>
              </li>
            </ul>
          </div>
        </div>
      )}

      <div>
        <div className="mb-2 flex items-center justify-between gap-2">
          <h3 className="text-sm font-semibold">Note</h3>
          {canWrite && !editing && (
            <button type="button" className="btn text-xs" onClick={() => { setDraft(note); setEditing(true); setPreview(false); }} data-testid="edit-note">
              {note ? 'Edit note' : 'Add a note'}
            </button>
          )}
        </div>
        {editing ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => send(`${base}/note`, 'PUT', { body: draft }), () => setEditing(false));
            }}
            className="space-y-2"
          >
            <div role="group" aria-label="Note mode" className="inline-flex gap-1">
              <button type="button" className="btn h-7 text-xs" aria-pressed={!preview} onClick={() => setPreview(false)}>Write</button>
              <button type="button" className="btn h-7 text-xs" aria-pressed={preview} onClick={() => setPreview(true)}>Preview</button>
            </div>
            {preview ? (
              <div className="min-h-24 rounded border border-zinc-200 p-3 dark:border-zinc-700"><MarkdownNote body={draft} /></div>
            ) : (
              <>
                <label className="sr-only" htmlFor="note-body">Note (Markdown)</label>
                <textarea id="note-body" className="input min-h-32 w-full font-mono text-xs" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={100000} data-testid="note-body" />
              </>
            )}
            <div className="flex gap-2">
              <button type="submit" className="btn btn-primary text-xs" data-testid="save-note">Save note</button>
              <button type="button" className="btn text-xs" onClick={() => setEditing(false)}>Cancel</button>
              <span className="muted self-center text-xs">Markdown; raw HTML is not rendered.</span>
            </div>
          </form>
        ) : note ? (
          <div data-testid="note-view"><MarkdownNote body={note} /></div>
        ) : (
          <p className="muted text-sm">No note yet.</p>
        )}
      </div>

      {error && <p className="text-sm text-rose-700 dark:text-rose-300" role="alert">{error}</p>}

      <div>
        <h3 className="text-sm font-semibold">Changes</h3>
        {changes.length === 0 ? (
          <p className="muted text-sm">Nobody has renamed, retagged, annotated or re-statused this run.</p>
        ) : (
          <ol className="mt-1 space-y-1 text-sm" data-testid="run-changes">
            {changes.map((c) => (
              <li key={c.id} className="flex flex-wrap gap-x-2">
                <time dateTime={c.changedAt} className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
                  {new Date(c.changedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC
                </time>
                <span className="font-medium">{c.changedByEmail ?? (c.apiKeyId ? 'an API key' : c.changedBy ? 'a former member' : 'the system')}</span>
                <span className="min-w-0 break-words">{describe(c)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
