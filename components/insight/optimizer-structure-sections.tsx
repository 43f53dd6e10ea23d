import { Suspense } from 'react';
import { Section } from '@/components/run/section';
import {
  getCandidatePoolInsight,
  getLineageTree,
  getParetoFrontView,
  getProposalAudit,
  type Scope,
} from '@/lib/supabase-optimization';
import { CandidatePoolExplorer } from './candidate-pool-explorer';
import { LineageTree } from './lineage-tree';
import { ParetoGrid } from './pareto-grid';
import { ProposalAudit } from './proposal-audit';

// The run page's views of what the optimizer built (issue 15, views 2, 3, 4, 8): each shown
// when the run logged its data, and one note naming those it did not. URL parameters:
// `lineage` (the candidate diffed against its parent), `pstep` (the Pareto step), `pafter`
// (the proposal audit's page).

const PROPOSALS_PER_PAGE = 20;

interface Props {
  scope: Scope;
  runId: string;
  optimizerType: string;
  basePath: string;
  query: URLSearchParams;
}

// Streamed after the rest of the page: a big GEPA run's tree and fronts must not hold back its header and scores.
export function OptimizerStructureSections(props: Props) {
  return (
    <Suspense
      fallback={
        <p className="card muted px-4 py-6 text-center text-sm" data-testid="structure-sections-loading">
          Loading the optimizer&apos;s candidates…
        </p>
      }
    >
      <StructureSections {...props} />
    </Suspense>
  );
}

async function StructureSections({ scope, runId, optimizerType, basePath, query }: Props) {
  const focus = query.get('lineage') || undefined;
  const stepText = query.get('pstep');
  const step = stepText && /^\d{1,9}$/.test(stepText) ? Number(stepText) : undefined;
  const afterText = query.get('pafter');
  const after = afterText && /^\d{1,9}$/.test(afterText) ? Number(afterText) : undefined;
  const [pool, tree, pareto, audit] = await Promise.all([
    getCandidatePoolInsight(scope, runId),
    getLineageTree(scope, runId, { focus: focus && focus.length <= 128 ? focus : undefined }),
    getParetoFrontView(scope, runId, { step }),
    getProposalAudit(scope, runId, { after, limit: PROPOSALS_PER_PAGE }),
  ]);
  const href = (changes: Record<string, string | null>, hash: string) => {
    const q = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) q.delete(k);
      else q.set(k, v);
    }
    return `${basePath}${q.size ? `?${q}` : ''}#${hash}`;
  };
  // a tree needs lineage: MIPROv2's trial candidates have no parents, and are no tree
  const hasTree = tree.nodes.some((n) => n.parentIds.length > 0);
  const missing = [
    pool.predictors.length === 0 && 'candidate pools (MIPROv2)',
    !hasTree && 'candidate lineage (GEPA)',
    pareto.steps.length === 0 && 'Pareto fronts (GEPA)',
    audit.total === 0 && 'proposals (GEPA)',
  ].filter((m): m is string => typeof m === 'string');

  return (
    <>
      {pool.predictors.length > 0 && (
        <Section id="candidate-pool" testId="candidate-pool" title="Candidate pools" description="Every proposed instruction and demo set per predictor, and how the trials that used it scored.">
          <CandidatePoolExplorer insight={pool} />
        </Section>
      )}
      {hasTree && (
        <Section id="lineage" testId="lineage-section" title="Candidate lineage" description="Candidates grown from the seed program; ★ the validation instances a candidate is best on.">
          <LineageTree tree={tree} focusId={focus ?? null} hrefFor={(id) => href({ lineage: id }, 'lineage')} />
        </Section>
      )}
      {pareto.steps.length > 0 && (
        <Section id="pareto" testId="pareto-section" title="Pareto front per validation instance" description="Which candidates are best on which instances, step by step.">
          <ParetoGrid view={pareto} hrefFor={(s) => href({ pstep: String(s) }, 'pareto')} />
        </Section>
      )}
      {audit.total > 0 && (
        <Section id="proposals" testId="proposals-section" title="Proposal audit" description="Each proposal with its reflective input, the LM's output, the resulting instruction and its subsample scores.">
          <ProposalAudit
            audit={audit}
            nextHref={audit.nextAfter === null ? null : href({ pafter: String(audit.nextAfter) }, 'proposals')}
            firstHref={after === undefined ? null : href({ pafter: null }, 'proposals')}
          />
        </Section>
      )}
      {missing.length > 0 && (
        <p className="muted px-1 text-sm" data-testid="structure-note">
          Not shown for this run: {missing.join(', ')}. Its optimizer ({optimizerType}) logged none of these.
        </p>
      )}
    </>
  );
}
