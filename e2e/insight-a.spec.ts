import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, keyHeaders } from './support.ts';

// Issue 15's views 1, 5, 6, 7 (run page) and 9 (compare page) on runs recorded from real DSPy
// compiles: the MIPROv2 and GEPA examples of the Python package (offline LM) write into the
// newcomer's server, then each view is walked in Chromium and shot in light and dark
// (e2e/.artifacts/screenshots/insight-*.png).

const root = path.resolve(import.meta.dirname, '..');
const PYTHON = path.join(root, '.venv-python/bin/python');
const TAG = `insight-a-${Date.now()}`;

interface ApiRun {
  id: string;
  projectId: string;
  runName: string;
  optimizerType: string;
}

let recorded: Promise<{ mipro: ApiRun; gepa: ApiRun }> | null = null;

async function record(request: APIRequestContext) {
  if (!existsSync(PYTHON)) throw new Error('needs .venv-python with clients/python[dspy] (scripts/python-client-tests.sh creates it)');
  const { baseUrl, apiKey } = servers().local;
  for (const optimizer of ['miprov2', 'gepa']) {
    await promisify(execFile)(
      PYTHON,
      ['clients/python/examples/log_miprov2_run.py', '--url', baseUrl, '--api-key', apiKey, '--optimizer', optimizer, '--tag', TAG],
      { cwd: root, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, maxBuffer: 64 * 1024 * 1024 },
    );
  }
  const res = await request.get(`${baseUrl}/api/v1/runs?tags=${TAG}&limit=10`, { headers: keyHeaders(apiKey) });
  expect(res.status()).toBe(200);
  const runs = ((await res.json()) as { data: ApiRun[] }).data;
  return { mipro: runs.find((r) => r.optimizerType === 'miprov2')!, gepa: runs.find((r) => r.optimizerType === 'gepa')! };
}

const runUrl = (run: ApiRun) => `${servers().local.baseUrl}/projects/${run.projectId}/runs/${run.id}`;

