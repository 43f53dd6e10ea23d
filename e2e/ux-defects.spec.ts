import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, keyHeaders } from './support.ts';

// The UX defects of issue 16, each walked in the browser: the runs filters (one model,
// suggestions, clickable tags, labels in errors), the run page (diff links and pickers,
// chart points and sample rows, sample counts, derived scores) and names on a phone.
// Screenshots: e2e/.artifacts/screenshots/ux-*.png.

const PROJECT = 'demo-qa';
// derived scores are written into another demo project, so demo-qa's counts stay as seeded
const OTHER = 'demo-extract';

interface ApiRun {
  id: string;
  runName: string;
  optimizerType: string;
  iterations: number;
  samplesFailed: number;
  tags: string[];
}

async function demoRuns(page: Page): Promise<ApiRun[]> {
  const { baseUrl, apiKey } = servers().local;
  const res = await page.request.get(`${baseUrl}/api/v1/runs?status=completed&limit=100`, { headers: keyHeaders(apiKey) });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { data: ApiRun[] }).data;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `ux-${name}.png`), fullPage: true });

test('every runs filter applies on change; errors use the labels on screen', async ({ page }) => {
  const { baseUrl } = servers().local;
  const errors = collectPageErrors(page);
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  const form = page.getByTestId('filter-form');
  await expect(page.getByTestId('run-row').first()).toBeVisible();
  await expect(form.getByRole('button', { name: 'Apply filters' })).toHaveCount(0);

  // a checkbox applies at once
  await form.getByRole('checkbox', { name: 'completed', exact: true }).check();
  await expect(page).toHaveURL(/[?&]status=completed(&|$)/);
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-status', 'completed');

  // typed bounds apply after a pause, and the wrong way round they are refused in the page's words
  await form.getByLabel('Minimum final score').fill('0.9');
  await form.getByLabel('Maximum final score').fill('0.1');
  await expect(page).toHaveURL(/minScore=0\.9&maxScore=0\.1/);
  await expect(page.getByTestId('filter-error')).toContainText('Min final score must not exceed max final score');
  await expect(page.getByTestId('filter-error')).not.toContainText('minScore');
  await expect(form.getByText('Min final score must not exceed max final score')).toBeVisible();
  await shot(page, 'filters-score-error');

  // the name search also applies as you type, and all of them clear together
  await page.getByRole('searchbox', { name: 'Search run names' }).fill('mipro');
  await expect(page).toHaveURL(/search=mipro/);
  await form.getByTestId('filter-clear').click();
  await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/runs`);
  await expect(page.getByRole('searchbox', { name: 'Search run names' })).toHaveValue('');
  await expect(form.getByLabel('Minimum final score')).toHaveValue('');
  expect(errors).toEqual([]);
});

test('config keys are suggested; tags filter from the table and are never hidden when filtered', async ({ page }) => {
  const { baseUrl } = servers().local;
  const runs = await demoRuns(page);
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  const form = page.getByTestId('filter-form');
  const keyOptions = form.getByTestId('filter-config-key-options').locator('option');
  expect(await keyOptions.count()).toBeGreaterThan(3);
  expect(await keyOptions.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain('miprov2.num_candidates');
  await expect(form.getByLabel('Config key')).toHaveAttribute('list', await form.getByTestId('filter-config-key-options').getAttribute('id') ?? 'missing');

  // a config filter applies when added
  await form.getByLabel('Config key').fill('miprov2.num_candidates');
  await form.getByLabel(/= Value/).fill('10');
  await form.getByLabel(/= Value/).press('Enter');
  await expect(page).toHaveURL(/[?&]config\.miprov2\.num_candidates=10(&|$)/);
  await form.getByRole('button', { name: 'Remove config filter miprov2.num_candidates' }).click();
  await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/runs`);

  // a run with several tags: clicking its last tag in the table filters by it
  const tagged = runs.find((r) => r.tags.length >= 3)!;
  expect(tagged, 'a demo run with three or more tags').toBeTruthy();
  const tag = tagged.tags.at(-1)!;
  const row = page.locator(`[data-testid="run-row"][data-run-id="${tagged.id}"]`);
  await page.getByRole('searchbox', { name: 'Search run names' }).fill(tagged.runName);
  await expect(page).toHaveURL(/search=/);
  await expect(row).toBeVisible();
  const chip = row.getByTestId('run-tag').filter({ hasText: tag });
  if ((await chip.count()) === 0) {
    // the tag is behind "+N": filter by it through the form, then it must show
    await form.getByLabel(/^Tags/).fill(tag);
    await form.getByLabel(/^Tags/).press('Enter');
  } else {
    await chip.click();
  }
  await expect(page).toHaveURL(new RegExp(`[?&]tags=${encodeURIComponent(tag)}(&|$)`));
  await expect(form.getByTestId('filter-tag-chips')).toContainText(tag);
  // in every row the filtered tag is shown, first, marked as filtered
  const rows = page.getByTestId('run-row');
  await expect(rows.first()).toBeVisible();
  for (const r of await rows.all()) {
    await expect(r.locator('[data-testid="run-tag"][data-filtered]').first()).toHaveText(new RegExp(`^${tag}`));
    await expect(r.locator('[data-testid="run-tag"][data-filtered]').first()).toBeVisible();
  }
  await shot(page, 'filters-tag-from-table');
  // clicking the filtered tag again removes the filter
  await row.locator('[data-testid="run-tag"][data-filtered]').first().click();
  await expect(page).not.toHaveURL(/tags=/);
});

