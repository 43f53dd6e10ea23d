import { randomBytes } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { createSqlClient } from '../lib/db/client.ts';
import { createProject, createUser } from '../tests/helpers/fixtures.ts';
import { servers } from './servers.ts';
import { signIn } from './support.ts';

// Keyboard and accessible-name spot checks: the runs table by Tab, sort state in aria-sort,
// and a name for every control of the filters and the settings.

const PROJECT = 'demo-qa';

const CONTROL_ROLES = ['button', 'checkbox', 'combobox', 'listbox', 'radio', 'searchbox', 'slider', 'spinbutton', 'switch', 'textbox'];

// Every form control inside `scope` that assistive technology sees has a non-empty
// accessible name (read from the accessibility tree, one snapshot for the whole scope).
async function expectNamedControls(scope: Locator, atLeast: number): Promise<void> {
  const snapshot = await scope.ariaSnapshot();
  const controls = snapshot
    .split('\n')
    // YAML quotes a line holding "#" or ":" ('checkbox "Select run #3"'): unquote it
    .map((line) => line.trim().replace(/^- '(.*)'(:?)$/, (_, body: string, colon: string) => `- ${body.replace(/''/g, "'")}${colon}`))
    .filter((line) => new RegExp(`^- (${CONTROL_ROLES.join('|')})\\b`).test(line));
  const unnamed = controls.filter((line) => !/^- \w+ "[^"]*\S[^"]*"/.test(line) && !/^- \w+ \/.+\/( |:|$)/.test(line));
  expect(unnamed, 'controls without an accessible name').toEqual([]);
  expect(controls.length).toBeGreaterThanOrEqual(atLeast);
}

async function tabUntil(page: Page, found: () => Promise<boolean>, limit: number): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if (await found()) return presses;
  }
  return -1;
}

test('the runs table is reachable and usable with the keyboard', async ({ page }) => {
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  await expect(page.getByTestId('run-row').first()).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  // Tab through the header, the project nav and the filters into the table
  const table = page.getByRole('region', { name: 'Runs table, scrolls sideways' });
  const presses = await tabUntil(page, () => table.evaluate((el) => el.contains(document.activeElement)), 80);
  expect(presses, 'Tab reaches the runs table').toBeGreaterThan(0);
  await expect(table).toBeFocused();

  // next: the sortable headers (the name first), then the first row's checkbox and its link
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('sort-run_name')).toBeFocused();
  const firstRow = page.getByTestId('run-row').first();
  const toRow = await tabUntil(page, () => firstRow.getByTestId('compare-checkbox').evaluate((el) => el === document.activeElement), 12);
  expect(toRow).toBeGreaterThan(0);
  await page.keyboard.press('Space');
  await expect(firstRow.getByTestId('compare-checkbox')).toBeChecked();
  await page.keyboard.press('Tab');
  const runLink = firstRow.getByRole('link').first();
  await expect(runLink).toBeFocused();
  const runId = await firstRow.getAttribute('data-run-id');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
});

test('sortable headers carry aria-sort and follow the sort', async ({ page }) => {
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  const headers = page.getByTestId('runs-table').locator('thead th');
  await expect(headers.first()).toBeVisible();
  const sortable = headers.filter({ has: page.locator('button[data-testid^="sort-"]') });
  const n = await sortable.count();
  expect(n).toBeGreaterThanOrEqual(4);
  for (let i = 0; i < n; i++) await expect(sortable.nth(i)).toHaveAttribute('aria-sort', /^(none|ascending|descending)$/);
  // headers that do not sort say nothing about sorting
  await expect(headers.filter({ hasNot: page.locator('button[data-testid^="sort-"]') }).and(page.locator('[aria-sort]'))).toHaveCount(0);

  const sortedBy = async () =>
    sortable.evaluateAll((ths) => ths.filter((th) => th.getAttribute('aria-sort') !== 'none').map((th) => `${th.textContent?.trim()}:${th.getAttribute('aria-sort')}`));
  expect(await sortedBy()).toEqual(['Created:descending']);

  const final = page.getByRole('columnheader', { name: /Initial → final/ });
  await page.getByTestId('sort-final_score').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/orderBy=final_score/);
  await expect(final).toHaveAttribute('aria-sort', 'descending');
  await page.getByTestId('sort-final_score').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/orderBy=final_score&orderDirection=asc/);
  await expect(final).toHaveAttribute('aria-sort', 'ascending');
  expect(await sortedBy()).toEqual([expect.stringMatching(/final:ascending$/)]);
});

