import Link from 'next/link';
import { DiffView } from '@/components/run/diff-view';
import { programModelOf, programText } from '@/components/run/program-model';
import { diffText } from '@/lib/diff';
import { stableStringify } from '@/lib/json-flatten';
import type { LineageNode, LineageProposal, LineageTree as Tree } from '@/lib/supabase-optimization';
import { formatScore } from '@/lib/format';
import { scoreFill } from './score-color';
import { layoutTree } from './tree-layout';

// View 3: GEPA's candidates as a tree from the seed, hand-laid in SVG (tree-layout.ts):
// server-rendered, every node a link (keyboard reachable, no client JavaScript), 22 px a
// row so 200 candidates stay readable in a scrolling box. A node's link opens its program
// diffed against its parent below the tree. Phones get the same data as a table.

const COL = 170;
const ROW = 22;
const PAD = 16;

function programOf(state: unknown): string {
  const model = programModelOf(state as never);
  return model ? programText(model) : state == null ? '' : stableStringify(state as never);
}

// the label's width at 11 px (about 6.3 px a character)
function labelText(n: LineageNode | undefined, rejected: number): string {
  if (!n) return '';
  return `${n.candidateId} · ${formatScore(n.score)}${n.bestOn > 0 ? ` ★${n.bestOn}` : ''}${rejected > 0 ? ` ×${rejected}` : ''}`;
}
const labelWidth = (n: LineageNode | undefined, rejected: number) => Math.ceil(labelText(n, rejected).length * 6.3);

function nodeLabel(n: LineageNode, total: number, rejected: number): string {
  const from = n.parentIds.length ? ` from ${n.parentIds.join(' and ')}` : '';
  return `Candidate ${n.candidateId}, ${n.origin ?? 'unknown origin'}${from}, score ${formatScore(n.score)}, best on ${n.bestOn} of ${total} instances${rejected ? `, ${rejected} rejected proposals from it` : ''}`;
}

