import type { Claims } from '../db/index.ts';

// Local mode has one user and no sign-in: the machine's owner, owner of the demo projects.
export const LOCAL_USER = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'local@optiscope.localhost',
  name: 'Local user',
} as const;

export function localUserClaims(): Claims {
  return { role: 'authenticated', sub: LOCAL_USER.id, email: LOCAL_USER.email, aud: 'authenticated' };
}
