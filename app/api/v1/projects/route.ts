import { apiHandler, json } from '@/lib/api/handler';
import { listProjects } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/projects — the projects this key or user can see, with the role
export const GET = apiHandler({ access: 'read' }, async ({ caller }) => json({ data: await listProjects(caller.scope) }));
