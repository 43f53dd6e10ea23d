import { createHash, randomBytes } from 'node:crypto';

// Optiscope secret keys: a product prefix plus 32 random bytes (base64url). Only the
// SHA-256 of a key is stored, with a display form; the key itself is shown once.
export const API_KEY_PREFIX = 'osk_';
const API_KEY_PATTERN = /^osk_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  key: string;
  hash: string;
  displayPrefix: string;
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), displayPrefix: displayApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function displayApiKey(key: string): string {
  return `${key.slice(0, 8)}…${key.slice(-4)}`;
}

export function looksLikeApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}
