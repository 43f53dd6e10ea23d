import { inject, it, expect } from 'vitest';
it('serves the OpenAPI document', async () => {
  const res = await fetch(`${inject('baseUrl')}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toBe('3.1.0');
});
