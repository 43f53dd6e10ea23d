import { loadConfig } from './index.ts';

// A misconfigured server stops with a message naming what is missing, instead of
// serving requests (and never falls back to local mode).
export function validateConfigOrExit(): void {
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  try {
    loadConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
