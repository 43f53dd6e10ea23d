import { describe, expect, it } from 'vitest';
import { bestShown } from '../lib/dashboard/compare.ts';
import { formatScore } from '../lib/format/index.ts';

// The compare table marks the best value of each metric row, as the values are shown.

describe('bestShown', () => {
  it('marks the highest or the lowest, as the metric says', () => {
    expect(bestShown([0.5, 0.7, 0.6], formatScore, 'higher')).toEqual([false, true, false]);
    expect(bestShown([0.5, 0.7, 0.6], formatScore, 'lower')).toEqual([true, false, false]);
  });

  it('marks every run whose shown value ties with the best', () => {
    // 0.81234 and 0.81229 both read 0.812
    expect(bestShown([0.81234, 0.81229, 0.7], formatScore, 'higher')).toEqual([true, true, false]);
  });

  it('marks none when every shown value is the same', () => {
    expect(bestShown([0.81234, 0.81229], formatScore, 'higher')).toEqual([false, false]);
    expect(bestShown([3, 3, 3], String, 'lower')).toEqual([false, false, false]);
  });

  it('ignores missing values and needs two present ones', () => {
    expect(bestShown([null, 0.4, 0.6], formatScore, 'higher')).toEqual([false, false, true]);
    expect(bestShown([null, 0.4, null], formatScore, 'higher')).toEqual([false, false, false]);
  });

  it('marks nothing for a metric with no better direction', () => {
    expect(bestShown([1, 2, 3], String, undefined)).toEqual([false, false, false]);
  });
});
