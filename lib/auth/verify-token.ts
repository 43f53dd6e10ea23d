import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { SupabaseSettings } from '../config/index.ts';
import type { Claims } from '../db/index.ts';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const remoteSets = new Map<string, JWTVerifyGetKey>();

function keyFor(settings: SupabaseSettings, alg: string | undefined): Uint8Array | JWTVerifyGetKey {
  if (alg === 'HS256') {
    if (!settings.jwtSecret) throw new InvalidTokenError('HS256 tokens are not accepted (no SUPABASE_JWT_SECRET)');
    return new TextEncoder().encode(settings.jwtSecret);
  }
  if (settings.jwks) return createLocalJWKSet(settings.jwks as never);
  if (settings.jwksUrl) {
    let set = remoteSets.get(settings.jwksUrl);
    if (!set) {
      set = createRemoteJWKSet(new URL(settings.jwksUrl));
      remoteSets.set(settings.jwksUrl, set);
    }
    return set;
  }
  throw new InvalidTokenError(`${alg ?? 'unknown'} tokens are not accepted (no SUPABASE_JWKS)`);
}

// Verifies a Supabase access token (HS256 with the project's JWT secret, or ES256/RS256
// against its JWKS) and returns the claims withUserScope runs with. Authorization never
// reads user_metadata.
export async function verifyAccessToken(token: string, settings: SupabaseSettings): Promise<Claims> {
  let header: { alg?: string };
  try {
    header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
  } catch {
    throw new InvalidTokenError('malformed access token');
  }
  const key = keyFor(settings, header.alg);
  let payload: JWTPayload;
  try {
    const result = await jwtVerify(token, key as never, {
      algorithms: ['HS256', 'ES256', 'RS256'],
      audience: 'authenticated',
      clockTolerance: 5,
    });
    payload = result.payload;
  } catch (error) {
    throw new InvalidTokenError(`access token rejected: ${(error as Error).message}`);
  }
  if (payload.role !== 'authenticated' || typeof payload.sub !== 'string' || !payload.sub) {
    throw new InvalidTokenError('access token is not an authenticated user token');
  }
  const claims: Claims = {
    role: 'authenticated',
    sub: payload.sub,
    aud: payload.aud,
    exp: payload.exp,
    iat: payload.iat,
    session_id: payload.session_id,
    aal: payload.aal,
  };
  if (typeof payload.email === 'string') claims.email = payload.email;
  return claims;
}
