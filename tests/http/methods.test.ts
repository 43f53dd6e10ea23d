import { describe, expect, inject, it } from 'vitest';

// A method an endpoint does not serve gets the API's one error shape, not an empty 405.
describe('unsupported methods', () => {
  const cases: Array<[method: string, path: string, allow: string]> = [
    ['PUT', '/api/v1/runs', 'GET, POST'],
    ['DELETE', '/api/v1/runs', 'GET, POST'],
    ['POST', '/api/v1/runs/00000000-0000-4000-8000-000000000000', 'GET, PATCH, DELETE'],
    ['PATCH', '/api/v1/runs/00000000-0000-4000-8000-000000000000/samples', 'GET, POST'],
    ['GET', '/api/v1/analytics/refresh', 'POST'],
    ['DELETE', '/api/v1/leaderboard', 'GET'],
    ['DELETE', '/api/v1/runs/00000000-0000-4000-8000-000000000000/candidates', 'GET, POST'],
    ['PUT', '/api/v1/runs/00000000-0000-4000-8000-000000000000/proposals', 'GET, POST'],
  ];
  it.each(cases)('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const res = await fetch(`${inject('baseUrl')}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('method_not_allowed');
    expect(body.error.message).toContain(allow);
  });
});
