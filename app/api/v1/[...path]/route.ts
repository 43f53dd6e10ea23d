import { ApiError } from '@/lib/api/errors';
import { apiHandler } from '@/lib/api/handler';

// Any path under /api/v1 that no route serves: the API's error shape, not Next.js's HTML 404.
const notFound = apiHandler({ access: 'read' }, async ({ request }) => {
  throw new ApiError('not_found', `no endpoint at ${new URL(request.url).pathname}: see /api/v1/openapi.json`);
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
