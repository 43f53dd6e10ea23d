import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen } from './support.ts';

// Issue 16's runs table: config values as chosen, typed, sortable columns; sorting by name,
// status and optimizer in the database; "Page 3 of 41" with First and Last.

const PROJECT = 'demo-qa';

test('config values become typed, sortable columns; the name sorts A to Z', async ({ page }) => {
  const errors = collectPageErrors(page);
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs?limit=20`);
  const table = page.getByTestId('runs-table');
  await expect(table.getByTestId('run-row').first()).toBeVisible();

  // choose two config keys from the project's own keys
  await page.getByTestId('column-menu').click();
  const picker = page.getByTestId('config-column-picker');
  await expect(picker.locator('option[value="model"]')).toHaveCount(1);
  await picker.selectOption('model');
  await expect(page).toHaveURL(/columns=[^&]*config\.model/);
  await expect(table.locator('th[data-column="config.model"]')).toBeVisible();
  if (!(await page.getByTestId('config-column-picker').isVisible())) await page.getByTestId('column-menu').click();
  await page.getByTestId('config-column-picker').selectOption('seed');
  await expect(table.locator('th[data-column="config.seed"]')).toBeVisible();
  await page.keyboard.press('Escape');
  // typed cells: the seed is a number, the model a string
  const seeds = table.locator('td [data-config-type]').filter({ hasText: /^\d[\d,]*$/ });
  await expect(seeds.first()).toHaveAttribute('data-config-type', 'number');
  await expect(table.locator('[data-config-type="string"]').first()).toBeVisible();

  // sort by the config value in the database, both ways
  await page.getByTestId('sort-config.seed').click();
  await expect(page).toHaveURL(/orderBy=config\.seed/);
  await expect(table.locator('th[data-column="config.seed"]')).toHaveAttribute('aria-sort', 'descending');
  const seedColumn = async () => {
    const index = await table.locator('thead th').evaluateAll((ths) => ths.findIndex((th) => th.getAttribute('data-column') === 'config.seed'));
    return table.locator(`tbody tr td:nth-child(${index + 1})`).allInnerTexts();
  };
  const desc = (await seedColumn()).map((t) => Number(t.replace(/,/g, '')));
  expect(desc).toEqual([...desc].sort((a, b) => b - a));

  // the name: a new text column starts A to Z
  await page.getByTestId('sort-run_name').click();
  await expect(page).toHaveURL(/orderBy=run_name&orderDirection=asc/);
  await expect(table.locator('th[data-column="name"]')).toHaveAttribute('aria-sort', 'ascending');
  const names = await table.getByTestId('run-row').evaluateAll((rows) =>
    rows.map((r) => r.querySelector('a[title]')?.getAttribute('title') ?? ''),
  );
  expect(names.length).toBe(20);
  expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  // the chosen columns stay through a sort
  await expect(table.locator('th[data-column="config.model"]')).toBeVisible();

  await expectNoErrorScreen(page);
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.fonts.ready);
  await page.getByTestId('runs-table').locator('xpath=ancestor::section[1]').screenshot({ path: path.join(SCREENSHOTS, 'runs-table-config-columns.png') });

  // status and optimizer sort too
  await page.getByTestId('sort-status').click();
  await expect(page).toHaveURL(/orderBy=status&orderDirection=asc/);
  const statuses = await table.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status') ?? ''));
  expect(statuses).toEqual([...statuses].sort());
  await page.getByTestId('sort-optimizer_type').click();
  await expect(page).toHaveURL(/orderBy=optimizer_type&orderDirection=asc/);
  expect(errors).toEqual([]);
});

test('paging says "Page n of N" and jumps to the last and first pages', async ({ page }) => {
  const errors = collectPageErrors(page);
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs?limit=10&orderBy=run_name&orderDirection=asc`);
  const pageOf = page.getByTestId('page-of');
  await expect(pageOf).toHaveText(/^Page 1 of \d+$/);
  const pages = Number((await pageOf.innerText()).match(/of (\d+)/)![1]);
  expect(pages).toBeGreaterThan(2);
  await expect(page.getByTestId('first-page')).toBeDisabled();

  await page.getByTestId('last-page').click();
  await expect(pageOf).toHaveText(`Page ${pages} of ${pages}`);
  await expect(page).toHaveURL(new RegExp(`offset=${(pages - 1) * 10}`));
  await expect(page.getByTestId('next-page')).toBeDisabled();
  await expect(page.getByTestId('last-page')).toBeDisabled();
  const lastNames = await page.getByTestId('run-row').count();
  expect(lastNames).toBeGreaterThan(0);
  expect(lastNames).toBeLessThanOrEqual(10);

  await page.getByTestId('prev-page').click();
  await expect(pageOf).toHaveText(`Page ${pages - 1} of ${pages}`);
  await expect(page.getByTestId('run-row')).toHaveCount(10);
  // Next from a page read by position continues with the cursor
  await page.getByTestId('next-page').click();
  await expect(pageOf).toHaveText(`Page ${pages} of ${pages}`);
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByTestId('run-row')).toHaveCount(lastNames);

  await page.getByTestId('first-page').click();
  await expect(pageOf).toHaveText(`Page 1 of ${pages}`);
  await expect(page).not.toHaveURL(/cursor=|offset=/);
  expect(errors).toEqual([]);
});
