import { expect, test } from '@playwright/test';
import { createRun } from '../tests/helpers/fixtures.ts';
import { collectPageErrors, ownedProject, signIn } from './support.ts';

// The dashboard's "Refresh analytics" button while another process holds the refresh
// (its advisory lock taken here): it says the refresh was not done and when to try again,
// and refreshes once the other one is over. (The server of the browser tests refreshes
// with no minimum interval, so only the one-at-a-time rule applies.)

const project = ownedProject('throttle', 3);

test.beforeAll(async () => {
  await createRun(project.sql, project.projectId, { status: 'completed', final_score: 0.7, initial_score: 0.5 });
});

const refreshCount = async () => (await project.sql<{ n: number }[]>`select count(*)::int as n from optimization_analytics_refreshes`)[0]!.n;

test('a refresh asked for while another runs is refused with when to retry; then it refreshes', async ({ browser }) => {
  const { sql, baseUrl, owner, projectId } = project;
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
