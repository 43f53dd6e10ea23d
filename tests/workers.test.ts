import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { workerCount } from '../lib/server/workers.ts';

// WEB_CONCURRENCY: how many `next start` processes the launcher (npm start) runs.

// (NODE_ENV is required by Next.js's ProcessEnv typing, not read by workerCount)
const env = (value?: string): NodeJS.ProcessEnv => ({
  NODE_ENV: 'test',
  ...(value === undefined ? {} : { WEB_CONCURRENCY: value }),
});

describe('workerCount', () => {
  it('unset: one process for the embedded database, one per core otherwise', () => {
    expect(workerCount(env(), true)).toBe(1);
    expect(workerCount(env(), false)).toBe(os.availableParallelism());
    // empty or blank counts as unset
    expect(workerCount(env(''), true)).toBe(1);
    expect(workerCount(env('  '), false)).toBe(os.availableParallelism());
  });

  it('takes a whole number from 1 to 64', () => {
    expect(workerCount(env('3'), false)).toBe(3);
    expect(workerCount(env(' 3 '), false)).toBe(3);
    expect(workerCount(env('1'), false)).toBe(1);
    expect(workerCount(env('64'), false)).toBe(64);
    // one process is fine on the embedded database
    expect(workerCount(env('1'), true)).toBe(1);
  });

  it.each(['0', '-1', '1.5', 'abc', '65'])('refuses %j, naming the setting and the value', (value) => {
    for (const embedded of [false, true]) {
      let error: unknown;
      try {
        workerCount(env(value), embedded);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain('WEB_CONCURRENCY');
      expect(message).toContain(JSON.stringify(value));
    }
  });

  it('refuses several processes on the embedded database', () => {
    expect(() => workerCount(env('2'), true)).toThrow(Error);
    expect(() => workerCount(env('2'), true)).toThrow(/WEB_CONCURRENCY=2.*embedded database/);
    // with an external database the same setting is fine
    expect(workerCount(env('2'), false)).toBe(2);
  });
});
