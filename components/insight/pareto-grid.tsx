import type { ParetoFrontView } from '@/lib/supabase-optimization';
import { formatScore } from '@/lib/format';
import { ParetoStepSlider } from './pareto-step-slider';

// View 4: validation instances (columns) × the candidates on the front (rows) at one step of
// the run. A filled cell: that candidate reaches the instance's best score. Red columns: no
// candidate solves the instance. An SVG strip of 10 px cells keeps 500 instances on one
// scrolling row; the same data is a table below (and the only view on a phone).

const CELL = 10;
const LABEL = 120;

export function ParetoGrid({ view, hrefFor }: { view: ParetoFrontView; hrefFor: (step: number) => string }) {
  const { instances, candidates } = view;
  const rowOf = new Map(candidates.map((c, i) => [c.candidateId, i]));
  const width = LABEL + instances.length * CELL + 8;
  const height = (candidates.length + 1) * CELL + 8;
  const current = view.steps.find((s) => s.step === view.step);
  return (
    <div className="space-y-4" data-testid="pareto">
      {view.steps.length > 1 && view.step !== null && (
        <ParetoStepSlider steps={view.steps.map((s) => s.step)} step={view.step} hrefFor={Object.fromEntries(view.steps.map((s) => [s.step, hrefFor(s.step)]))} />
      )}
      <p className="text-sm" data-testid="pareto-summary">
        Step {view.step}
        {current?.iteration != null ? ` (iteration #${current.iteration})` : ''}
        {current?.budgetUsed != null ? ` · ${current.budgetUsed} metric calls` : ''}: {candidates.length} candidate{candidates.length === 1 ? '' : 's'} on the front over{' '}
        {instances.length} instances; <strong data-testid="pareto-unsolved">{view.unsolved}</strong> solved by no candidate.
      </p>
      <div className="hidden overflow-x-auto sm:block" role="region" aria-label="Pareto grid, scrolls sideways" tabIndex={0}>
        <svg width={width} height={height} role="img" aria-label={`Pareto front at step ${view.step}: ${candidates.map((c) => `candidate ${c.candidateId} best on ${c.covers}`).join(', ')}; ${view.unsolved} unsolved instances`} className="text-zinc-700 dark:text-zinc-200" data-testid="pareto-svg">
          {instances.map((inst, col) =>
            inst.solved ? null : <rect key={`u${col}`} x={LABEL + col * CELL} y={0} width={CELL - 1} height={height - 8} className="fill-rose-200 dark:fill-rose-900" />,
          )}
          {candidates.map((c, row) => (
            <text key={c.candidateId} x={0} y={(row + 1) * CELL + 1} fontSize={10} className="fill-current">
              {c.candidateId} · {c.covers}
            </text>
          ))}
          {instances.flatMap((inst, col) =>
            (inst.solved ? inst.candidateIds : []).map((cid) => {
              const row = rowOf.get(cid);
              return row === undefined ? null : (
                <rect key={`${col}-${cid}`} x={LABEL + col * CELL} y={row * CELL + 2} width={CELL - 1} height={CELL - 1} className="fill-indigo-500 dark:fill-indigo-400" data-testid="pareto-cell">
                  <title>{`${inst.exampleId}: candidate ${cid} (best ${formatScore(inst.bestScore)})`}</title>
                </rect>
              );
            }),
          )}
        </svg>
      </div>
      <div className="overflow-x-auto" role="region" aria-label="Coverage per candidate, scrolls sideways" tabIndex={0}>
        <table className="text-left text-sm" data-testid="pareto-coverage">
          <caption className="muted text-left text-xs">Instances each candidate on the front is best on</caption>
          <thead className="muted text-xs">
            <tr>
              <th scope="col" className="pr-4">Candidate</th>
              <th scope="col" className="pr-4 text-right">Covers</th>
              <th scope="col" className="text-right">Score</th>
            </tr>
          </thead>
          <tbody>
            {candidates.map((c) => (
              <tr key={c.candidateId} data-testid="pareto-candidate" data-candidate={c.candidateId} data-covers={c.covers} className="border-t border-zinc-100 dark:border-zinc-800">
                <td className="pr-4">{c.candidateId}</td>
                <td className="pr-4 text-right tabular-nums">{c.covers}</td>
                <td className="text-right tabular-nums">{formatScore(c.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <details>
        <summary className="cursor-pointer text-sm font-medium">Every instance as a table</summary>
        <div className="mt-2 max-h-96 overflow-auto" role="region" aria-label="Instances, scrolls" tabIndex={0}>
          <table className="text-left text-sm" data-testid="pareto-instances">
            <thead className="muted text-xs">
              <tr>
                <th scope="col" className="pr-4">Instance</th>
                <th scope="col" className="pr-4 text-right">Best score</th>
                <th scope="col">Best candidates</th>
              </tr>
            </thead>
            <tbody>
              {instances.map((inst) => (
                <tr key={inst.exampleId} className={`border-t border-zinc-100 dark:border-zinc-800 ${inst.solved ? '' : 'text-rose-700 dark:text-rose-400'}`}>
                  <td className="pr-4 font-mono text-xs">{inst.exampleId}</td>
                  <td className="pr-4 text-right tabular-nums">{formatScore(inst.bestScore)}</td>
                  <td>{inst.solved ? inst.candidateIds.join(', ') : 'unsolved'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
