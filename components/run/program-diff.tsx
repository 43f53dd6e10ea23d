import { diffText } from '@/lib/diff';
import { stableStringify } from '@/lib/json-flatten';
import type { OptimizationIteration } from '@/lib/supabase-optimization';
import { DiffControls } from './diff-controls';
import { DiffView } from './diff-view';
import { programModelOf, programText } from './program-model';
import { formatScore } from '@/lib/format';

// How the program changed between two iterations (default: the first against the best).
export function ProgramDiff({
  iterations,
  from,
  to,
  mode,
  full,
  toggleHref,
}: {
  iterations: OptimizationIteration[];
  from: number;
  to: number;
  mode: 'text' | 'json';
  full: boolean;
  toggleHref: string;
}) {
  const a = iterations.find((i) => i.iteration === from);
  const b = iterations.find((i) => i.iteration === to);
  if (!a || !b) return null;
  const modelA = programModelOf(a.programState);
  const modelB = programModelOf(b.programState);
  const textAvailable = modelA !== null && modelB !== null;
  const effective = mode === 'text' && textAvailable ? 'text' : 'json';
  const render = (state: OptimizationIteration['programState'], model: ReturnType<typeof programModelOf>) =>
    effective === 'text' && model ? programText(model) : state === null ? '' : stableStringify(state);
  const diff = diffText(render(a.programState, modelA), render(b.programState, modelB));
  const label = (it: OptimizationIteration) => `#${it.iteration} (${formatScore(it.score)})`;

  return (
    <div className="space-y-4">
      <DiffControls
        options={iterations.map((it) => ({
          iteration: it.iteration,
          label: `#${it.iteration} · ${formatScore(it.score)}${it.isBest ? ' ★ best' : ''}${it.programState === null ? ' · no state' : ''}`,
        }))}
        from={from}
        to={to}
        mode={effective}
        textAvailable={textAvailable}
      />
      {from === to && <p className="muted text-sm">Both sides show the same iteration: pick two to see what changed.</p>}
      <DiffView diff={diff} fromLabel={label(a)} toLabel={label(b)} full={full} toggleHref={toggleHref} />
    </div>
  );
}