async function shoot(page: Page, name: string, locator = page.locator('body')) {
  await locator.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

test.describe('optimizer insight (views 1, 5, 6, 7, 9)', () => {
  test.setTimeout(240_000);

  test.beforeEach(async ({ request }) => {
    recorded ??= record(request);
    await recorded;
  });

  for (const theme of ['light', 'dark'] as const) {
    test.describe(theme, () => {
      test.use({ colorScheme: theme });
      test.beforeEach(async ({ context }) => {
        await context.addInitScript((t) => localStorage.setItem('optiscope-theme', t), theme);
      });

      test(`MIPROv2 run: trials, flips, noise, cost (${theme})`, async ({ page }) => {
        const errors = collectPageErrors(page);
        const { mipro } = await recorded!;
        await page.goto(runUrl(mipro));
        await expectNoErrorScreen(page);
        await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);

        // view 1: trial axis by default, minibatch points, the full line, the selected program
        const trials = page.getByTestId('insight-trials');
        await expect(trials).toHaveAttribute('data-axis', 'trial');
        await expect(trials.locator('.recharts-scatter-symbol')).not.toHaveCount(0);
        await expect(page.getByTestId('trials-selected')).toContainText('Selected program');
        await page.getByTestId('trials-axis-budget').click();
        await expect(trials).toHaveAttribute('data-axis', 'budget');
        await page.getByTestId('trials-axis-budget').focus();
        await page.keyboard.press('Shift+Tab');
        await shoot(page, `insight-trials-${theme}`, page.locator('#insight-trials'));

        // view 5: baseline vs selected, a fixed example opens both outputs
        const flips = page.getByTestId('insight-flips');
        const total = await flips.locator('[data-count]').evaluateAll((els) => els.reduce((s, e) => s + Number(e.getAttribute('data-count')), 0));
        expect(total).toBeGreaterThan(0);
        const first = flips.getByTestId('flip-example').first();
        await first.locator('summary').click();
        await expect(first.getByTestId('flip-before')).toBeVisible();
        await expect(first.getByTestId('flip-after')).toBeVisible();
        await shoot(page, `insight-flips-${theme}`, page.locator('#insight-flips'));

        // view 6: MIPROv2 evaluates candidates on minibatches and in full
        await expect(page.getByTestId('insight-noise')).toBeVisible();
        await expect(page.getByTestId('noise-row').first()).toBeVisible();
        await expect(page.getByTestId('noise-discordant')).toBeVisible();
        await shoot(page, `insight-noise-${theme}`, page.locator('#insight-noise'));

        // view 7: task and proposer roles
        const cost = page.getByTestId('insight-cost');
        await expect(cost.locator('[data-testid="cost-role"][data-role="task"]')).toBeVisible();
        await expect(cost.locator('[data-testid="cost-role"][data-role="proposer"]')).toBeVisible();
        await shoot(page, `insight-cost-${theme}`, page.locator('#insight-cost'));

        // a point opens its iteration: the trials table's link (keyboard) to the samples and program
        await trials.locator('summary').click();
        const link = trials.getByTestId('trials-table').getByRole('link').nth(1);
        const label = (await link.textContent())!.trim();
        await link.focus();
        await page.keyboard.press('Enter');
        await expect(page).toHaveURL(new RegExp(`sIter=${label.slice(1)}`));
        await expect(page.locator('#samples')).toBeVisible();
        expect(errors).toEqual([]);
      });

      test(`GEPA run: trials by metric calls, flips picker, cost with reflection (${theme})`, async ({ page }) => {
        const errors = collectPageErrors(page);
        const { gepa } = await recorded!;
        await page.goto(runUrl(gepa));
        await expectNoErrorScreen(page);
        const trials = page.getByTestId('insight-trials');
        // GEPA records metric calls, not trials
        await expect(trials).toHaveAttribute('data-axis', 'budget');
        await expect(page.getByTestId('trials-axis-trial')).toHaveCount(0);
        // clicking a point of the chart opens that iteration
        const dot = trials.locator('.recharts-line-dots circle').first();
        await dot.click({ force: true });
        await expect(page).toHaveURL(/sIter=\d+/);
        await page.goto(runUrl(gepa));

        // flips between two chosen iterations
        const picker = page.getByTestId('flips-picker');
        const options = await page.getByTestId('flips-fBefore').locator('option').allTextContents();
        expect(options.length).toBeGreaterThan(1);
        await page.getByTestId('flips-fBefore').selectOption({ index: 1 });
        await picker.getByRole('button', { name: 'Compare' }).click();
        await expect(page).toHaveURL(/fBefore=/);
        await expect(page.getByTestId('insight-flips')).toBeVisible();

        await expect(page.locator('[data-testid="cost-role"][data-role="reflection"]')).toBeVisible();
        await expect(page.getByTestId('cost-budget')).toContainText('/ 150');
        await shoot(page, `insight-gepa-${theme}`, page.getByTestId('run-insight-a'));
        expect(errors).toEqual([]);
      });

      test(`compare: programs per predictor, flips between runs, settings (${theme})`, async ({ page }) => {
        const errors = collectPageErrors(page);
        const { mipro, gepa } = await recorded!;
        await page.goto(`${servers().local.baseUrl}/projects/${mipro.projectId}/compare?runs=${mipro.id},${gepa.id}`);
        await expectNoErrorScreen(page);
        await expect(page.getByTestId('predictor-diff').first()).toBeVisible();
        // both compiles evaluated the same valset: the selected programs' outcomes match by example id
        const flips = page.getByTestId('insight-run-flips');
        const counts = await flips.locator('[data-count]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
        expect(counts.reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
        await expect(page.getByTestId('settings-row').first()).toBeVisible();
        await expect(page.getByTestId('insight-settings')).toContainText('gepa');
        await shoot(page, `insight-compare-${theme}`, page.getByTestId('compare-insight-a'));
        expect(errors).toEqual([]);
      });
    });
  }

  test('phone: the views degrade to tables', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const { mipro } = await recorded!;
    await page.goto(runUrl(mipro));
    await expectNoErrorScreen(page);
    await expect(page.getByTestId('insight-trials').locator('.recharts-surface')).toBeHidden();
    await page.getByTestId('insight-trials').locator('summary').click();
    await expect(page.getByTestId('trials-table')).toBeVisible();
    await expect(page.getByTestId('noise-table')).toBeVisible();
    await expect(page.getByTestId('cost-roles')).toBeVisible();
    // nothing of the insight block reaches past the screen unless a scrolling box holds it
    // (the page itself may: the run's config panel is another section's, see the lead's notes)
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="run-insight-a"] *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
        .filter((e) => {
          for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false;
          return true;
        })
        .map((e) => `${e.tagName}.${e.className}`.slice(0, 160)),
    );
    expect(wide).toEqual([]);
    await shoot(page, 'insight-phone', page.getByTestId('run-insight-a'));
  });
});

test('a demo run without the optimizer structure: the views say what is missing', async ({ page, request }) => {
  const { baseUrl, apiKey } = servers().local;
  const res = await request.get(`${baseUrl}/api/v1/runs?status=completed&optimizerType=copro&limit=1`, { headers: keyHeaders(apiKey) });
  expect(res.status()).toBe(200);
  const [run] = ((await res.json()) as { data: ApiRun[] }).data;
  await page.goto(runUrl(run!));
  await expectNoErrorScreen(page);
  // the demo's COPRO run labels each of its evaluations full: the trials view counts them
  await expect(page.locator('#insight-trials')).toContainText(/0 minibatch and \d+ full evaluations/);
  await expect(page.getByTestId('insight-trials').locator('.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('noise-note')).toBeVisible();
  await expect(page.getByTestId('insight-cost').or(page.getByTestId('cost-note'))).toBeVisible();
});
