import { buildOpenApiDocument } from '@/lib/api/openapi';

export const dynamic = 'force-static';

// GET /api/v1/openapi.json — the API description, generated from the zod schemas
export function GET() {
  return Response.json(buildOpenApiDocument());
}
