// A token bucket per caller (API key or user), in process memory: enough for one
// server; a fleet would put it in front (the API is idempotent, so clients retry 429s).
interface Bucket {
  tokens: number;
  updatedAt: number;
}

const buckets = new Map<string, Bucket>();

export function takeToken(key: string, perMinute: number, now = Date.now()): { ok: boolean; retryAfterSeconds: number } {
  if (perMinute <= 0) return { ok: true, retryAfterSeconds: 0 };
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
