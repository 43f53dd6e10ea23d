'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';

// The Pareto front's step: a range input that follows the front over the run. The URL
// holds the step (server-rendered grid); the input navigates when released or keyed.
export function ParetoStepSlider({ steps, step, hrefFor }: { steps: number[]; step: number; hrefFor: Record<number, string> }) {
  const router = useRouter();
  const [index, setIndex] = useState(Math.max(0, steps.indexOf(step)));
  const go = (i: number) => {
    const target = steps[i];
    if (target !== undefined && target !== step) router.replace(hrefFor[target]!, { scroll: false });
  };
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <label htmlFor="pareto-step" className="font-medium">
        Step
      </label>
      <input
        id="pareto-step"
        type="range"
        min={0}
        max={steps.length - 1}
        value={index}
        aria-valuetext={`step ${steps[index]} of ${steps.at(-1)}`}
        data-testid="pareto-step"
        onChange={(e) => setIndex(Number(e.target.value))}
        onPointerUp={() => go(index)}
        onKeyUp={() => go(index)}
        className="w-64 max-w-full accent-indigo-600"
      />
      <output htmlFor="pareto-step" className="tabular-nums" data-testid="pareto-step-value">
        {steps[index]} / {steps.at(-1)}
      </output>
    </div>
  );
}
