import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { listProjects } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

// GET /api/v1/projects — the projects this key or user can see, with the role
export const GET = apiHandler({ access: 'read' }, async ({ caller }) => json({ data: await listProjects(caller.scope) }));

const unsupported = methodNotAllowed(['GET']);
export const POST = unsupported;
export const PUT = unsupported;
export const PATCH = unsupported;
export const DELETE = unsupported;