test('run page: diff links show the diff, quick picks stick, chart points and sample rows open', async ({ page }) => {
  const { baseUrl } = servers().local;
  const errors = collectPageErrors(page);
  const run = (await demoRuns(page)).find((r) => r.optimizerType === 'miprov2' && r.samplesFailed > 0 && r.iterations >= 10)!;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs/${run.id}`);
  await expect(page.getByTestId('iteration-row').first()).toBeVisible();

  // defect 3: the header's count says it is what was evaluated, the samples section what is stored
  await expect(page.getByTestId('score-cards').getByText('Samples evaluated')).toBeVisible();
  await expect(page.getByTestId('samples-stored-summary')).toContainText(/stored sample/);

  // defect 1: "Diff vs first" brings the diff into view
  const rows = page.getByTestId('iteration-row');
  const last = rows.nth(Math.min(4, (await rows.count()) - 1));
  const iteration = await last.getAttribute('data-iteration');
  await last.getByRole('button', { name: /^Params/ }).click();
  await page.getByRole('link', { name: 'Diff vs first' }).first().click();
  await expect(page).toHaveURL(new RegExp(`to=${iteration}.*#program-diff$`));
  await expect(page.locator('#program-diff')).toBeInViewport();
  await expect(page.getByTestId('diff-to')).toHaveValue(iteration!);
  await shot(page, 'diff-link');

  // defect 8: two quick picks, the second before the URL caught up with the first
  const options = await page.getByTestId('diff-from').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const [first, second] = [options[0]!, options.at(-1)!];
  await page.getByTestId('diff-from').selectOption(first);
  await page.getByTestId('diff-to').selectOption(second);
  await expect(page).toHaveURL(new RegExp(`from=${first}&to=${second}`));
  await expect(page.getByTestId('diff-from')).toHaveValue(first);
  await expect(page.getByTestId('diff-to')).toHaveValue(second);

  // defect 7: a click on a sample row (not its button) expands it
  const sample = page.getByTestId('sample-row').first();
  await sample.locator('td').nth(3).click();
  await expect(sample.getByRole('button', { name: /^Collapse/ })).toHaveAttribute('aria-expanded', 'true');
  await sample.locator('td').nth(3).click();
  await expect(sample.getByRole('button', { name: /^Expand/ })).toHaveAttribute('aria-expanded', 'false');

  // ... and a click on a chart point opens that iteration's samples
  const chart = page.getByTestId('score-chart');
  await chart.scrollIntoViewIfNeeded();
  const dot = chart.locator('.recharts-line-dots circle, .recharts-dot').last();
  await expect(dot).toBeVisible();
  await dot.click({ force: true });
  await expect(page).toHaveURL(/[?&]sIter=\d+.*#samples$/);
  const picked = /sIter=(\d+)/.exec(page.url())![1]!;
  await expect(page.locator('#samples')).toBeInViewport();
  const shown = page.getByTestId('sample-row');
  if ((await shown.count()) > 0) {
    expect(new Set(await shown.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-iteration'))))).toEqual(new Set([picked]));
  }
  await shot(page, 'chart-point-samples');
  expect(errors).toEqual([]);
});

test('a completed run without reported scores shows derived ones, never a minibatch', async ({ page }) => {
  const { baseUrl } = servers().local;
  // the local user owns every demo project: the browser's own session writes into another one
  const name = `derived ${randomUUID().slice(0, 6)}`;
  const created = await page.request.post(`${baseUrl}/api/v1/runs`, {
    data: { projectId: OTHER, runName: name, optimizerType: 'miprov2', status: 'completed', tags: ['derived-check'] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const run = (await created.json()) as { id: string };
  const iterations = await page.request.post(`${baseUrl}/api/v1/runs/${run.id}/iterations`, {
    data: [
      { iteration: 0, score: 0.4, evalKind: 'full' },
      { iteration: 1, score: 0.95, evalKind: 'minibatch', samplesEvaluated: 10 },
      { iteration: 2, score: 0.65, evalKind: 'full', samplesEvaluated: 200 },
      { iteration: 3, score: 0.6, evalKind: 'full' },
    ],
  });
  expect(iterations.status(), await iterations.text()).toBe(201);

  await page.goto(`${baseUrl}/projects/${OTHER}/runs?tags=derived-check`);
  const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
  await expect(row).toBeVisible();
  await expect(row.getByTestId('derived-score')).toHaveText('derived');
  await expect(row).toContainText('0.400');
  await expect(row).toContainText('0.650');
  await expect(row).not.toContainText('0.950');

  await row.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('initial-score')).toHaveText('0.400');
  await expect(page.getByTestId('final-score')).toHaveText('0.650');
  await expect(page.getByTestId('score-cards').getByTestId('derived-score')).toBeVisible();
  await expect(page.getByTestId('derived-note')).toContainText('initial from iteration #0, final from iteration #2');
  await expect(page.getByTestId('improvement')).toHaveText('+0.250');
  // iterations that reported evaluated samples but stored none say so
  await expect(page.getByTestId('samples-none-stored')).toContainText('#1 (10 evaluated), #2 (200 evaluated)');
  await shot(page, 'derived-scores');

  // not ranked: the leaderboard ranks reported final scores; this run comes last, without a rank
  await page.goto(`${baseUrl}/projects/${OTHER}/leaderboard?tag=derived-check`);
  const entry = page.getByTestId('leaderboard-row').filter({ hasText: name });
  await expect(entry).toHaveAttribute('data-unranked', 'true');
  await expect(entry.getByTestId('derived-score')).toBeVisible();
  await expect(entry).toContainText('not ranked');
  await expect(entry).toContainText('0.650');
  await page.goto(`${baseUrl}/projects/${OTHER}/leaderboard`);
  await expect(page.getByTestId('leaderboard-row').first()).not.toHaveAttribute('data-unranked', 'true');
  await shot(page, 'derived-leaderboard');
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('run names wrap whole, never cut', async ({ page }) => {
    const { baseUrl } = servers().local;
    await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
    const links = page.getByTestId('run-row').locator('td a[href*="/runs/"]').first();
    await expect(links).toBeVisible();
    const cut = await page.getByTestId('run-row').evaluateAll((trs) =>
      trs
        .map((tr) => tr.querySelector<HTMLAnchorElement>('a[href*="/runs/"]')!)
        .filter((a) => [a, ...a.querySelectorAll('span')].some((el) => el.scrollWidth > el.clientWidth + 1))
        .map((a) => a.textContent),
    );
    expect(cut, 'names cut off').toEqual([]);
    // every name reads in full
    const names = await page.getByTestId('run-row').evaluateAll((trs) => trs.map((tr) => tr.querySelector('a[href*="/runs/"]')!.textContent));
    const titles = await page.getByTestId('run-row').evaluateAll((trs) => trs.map((tr) => tr.querySelector('a[href*="/runs/"]')!.getAttribute('title')));
    expect(names).toEqual(titles);
    await shot(page, 'runs-phone');
  });
});
