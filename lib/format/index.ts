// The one set of display formats, used on the server and in the browser (pure functions).
// A missing value shows as "—" everywhere.

const NONE = '—';
type Maybe = number | null | undefined;

export function formatScore(score: Maybe): string {
  return score === null || score === undefined ? NONE : score.toFixed(3);
}

// "+0.012", "−0.012", "0.000": the sign only where the rounded value has one
export function formatSignedScore(delta: Maybe, digits = 3): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return NONE;
  const fixed = Math.abs(delta).toFixed(digits);
  if (Number(fixed) === 0) return (0).toFixed(digits);
  return `${delta > 0 ? '+' : '−'}${fixed}`;
}

export function formatSignedPct(pct: Maybe): string {
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return NONE;
  return `${formatSignedScore(pct, 1)}%`;
}

// "850 ms", "4.2s", "42s", "1m 05s", "3h 07m", "2d 3h"
export function formatDuration(ms: Maybe): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

// per-call latency: "850 ms", "1.25 s"
export function formatLatency(ms: Maybe): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });

// "$0", "$0.0042", "$12.50", "$1,234.00"
export function formatCost(value: Maybe): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  if (value === 0) return '$0';
  return value < 0.01 ? usdSmall.format(value) : usd.format(value);
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

// "9,999", "12.3K", "4.5M"
export function formatTokens(value: Maybe): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return value < 10_000 ? value.toLocaleString('en-US') : compact.format(value);
}

export function formatCount(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

// "2026-11-23 01:57:30 UTC": the same on the server and in every browser.
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return NONE;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return NONE;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export function formatRelativeTime(date: Date | null | undefined, now: Date = new Date()): string {
  if (!date) return NONE;
  const diff = date.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

// Time since a start, for a run that has not ended (rendered once per request on the server).
export function elapsedSince(iso: string | null): number | null {
  if (!iso) return null;
  const start = new Date(iso).getTime();
  return Number.isNaN(start) ? null : Math.max(0, Date.now() - start);
}

// A file name part made of a run's name ("MIPROv2 on QA" → "miprov2-on-qa").
export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'run'
  );
}

const configNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

// A config value as a table cell: numbers grouped, booleans and null as words, strings as
// they are, objects and arrays as compact JSON (cut at 60 characters); a missing key is "—".
export function formatConfigValue(value: unknown): { text: string; type: 'number' | 'boolean' | 'string' | 'null' | 'json' | 'missing' } {
  if (value === undefined) return { text: NONE, type: 'missing' };
  if (value === null) return { text: 'null', type: 'null' };
  if (typeof value === 'number') {
    // a learning rate such as 1e-7 would otherwise read "0"
    const tiny = value !== 0 && Math.abs(value) < 0.001;
    return { text: tiny ? String(Number(value.toPrecision(4))) : configNumber.format(value), type: 'number' };
  }
  if (typeof value === 'boolean') return { text: String(value), type: 'boolean' };
  if (typeof value === 'string') return { text: value, type: 'string' };
  const json = JSON.stringify(value);
  return { text: json.length > 60 ? `${json.slice(0, 59)}…` : json, type: 'json' };
}