export function LineageTree({ tree, hrefFor, focusId }: { tree: Tree; hrefFor: (candidateId: string) => string; focusId: string | null }) {
  const layout = layoutTree(tree.nodes.map((n) => ({ id: n.candidateId, parentIds: n.parentIds })));
  const byId = new Map(tree.nodes.map((n) => [n.candidateId, n]));
  const acceptedInto = new Map<string, LineageProposal>();
  const rejectedFrom = new Map<string, LineageProposal[]>();
  for (const p of tree.proposals) {
    if (p.accepted && p.candidateId) acceptedInto.set(p.candidateId, p);
    else if (!p.accepted) {
      const parent = p.parentIds[0];
      if (parent !== undefined) rejectedFrom.set(parent, [...(rejectedFrom.get(parent) ?? []), p]);
    }
  }
  const x = (depth: number) => PAD + depth * COL;
  const y = (row: number) => PAD + row * ROW;
  const width = x(layout.depth) + COL + 40;
  const height = y(Math.max(layout.rows - 1, 0)) + PAD + 8;
  const scores = tree.nodes.map((n) => n.score).filter((s): s is number => s !== null);
  const [lo, hi] = scores.length ? [Math.min(...scores), Math.max(...scores)] : [0, 1];
  const accepted = tree.proposals.filter((p) => p.accepted).length;
  const merges = tree.nodes.filter((n) => n.origin === 'merge' || n.parentIds.length > 1).length;
  const focus = focusId ? byId.get(focusId) : undefined;

  return (
    <div className="space-y-4" data-testid="lineage">
      <p className="muted text-sm">
        {tree.nodes.length} candidates · {tree.proposals.length} proposals ({accepted} accepted, {tree.proposals.length - accepted} rejected) ·{' '}
        {merges} merge{merges === 1 ? '' : 's'} · scores on {tree.instances} validation instances. Solid edges: accepted proposals; dashed violet:
        a merge&apos;s second parent; <span className="text-rose-600 dark:text-rose-400">×n</span>: proposals from that candidate that were rejected.
        Select a candidate to diff it against its parent.
      </p>
      <div className="hidden max-h-[36rem] overflow-auto rounded border border-zinc-100 sm:block dark:border-zinc-800" role="region" aria-label="Lineage tree, scrolls" tabIndex={0}>
        <svg width={width} height={height} role="group" aria-label={`Lineage of ${tree.nodes.length} candidates`} className="text-zinc-700 dark:text-zinc-200" data-testid="lineage-svg">
          {tree.nodes.map((n) => {
            const me = layout.nodes.get(n.candidateId)!;
            return n.parentIds.map((pid, k) => {
              const parent = layout.nodes.get(pid);
              if (!parent) return null;
              const mergeEdge = k > 0 || pid !== me.treeParent;
              const proposal = acceptedInto.get(n.candidateId);
              // edges leave after the parent's label, so they never cross its text
              const x1 = x(parent.depth) + 12 + labelWidth(byId.get(pid), rejectedFrom.get(pid)?.length ?? 0);
              const y1 = y(parent.row);
              const x2 = x(me.depth) - 6;
              const y2 = y(me.row);
              const x1c = Math.min(x1, x2 - 12);
              const mid = (x1c + x2) / 2;
              return (
                <path
                  key={`${pid}-${n.candidateId}`}
                  d={`M${x1c},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`}
                  fill="none"
                  strokeWidth={mergeEdge ? 1.5 : 1.25}
                  strokeDasharray={mergeEdge ? '4 3' : undefined}
                  className={mergeEdge ? 'stroke-violet-500' : 'stroke-zinc-400 dark:stroke-zinc-500'}
                  data-testid={mergeEdge ? 'merge-edge' : 'tree-edge'}
                >
                  <title>
                    {proposal
                      ? `Proposal #${proposal.proposalIndex} (${proposal.kind}) accepted: subsample ${formatScore(proposal.meanBefore)} → ${formatScore(proposal.meanAfter)}`
                      : `${pid} → ${n.candidateId}`}
                  </title>
                </path>
              );
            });
          })}
          {tree.nodes.map((n) => {
            const me = layout.nodes.get(n.candidateId)!;
            const rejected = rejectedFrom.get(n.candidateId)?.length ?? 0;
            const isFocus = n.candidateId === focusId;
            const merge = n.origin === 'merge' || n.parentIds.length > 1;
            return (
              <Link
                key={n.candidateId}
                href={hrefFor(n.candidateId)}
                scroll={false}
                aria-label={nodeLabel(n, tree.instances, rejected)}
                aria-current={isFocus ? 'true' : undefined}
                data-testid="lineage-node"
                data-candidate={n.candidateId}
                data-best-on={n.bestOn}
                className="group outline-none"
              >
                <title>{nodeLabel(n, tree.instances, rejected)}</title>
                {merge ? (
                  <rect x={x(me.depth) - 6} y={y(me.row) - 6} width={12} height={12} transform={`rotate(45 ${x(me.depth)} ${y(me.row)})`} fill={scoreFill(n.score, lo, hi)} className="stroke-violet-600" strokeWidth={1.5} />
                ) : (
                  <circle cx={x(me.depth)} cy={y(me.row)} r={6} fill={scoreFill(n.score, lo, hi)} className="stroke-indigo-700 dark:stroke-indigo-300" strokeWidth={1.25} />
                )}
                {isFocus && <circle cx={x(me.depth)} cy={y(me.row)} r={10} fill="none" className="stroke-amber-500" strokeWidth={2} />}
                <circle cx={x(me.depth)} cy={y(me.row)} r={11} fill="none" className="stroke-indigo-500 opacity-0 group-focus-visible:opacity-100" strokeWidth={2} />
                <text x={x(me.depth) + 10} y={y(me.row) + 4} fontSize={11} className="fill-current">
                  {n.candidateId} · {formatScore(n.score)}
                  {n.bestOn > 0 && <tspan className="fill-emerald-700 dark:fill-emerald-400"> ★{n.bestOn}</tspan>}
                  {rejected > 0 && <tspan className="fill-rose-600 dark:fill-rose-400"> ×{rejected}</tspan>}
                </text>
              </Link>
            );
          })}
        </svg>
      </div>
      <div className="overflow-x-auto sm:hidden" role="region" aria-label="Candidates, scrolls sideways" tabIndex={0}>
        <table className="w-full text-left text-sm" data-testid="lineage-table">
          <caption className="sr-only">Candidates with their parents</caption>
          <thead className="muted text-xs">
            <tr>
              <th scope="col">Candidate</th>
              <th scope="col">Parents</th>
              <th scope="col" className="text-right">Score</th>
              <th scope="col" className="text-right">Best on</th>
            </tr>
          </thead>
          <tbody>
            {tree.nodes.map((n) => (
              <tr key={n.candidateId} className="border-t border-zinc-100 dark:border-zinc-800">
                <td>
                  <Link href={hrefFor(n.candidateId)} scroll={false} className="text-indigo-600 underline dark:text-indigo-400">
                    {n.candidateId}
                  </Link>{' '}
                  <span className="muted text-xs">{n.origin}</span>
                </td>
                <td>{n.parentIds.join(', ') || '—'}</td>
                <td className="text-right tabular-nums">{formatScore(n.score)}</td>
                <td className="text-right tabular-nums">{n.bestOn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {focusId && <FocusDiff tree={tree} node={focus} proposal={focus ? acceptedInto.get(focus.candidateId) : undefined} />}
    </div>
  );
}

function FocusDiff({ tree, node, proposal }: { tree: Tree; node: LineageNode | undefined; proposal: LineageProposal | undefined }) {
  if (!node || !tree.focus) return <p className="text-sm text-amber-700 dark:text-amber-400">That candidate is not in this run.</p>;
  const { focus } = tree;
  const parent = focus.parentId ? tree.nodes.find((n) => n.candidateId === focus.parentId) : undefined;
  return (
    <div className="space-y-2 border-t border-zinc-100 pt-4 dark:border-zinc-800" data-testid="lineage-focus">
      <h3 className="text-sm font-semibold">
        Candidate {node.candidateId} ({node.origin ?? 'unknown origin'}, {formatScore(node.score)})
        {parent ? ` against its parent ${parent.candidateId} (${formatScore(parent.score)})` : ' — the seed, no parent'}
      </h3>
      {node.parentIds.length > 1 && <p className="muted text-sm">A merge of {node.parentIds.join(' and ')}; diffed against the first parent.</p>}
      {proposal && (
        <p className="muted text-sm">
          From proposal #{proposal.proposalIndex} ({proposal.kind}): subsample mean {formatScore(proposal.meanBefore)} → {formatScore(proposal.meanAfter)}
          {proposal.reason ? ` · ${proposal.reason}` : ''}
        </p>
      )}
      {parent || focus.parentId ? (
        <DiffView diff={diffText(programOf(focus.parentProgramState), programOf(focus.programState))} fromLabel={`candidate ${focus.parentId}`} toLabel={`candidate ${node.candidateId}`} full={false} />
      ) : (
        <pre className="max-h-64 overflow-auto whitespace-pre-wrap text-xs">{programOf(focus.programState)}</pre>
      )}
    </div>
  );
}
