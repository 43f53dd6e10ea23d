import { getSql, isEmbeddedDatabase } from '../db/index.ts';

// A token bucket per caller (API key or user) of perMinute requests, refilled evenly over
// a minute. Kept in PostgreSQL (private.take_api_rate_limit_token), so the limit holds for
// all server processes together; on the embedded database, which only ever has one server
// process, in process memory.

export interface TokenResult {
  ok: boolean;
  retryAfterSeconds: number;
}

export async function takeToken(key: string, perMinute: number): Promise<TokenResult> {
  if (perMinute <= 0) return { ok: true, retryAfterSeconds: 0 };
  if (isEmbeddedDatabase()) return takeLocalToken(key, perMinute);
  const [row] = await getSql()<{ ok: boolean; retry_after_seconds: number }[]>`
    select ok, retry_after_seconds from private.take_api_rate_limit_token(${key}, ${perMinute}::integer)
  `;
  return { ok: row!.ok, retryAfterSeconds: row!.retry_after_seconds };
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
