import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { createProject, createRun, createUser, type TestUser } from '../tests/helpers/fixtures.ts';
import { servers } from './servers.ts';
import { collectPageErrors, signIn } from './support.ts';

// The dashboard's "Refresh analytics" button while another process holds the refresh
// (its advisory lock taken here): it says the refresh was not done and when to try again,
// and refreshes once the other one is over. (The server of the browser tests refreshes
// with no minimum interval, so only the one-at-a-time rule applies.)

let sql: Sql;
let baseUrl: string;
let owner: TestUser;
let projectId: string;

test.beforeAll(async () => {
  const s = servers().supabase;
  baseUrl = s.baseUrl;
  sql = createSqlClient(s.databaseUrl, { max: 3 });
  owner = await createUser(sql, 'throttled-owner');
  projectId = await createProject(sql, `throttle-${randomBytes(4).toString('hex')}`, [[owner, 'owner']]);
  await createRun(sql, projectId, { status: 'completed', final_score: 0.7, initial_score: 0.5 });
});

test.afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

const refreshCount = async () => (await sql<{ n: number }[]>`select count(*)::int as n from optimization_analytics_refreshes`)[0]!.n;

test('a refresh asked for while another runs is refused with when to retry; then it refreshes', async ({ browser }) => {
  const context = await browser.newContext();
  await signIn(context, baseUrl, owner);
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${baseUrl}/projects/${projectId}/analytics`);
  const button = page.getByRole('button', { name: 'Refresh analytics' });

  const holder = await sql.reserve();
  try {
    await holder`select pg_advisory_lock(hashtext('public.refresh_optimization_analytics'))`;
    const before = await refreshCount();
    await button.click();
    const result = page.getByTestId('refresh-result');
    await expect(result).toHaveAttribute('data-result', 'throttled');
    await expect(result).toContainText('Not refreshed');
    await expect(result).toContainText('Try again in 5 seconds');
    expect(await refreshCount()).toBe(before);
  } finally {
    await holder`select pg_advisory_unlock(hashtext('public.refresh_optimization_analytics'))`;
    holder.release();
  }

  await button.click();
  await expect(page.getByTestId('refresh-result')).toHaveAttribute('data-result', 'refreshed');
  await expect(page.getByTestId('analytics-row').first()).toBeVisible();
  expect(errors).toEqual([]);
  await context.close();
});
