import { getSql, isEmbeddedDatabase } from '../db/index.ts';

// A token bucket per caller (API key or user) of perMinute requests, refilled evenly over
// a minute. Kept in PostgreSQL (private.take_api_rate_limit_tokens), so the limit holds for
// all server processes together: each process leases up to a second's worth of requests at
// a time and spends the lease locally, so a busy caller costs about one round trip a second
// per process, and all processes together may run ahead of the limit by at most one lease
// each. On the embedded database, which only ever has one server process, in memory.

export interface TokenResult {
  ok: boolean;
  retryAfterSeconds: number;
}

interface Lease {
  tokens: number;
  // a lease being taken for this caller: concurrent requests wait for it instead of each asking
  pending: Promise<TokenResult> | null;
}

const leases = new Map<string, Lease>();

export function leaseSize(perMinute: number): number {
  return Math.max(1, Math.min(100, Math.floor(perMinute / 60)));
}

export async function takeToken(key: string, perMinute: number): Promise<TokenResult> {
  if (perMinute <= 0) return { ok: true, retryAfterSeconds: 0 };
  if (isEmbeddedDatabase()) return takeLocalToken(key, perMinute);
  let lease = leases.get(key);
  if (!lease) leases.set(key, (lease = { tokens: 0, pending: null }));
  for (;;) {
    if (lease.tokens > 0) {
      lease.tokens -= 1;
      return { ok: true, retryAfterSeconds: 0 };
    }
    if (!lease.pending) {
      const current = lease;
      current.pending = renewLease(key, perMinute, current).finally(() => (current.pending = null));
    }
    const renewed = await lease.pending!;
    if (!renewed.ok) return renewed;
  }
}

async function renewLease(key: string, perMinute: number, lease: Lease): Promise<TokenResult> {
  const [row] = await getSql()<{ granted: number; retry_after_seconds: number }[]>`
    select granted, retry_after_seconds from private.take_api_rate_limit_tokens(${key}, ${perMinute}::integer, ${leaseSize(perMinute)}::integer)
  `;
  lease.tokens += row!.granted;
  if (leases.size > 10_000) leases.clear();
  return { ok: row!.granted > 0, retryAfterSeconds: row!.retry_after_seconds };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const buckets = new Map<string, Bucket>();

export function takeLocalToken(key: string, perMinute: number, now = Date.now()): TokenResult {
  const ratePerMs = perMinute / 60_000;
  const bucket = buckets.get(key) ?? { tokens: perMinute, updatedAt: now };
  bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
  bucket.updatedAt = now;
  buckets.set(key, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return { ok: true, retryAfterSeconds: 0 };
  }
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
}
