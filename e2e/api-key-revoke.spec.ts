import { expect, test } from '@playwright/test';
import { collectPageErrors, expectNoErrorScreen, keyHeaders, ownedProject, signIn } from './support.ts';

// An owner creates two API keys on the settings page, revokes one there, and that key
// answers 401 from then on while the other keeps working (Supabase mode, cookie session).

const project = ownedProject('revoker');

test('a key revoked on the settings page answers 401; another key still works', async ({ browser, request }) => {
  const { sql, baseUrl, owner, projectId } = project;
  const context = await browser.newContext();
  await signIn(context, baseUrl, owner);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${baseUrl}/projects/${projectId}/settings`);
  await expectNoErrorScreen(page);

  const create = async (name: string): Promise<string> => {
    await page.getByTestId('api-key-name').fill(name);
    await page.getByTestId('create-api-key').click();
    const created = page.getByTestId('api-key-created');
    await expect(created).toContainText(name);
    const secret = (await page.getByTestId('api-key-secret').innerText()).trim();
    expect(secret).toMatch(/^\S{20,}$/);
    return secret;
  };
  const doomed = await create('to be revoked');
  const kept = await create('kept');
  const runs = (key: string) => request.get(`${baseUrl}/api/v1/runs?projectId=${projectId}`, { headers: keyHeaders(key) });
  expect((await runs(doomed)).status()).toBe(200);
  expect((await runs(kept)).status()).toBe(200);

  const row = page.getByTestId('api-key-row').filter({ hasText: 'to be revoked' });
  await expect(row).toHaveAttribute('data-state', 'active');
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('to be revoked');
    void dialog.accept();
  });
  await row.getByTestId('revoke-api-key').click();
  await expect(row).toHaveAttribute('data-state', 'revoked');
  await expect(row.getByTestId('revoke-api-key')).toHaveCount(0);
  await expect(page.getByTestId('api-key-row').filter({ hasText: 'kept' })).toHaveAttribute('data-state', 'active');

  const refused = await runs(doomed);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe('unauthorized');
  const write = await request.post(`${baseUrl}/api/v1/runs`, {
    headers: keyHeaders(doomed),
    data: { projectId, runName: 'after revoke', optimizerType: 'miprov2' },
  });
  expect(write.status()).toBe(401);
  expect((await runs(kept)).status()).toBe(200);
  // the database agrees: revoked, and nothing was written with it
  const [state] = await sql`select revoked_at is not null as revoked from api_keys where project_id = ${projectId} and name = 'to be revoked'`;
  expect(state).toEqual({ revoked: true });
  const [count] = await sql`select count(*)::int as n from optimization_runs where project_id = ${projectId}`;
  expect(count!.n).toBe(0);

  // after a reload the key is still shown revoked, with no button
  await page.reload();
  await expect(page.getByTestId('api-key-row').filter({ hasText: 'to be revoked' })).toHaveAttribute('data-state', 'revoked');
  expect(errors).toEqual([]);
  await context.close();
});
