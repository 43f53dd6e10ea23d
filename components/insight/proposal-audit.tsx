import Link from 'next/link';
import type { AuditedProposal, ProposalAudit as Audit } from '@/lib/supabase-optimization';
import type { JsonValue } from '@/lib/supabase-optimization/schemas';
import { formatScore } from '@/lib/format';

// View 8: every proposal of the run, accepted or not: what the reflection LM was shown,
// what it answered, the instruction it produced, the subsample scores before and after and
// why it was kept or dropped. One <details> per proposal, a page of them at a time.

const MAX_CHARS = 20_000;

function clip(text: string): string {
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n… (${text.length - MAX_CHARS} more characters)` : text;
}

function json(value: JsonValue | null): string {
  return value === null ? '' : clip(JSON.stringify(value, null, 2));
}

// proposedState: {predictor: instruction} for a reflective proposal, anything for a merge
function instructions(state: JsonValue | null): Array<[string, string]> {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return [];
  return Object.entries(state).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}

function Block({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <div className="space-y-1">
      <h4 className="muted text-xs font-semibold uppercase tracking-wide">{title}</h4>
      {children}
    </div>
  );
}

function ProposalItem({ p }: { p: AuditedProposal }) {
  const n = p.scoresBefore?.length ?? 0;
  const delta = p.sumBefore !== null && p.sumAfter !== null ? p.sumAfter - p.sumBefore : null;
  const resulting = instructions(p.proposedState);
  return (
    <details className="rounded border border-zinc-200 dark:border-zinc-700" data-testid="proposal" data-index={p.proposalIndex} data-accepted={p.accepted}>
      <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 text-sm">
        <span className="font-medium">#{p.proposalIndex}</span>
        <span>{p.kind}</span>
        <span className="muted">
          from {p.parentIds.join(' + ') || '—'}
          {p.candidateId ? ` → candidate ${p.candidateId}` : ''}
        </span>
        <span className={`rounded px-1.5 text-xs font-medium ${p.accepted ? 'bg-emerald-600 text-white' : 'bg-rose-600 text-white'}`}>{p.accepted ? 'accepted' : 'rejected'}</span>
        {p.sumBefore !== null && (
          <span className="tabular-nums" data-testid="proposal-sums">
            subsample sum {p.sumBefore.toFixed(2)} → {p.sumAfter === null ? '—' : p.sumAfter.toFixed(2)}
            {delta !== null && ` (${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(2)})`}
          </span>
        )}
      </summary>
      <div className="space-y-3 border-t border-zinc-200 px-3 py-3 text-sm dark:border-zinc-700">
        <Block title="Decision">
          <p>
            {p.accepted ? 'Accepted' : 'Rejected'}
            {p.reason ? `: ${p.reason.replace(/\.?$/, '.')}` : '.'} {n > 0 && `${p.improved} of ${n} subsample instances improved, ${p.worsened} got worse.`}
          </p>
        </Block>
        {n > 0 && (
          <Block title="Subsample scores">
            <div className="overflow-x-auto" role="region" aria-label={`Subsample scores of proposal ${p.proposalIndex}, scrolls sideways`} tabIndex={0}>
              <table className="text-left text-xs" data-testid="proposal-scores">
                <thead className="muted">
                  <tr>
                    <th scope="col" className="pr-4">Instance</th>
                    <th scope="col" className="pr-4 text-right">Before</th>
                    <th scope="col" className="text-right">After</th>
                  </tr>
                </thead>
                <tbody>
                  {p.scoresBefore!.map((b, i) => (
                    <tr key={i}>
                      <td className="pr-4 font-mono">{p.subsampleIds?.[i] ?? i}</td>
                      <td className="pr-4 text-right tabular-nums">{formatScore(b)}</td>
                      <td className="text-right tabular-nums">{formatScore(p.scoresAfter?.[i] ?? null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Block>
        )}
        <Block title="Resulting instruction">
          {resulting.length ? (
            resulting.map(([name, text]) => (
              <div key={name}>
                <code className="text-xs">{name}</code>
                <p className="whitespace-pre-wrap break-words" data-testid="proposal-instruction">
                  {clip(text)}
                </p>
              </div>
            ))
          ) : (
            <p className="muted">No resulting program was logged.</p>
          )}
        </Block>
        {p.reflectiveDataset !== null && (
          <Block title="Reflective input">
            <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-900" data-testid="proposal-dataset">
              {json(p.reflectiveDataset)}
            </pre>
          </Block>
        )}
        {p.prompt && (
          <Block title="Prompt">
            <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-900">{clip(p.prompt)}</pre>
          </Block>
        )}
        <Block title="Raw LM output">
          {p.rawOutput ? (
            <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words rounded bg-zinc-50 p-2 text-xs dark:bg-zinc-900" data-testid="proposal-raw">
              {clip(p.rawOutput)}
            </pre>
          ) : (
            <p className="muted">None logged{p.kind === 'merge' ? ' (a merge calls no LM)' : ''}.</p>
          )}
        </Block>
      </div>
    </details>
  );
}

export function ProposalAudit({ audit, nextHref, firstHref }: { audit: Audit; nextHref: string | null; firstHref: string | null }) {
  return (
    <div className="space-y-3" data-testid="proposal-audit">
      <p className="muted text-sm">
        {audit.total} proposals, {audit.accepted} accepted and {audit.total - audit.accepted} rejected. Open one for its reflective input, the LM&apos;s
        answer and the scores it was judged on.
      </p>
      {audit.proposals.map((p) => (
        <ProposalItem key={p.proposalIndex} p={p} />
      ))}
      {(nextHref || firstHref) && (
        <nav aria-label="Proposal pages" className="flex gap-4 text-sm">
          {firstHref && (
            <Link href={firstHref} scroll={false} className="text-indigo-600 hover:underline dark:text-indigo-400">
              First proposals
            </Link>
          )}
          {nextHref && (
            <Link href={nextHref} scroll={false} className="text-indigo-600 hover:underline dark:text-indigo-400">
              Next proposals
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
