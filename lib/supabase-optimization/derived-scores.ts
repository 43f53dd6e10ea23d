import { assertUuid } from './runs.ts';
import { inScope, projectOfRuns, type Scope } from './scope.ts';

// A completed run whose client reported no initial or final score shows scores read from
// its iterations, marked "derived":
// - initial: the first full evaluation; without full evaluations, the first unlabelled one;
// - final: the selected iteration, else the best full evaluation, else the best unlabelled one.
// A minibatch score is never either (DESIGN.md errata 8). Derived scores are for display
// only: sorting, the score filter, the leaderboard and analytics use reported scores.

export type DerivedKind = 'full' | 'minibatch' | null;

export interface ScoredIteration {
  iteration: number;
  score: number | null;
  kind: DerivedKind;
  isSelected: boolean;
}

export interface DerivedScore {
  iteration: number;
  score: number;
}

export interface DerivedScores {
  initial: DerivedScore | null;
  final: DerivedScore | null;
}

export function deriveScores(iterations: ScoredIteration[]): DerivedScores {
  const usable = iterations
    .filter((i): i is ScoredIteration & { score: number } => i.score !== null && i.kind !== 'minibatch')
    .sort((a, b) => a.iteration - b.iteration);
  const initial = usable.find((i) => i.kind === 'full') ?? usable[0] ?? null;
  const rank = (i: ScoredIteration) => (i.isSelected ? 0 : i.kind === 'full' ? 1 : 2);
  const final = [...usable].sort((a, b) => rank(a) - rank(b) || b.score - a.score || a.iteration - b.iteration)[0] ?? null;
  const pick = (i: { iteration: number; score: number } | null) => (i ? { iteration: i.iteration, score: i.score } : null);
  return { initial: pick(initial), final: pick(final) };
}

export interface RunScores {
  status: string;
  initialScore: number | null;
  finalScore: number | null;
}

// Whether a run's scores are to be derived: completed, and a reported score is missing.
export function needsDerivedScores(run: RunScores): boolean {
  return run.status === 'completed' && (run.initialScore === null || run.finalScore === null);
}

export interface ShownScores {
  initialScore: number | null;
  finalScore: number | null;
  improvement: number | null;
  improvementPct: number | null;
  initialDerived: DerivedScore | null;
  finalDerived: DerivedScore | null;
}

// What a run shows: reported scores where there are, derived ones filling the gaps.
export function shownScores(
  run: RunScores & { improvement: number | null; improvementPct: number | null },
  derived: DerivedScores | null | undefined,
): ShownScores {
  const initialDerived = run.initialScore === null && needsDerivedScores(run) ? (derived?.initial ?? null) : null;
  const finalDerived = run.finalScore === null && needsDerivedScores(run) ? (derived?.final ?? null) : null;
  if (!initialDerived && !finalDerived) {
    return { initialScore: run.initialScore, finalScore: run.finalScore, improvement: run.improvement, improvementPct: run.improvementPct, initialDerived, finalDerived };
  }
  const initialScore = run.initialScore ?? initialDerived?.score ?? null;
  const finalScore = run.finalScore ?? finalDerived?.score ?? null;
  const improvement = initialScore !== null && finalScore !== null ? finalScore - initialScore : null;
  const improvementPct = improvement !== null && initialScore! > 0 ? (improvement / initialScore!) * 100 : null;
  return { initialScore, finalScore, improvement, improvementPct, initialDerived, finalDerived };
}

// The derived scores of several runs in one query (a page of the runs list), under the
// caller's scope; runs the caller cannot see are simply absent. Served by (run_id, iteration).
export async function listDerivedScores(scope: Scope, runIds: string[]): Promise<Map<string, DerivedScores>> {
  const ids = [...new Set(runIds)];
  for (const id of ids) assertUuid(id, 'runId');
  if (ids.length === 0) return new Map();
  const projectId = await projectOfRuns(scope, ids);
  if (projectId === null) return new Map();
  return inScope(scope, async (tx) => {
    const rows = await tx<{ run_id: string; iteration: number; score: number; kind: DerivedKind; is_selected: boolean }[]>`
      select i.run_id, i.iteration, i.score, i.is_selected, i.eval_kind as kind
      from optimization_iterations i
      where i.project_id = ${projectId} and i.run_id = any(${ids}::uuid[]) and i.score is not null and i.eval_kind is distinct from 'minibatch'
      order by i.run_id, i.iteration
    `;
    const byRun = new Map<string, ScoredIteration[]>();
    for (const r of rows) {
      const list = byRun.get(r.run_id) ?? [];
      list.push({ iteration: r.iteration, score: Number(r.score), kind: r.kind, isSelected: r.is_selected });
      byRun.set(r.run_id, list);
    }
    return new Map([...byRun].map(([id, iterations]) => [id, deriveScores(iterations)]));
  });
}
