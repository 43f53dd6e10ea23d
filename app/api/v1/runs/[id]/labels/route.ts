import { apiHandler, json, methodNotAllowed } from '@/lib/api/handler';
import { editRunLabels, editRunLabelsSchema } from '@/lib/supabase-optimization';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// PATCH /api/v1/runs/{id}/labels — rename, add and remove tags in one audited edit
export const PATCH = apiHandler<Params, typeof editRunLabelsSchema>(
  { access: 'write', body: editRunLabelsSchema },
  async ({ caller, params, body }) => json(await editRunLabels(caller.scope, params.id, body)),
);

const unsupported = methodNotAllowed(['PATCH']);
export const GET = unsupported;
export const POST = unsupported;
export const PUT = unsupported;
export const DELETE = unsupported;
