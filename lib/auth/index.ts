import 'server-only';

export { getViewer, type Viewer } from './session.ts';
export { resolveApiKey, type ApiKeyIdentity } from './api-keys.ts';
export { verifyAccessToken, InvalidTokenError } from './verify-token.ts';
export { generateApiKey, hashApiKey, displayApiKey, looksLikeApiKey } from './api-key.ts';
export { LOCAL_USER, localUserClaims } from './local-user.ts';
export { readAccessToken } from './session-cookie.ts';
export { safeNextPath } from './safe-next-path.ts';