test('every control of the runs, samples, diff and leaderboard filters has an accessible name', async ({ page }) => {
  const { baseUrl, apiKey } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  const filters = page.getByTestId('filter-form');
  await expect(filters).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search run names' })).toBeVisible();
  for (const status of ['pending', 'running', 'completed', 'failed', 'cancelled']) {
    await expect(filters.getByRole('checkbox', { name: status, exact: true })).toBeVisible();
  }
  await expect(filters.getByRole('checkbox', { name: /^miprov2/ })).toBeVisible();
  await expect(filters.getByRole('combobox', { name: /^Tags/ })).toBeVisible();
  await expect(filters.getByRole('button', { name: 'Add tag' })).toBeVisible();
  await expect(filters.getByRole('combobox', { name: 'Config key' })).toBeVisible();
  await expect(filters.getByRole('textbox', { name: /Value/ })).toBeVisible();
  await expect(filters.getByRole('button', { name: 'Add config filter' })).toBeVisible();
  await expect(filters.getByRole('spinbutton', { name: 'Minimum final score' })).toBeVisible();
  await expect(filters.getByRole('spinbutton', { name: 'Maximum final score' })).toBeVisible();
  await expect(filters.getByLabel('Created on or after (UTC)')).toBeVisible();
  await expect(filters.getByLabel('Created on or before (UTC)')).toBeVisible();
  await expect(filters.getByRole('button', { name: 'Clear filters' })).toBeVisible();
  await expectNamedControls(page.getByRole('main'), 60);

  // a run's samples filters and diff pickers
  const res = await page.request.get(`${baseUrl}/api/v1/runs?status=completed&limit=1`, { headers: { authorization: `Bearer ${apiKey}` } });
  const [run] = (await res.json()).data as Array<{ id: string }>;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs/${run!.id}`);
  const samples = page.getByRole('form', { name: 'Filter samples' });
  await expect(samples.getByRole('combobox', { name: 'Iteration' })).toBeVisible();
  await expect(samples.getByRole('spinbutton', { name: 'Min score' })).toBeVisible();
  await expect(samples.getByRole('spinbutton', { name: 'Max score' })).toBeVisible();
  await expect(samples.getByRole('checkbox', { name: 'Failures only' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'From iteration' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'To iteration' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Swap from and to' })).toBeVisible();
  await expectNamedControls(page.getByRole('main'), 40);

  await page.goto(`${baseUrl}/projects/${PROJECT}/leaderboard`);
  const board = page.getByRole('search', { name: 'Filter the leaderboard' });
  await expect(board.getByRole('combobox', { name: 'Optimizer' })).toBeVisible();
  await expect(board.getByRole('combobox', { name: 'Tag' })).toBeVisible();
  await expectNamedControls(page.getByRole('main'), 3);
});

test('every control of the settings has an accessible name, in local and Supabase mode', async ({ page, browser }) => {
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/settings`);
  const keyForm = page.getByRole('form', { name: 'Create an API key' });
  await expect(keyForm.getByRole('textbox', { name: 'Key name' })).toBeVisible();
  await expect(keyForm.getByRole('checkbox', { name: 'read' })).toBeChecked();
  await expect(keyForm.getByRole('checkbox', { name: 'write' })).toBeChecked();
  await expect(keyForm.getByRole('button', { name: 'Create key' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Revoke API key / }).first()).toBeVisible();
  await expectNamedControls(page.getByRole('main'), 6);

  // an owner's settings in Supabase mode also manage members
  const supabase = servers().supabase;
  const sql = createSqlClient(supabase.databaseUrl, { max: 1 });
  try {
    const owner = await createUser(sql, 'a11y-owner');
    const member = await createUser(sql, 'a11y-member');
    const projectId = await createProject(sql, `a11y-${randomBytes(4).toString('hex')}`, [[owner, 'owner'], [member, 'member']]);
    const context = await browser.newContext();
    await signIn(context, supabase.baseUrl, owner);
    const owned = await context.newPage();
    await owned.goto(`${supabase.baseUrl}/projects/${projectId}/settings`);
    const addMember = owned.getByRole('form', { name: 'Add a member' });
    await expect(addMember.getByRole('textbox', { name: 'Email' })).toBeVisible();
    await expect(addMember.getByRole('combobox', { name: 'Role' })).toBeVisible();
    await expect(addMember.getByRole('button', { name: 'Add member' })).toBeVisible();
    await expect(owned.getByRole('combobox', { name: `Role of ${member.email}` })).toHaveValue('member');
    await expect(owned.getByRole('button', { name: `Remove ${member.email}` })).toBeVisible();
    await expect(owned.getByRole('button', { name: 'Leave this project' })).toBeVisible();
    await expectNamedControls(owned.getByRole('main'), 11);
    await context.close();
  } finally {
    await sql.end({ timeout: 5 });
  }
});
