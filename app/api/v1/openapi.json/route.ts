import { buildOpenApiDocument } from '@/lib/api/openapi';
import { getDatabaseSettings } from '@/lib/config';

// built at run time: the document states the server's own settings (RUN_COUNT_CAP)
export const dynamic = 'force-dynamic';

let document: Record<string, unknown> | undefined;

// GET /api/v1/openapi.json — the API description, generated from the zod schemas and settings
export function GET() {
  document ??= buildOpenApiDocument({ runCountCap: getDatabaseSettings().runCountCap });
  return Response.json(document);
}
