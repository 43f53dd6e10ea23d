import { readFileSync } from 'node:fs';

// Real DSPy compiles recorded as the API writes `optiscope.dspy.track` made
// (scripts/record-dspy.py --demo wrote lib/demo/recorded/*.json). The seeder
// replays them into their own demo project; no DSPy runs at seed time.

export interface RecordedWriteEntry {
  method: string;
  path: string;
  // milliseconds after the run's first write
  atMs: number;
  body: unknown;
}

export interface RecordedCompile {
  recordedWith: { dspy: string; optimizer: string; seed: number };
  writes: RecordedWriteEntry[];
}

export const RECORDED_PROJECT = {
  id: 'demo-dspy',
  name: 'Arithmetic · recorded DSPy compiles',
  description:
    'Real MIPROv2 (minibatching on) and GEPA compiles of dspy.Predict("question -> answer"), recorded with optiscope.dspy.track and the offline LM.',
  settings: { demo: true, default_metric: 'arithmetic_metric' },
} as const;

// Fixed ids and ages (days before the seed's `now`), so the demo is the same on every machine.
export const RECORDED_RUNS = [
  { file: 'miprov2.json', runId: '6d0c1f5e-3b1a-4c55-9a51-7f0e2c9b1a01', ageDays: 2.25 },
  { file: 'gepa.json', runId: '6d0c1f5e-3b1a-4c55-9a51-7f0e2c9b1a02', ageDays: 0.75 },
] as const;

export function loadRecordedCompile(file: string): RecordedCompile {
  return JSON.parse(readFileSync(new URL(`./recorded/${file}`, import.meta.url), 'utf8')) as RecordedCompile;
}
