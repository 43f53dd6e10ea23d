import { describe, expect, it } from 'vitest';
import { formatConfigValue, formatCost, formatDuration, formatLatency, formatSignedPct, formatSignedScore, formatTimestamp, formatTokens } from '../lib/format/index.ts';

// The one formatter: the run page, the runs list, compare, leaderboard and analytics showed
// the same values three ways ("1 min 05 s" and "1m 05s", "$1,234" and "$1,234.00"); these
// pin the rules that won.
describe('display formats', () => {
  it('durations read the same everywhere', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_200)).toBe('4.2s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3 * 3_600_000 + 7 * 60_000)).toBe('3h 07m');
    expect(formatDuration(51 * 3_600_000)).toBe('2d 3h');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('money always has cents, tiny amounts four decimals', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.0042)).toBe('$0.0042');
    expect(formatCost(12.5)).toBe('$12.50');
    expect(formatCost(1234)).toBe('$1,234.00');
    expect(formatCost(undefined)).toBe('—');
  });

  it('tokens, latency, signed deltas and timestamps', () => {
    expect(formatTokens(9_999)).toBe('9,999');
    expect(formatTokens(12_345)).toBe('12.3K');
    expect(formatTokens(4_500_000)).toBe('4.5M');
    expect(formatLatency(1250)).toBe('1.25 s');
    expect(formatSignedScore(0.0123)).toBe('+0.012');
    expect(formatSignedScore(-0.0123)).toBe('−0.012');
    expect(formatSignedScore(0.0001)).toBe('0.000');
    expect(formatSignedScore(null)).toBe('—');
    expect(formatSignedPct(12.34)).toBe('+12.3%');
    expect(formatSignedPct(null)).toBe('—');
    expect(formatTimestamp('2026-11-23T01:57:30.123Z')).toBe('2026-11-23 01:57:30 UTC');
    expect(formatTimestamp('not a date')).toBe('—');
  });

  it('config values keep their type in a table cell', () => {
    expect(formatConfigValue(1234.5)).toEqual({ text: '1,234.5', type: 'number' });
    expect(formatConfigValue(0.0000001)).toEqual({ text: '1e-7', type: 'number' });
    expect(formatConfigValue(0.00025)).toEqual({ text: '0.00025', type: 'number' });
    expect(formatConfigValue(true)).toEqual({ text: 'true', type: 'boolean' });
    expect(formatConfigValue('10')).toEqual({ text: '10', type: 'string' });
    expect(formatConfigValue(null)).toEqual({ text: 'null', type: 'null' });
    expect(formatConfigValue(undefined)).toEqual({ text: '—', type: 'missing' });
    expect(formatConfigValue({ a: [1, 2] })).toEqual({ text: '{"a":[1,2]}', type: 'json' });
    expect(formatConfigValue({ long: 'x'.repeat(100) }).text).toHaveLength(60);
  });
});
