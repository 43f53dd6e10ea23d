import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createSqlClient } from '../lib/db/client.ts';
import { createProject, createRun, createUser } from '../tests/helpers/fixtures.ts';
import { ARTIFACTS, SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, keyHeaders, signIn } from './support.ts';

// Issue 16 in the browser: the analysis of the filtered runs (grouped curves with legend
// toggles, config importance, parallel coordinates), saved views, stars, a run's note,
// rename and tags with their audit, and a stalled run marked crashed. Screenshots light
// and dark in e2e/.artifacts/screenshots/analysis-*.png.

const PROJECT = 'demo-qa';
const THEMES = ['light', 'dark'] as const;

async function applyTheme(page: Page, theme: (typeof THEMES)[number]) {
  await page.emulateMedia({ colorScheme: theme });
  await page.addInitScript((t) => localStorage.setItem('optiscope-theme', t), theme);
}

for (const theme of THEMES) {
  test(`the runs page analyses every filtered run, ${theme}`, async ({ page }) => {
    const errors = collectPageErrors(page);
    await applyTheme(page, theme);
    const { baseUrl } = servers().local;
    await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
    const analysis = page.getByTestId('runs-analysis');
    // the embedded database answers one statement at a time, after the page's own reads
    await expect(analysis.getByTestId('group-toggle').first()).toBeVisible({ timeout: 30_000 });
    const groups = await analysis.getByTestId('group-toggle').count();
    expect(groups).toBeGreaterThan(1);
    await expect(analysis.locator('.recharts-line-curve')).toHaveCount(groups);
    // a legend toggle hides its group's curve, and shows it again
    await analysis.getByTestId('group-toggle').first().click();
    await expect(analysis.getByTestId('group-toggle').first()).toHaveAttribute('aria-pressed', 'false');
    await expect(analysis.locator('.recharts-line-curve')).toHaveCount(groups - 1);
    await analysis.getByTestId('group-toggle').first().click();
    await expect(analysis.locator('.recharts-line-curve')).toHaveCount(groups);
    // the importance table explains itself, and parallel coordinates draw a line per run
    await expect(analysis.getByTestId('importance-explained')).toContainText('share of the final score');
    await expect(analysis.getByTestId('importance-table').locator('tbody tr').first()).toBeVisible();
    expect(await analysis.getByTestId('parallel-coordinates').locator('path').count()).toBeGreaterThan(10);
    // group by tag, smoothed
    await analysis.getByTestId('group-by').selectOption('tag');
    await analysis.getByTestId('smoothing').selectOption('0.6');
    await expect(analysis).toContainText('band ± 1 sd');
    await page.mouse.move(0, 0);
    await expect(analysis.getByTestId('group-toggle').first()).toBeVisible();
    await expectNoErrorScreen(page);
    await page.evaluate(() => document.fonts.ready);
    await analysis.screenshot({ path: path.join(SCREENSHOTS, `analysis-runs-${theme}.png`) });
    expect(errors).toEqual([]);
  });
}

test('a saved view is one click from the runs page and keeps its filters, columns and sort', async ({ page }) => {
  const { baseUrl } = servers().local;
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs?optimizerType=miprov2&orderBy=run_name&orderDirection=asc&columns=name,status,scores,config.model`);
  await expect(page.getByTestId('runs-table').locator('th[data-column="config.model"]')).toBeVisible();
  const views = page.getByTestId('saved-views');
  const name = `MIPROv2 only ${randomBytes(2).toString('hex')}`;
  await views.getByPlaceholder('Save filters, columns, sort as…').fill(name);
  await views.getByRole('button', { name: 'Save view' }).click();
  const link = views.getByTestId('saved-view').filter({ hasText: name });
  await expect(link).toBeVisible();
  await views.getByRole('link', { name: 'All runs' }).click();
  await expect(page).toHaveURL(/\/runs$/);
  await expect(page.getByTestId('runs-table').locator('th[data-column="config.model"]')).toHaveCount(0);
  await page.getByTestId('saved-views').getByTestId('saved-view').filter({ hasText: name }).click();
  await expect(page).toHaveURL(/optimizerType=miprov2/);
  await expect(page).toHaveURL(/orderBy=run_name&orderDirection=asc/);
  // the view's columns, and only those: the optimizer column was off when it was saved
  const table = page.getByTestId('runs-table');
  await expect(table.locator('th[data-column="config.model"]')).toBeVisible();
  await expect(table.locator('th[data-column="optimizer"]')).toHaveCount(0);
  await expect(table.locator('th[data-column="name"]')).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: `Delete view ${name}` }).click();
  await expect(page.getByTestId('saved-view').filter({ hasText: name })).toHaveCount(0);
});

test('a run\'s note renders Markdown without raw HTML; rename, tags and star are recorded', async ({ page, request }) => {
  const errors = collectPageErrors(page);
  const { baseUrl, apiKey } = servers().local;
  const created = await request.post(`${baseUrl}/api/v1/runs`, {
    headers: keyHeaders(apiKey),
    data: { projectId: PROJECT, runName: `notes-${randomBytes(3).toString('hex')}`, optimizerType: 'gepa', status: 'completed', tags: ['draft'] },
  });
  expect(created.status()).toBe(201);
  const run = (await created.json()) as { id: string; runName: string };
  for (const theme of THEMES) {
    await applyTheme(page, theme);
    await page.goto(`${baseUrl}/projects/${PROJECT}/runs/${run.id}`);
    const notes = page.getByTestId('run-notes');
    if (theme === 'light') {
      await notes.getByTestId('edit-note').click();
      await notes.getByTestId('note-body').fill('## Why it won\n\nLower **temperature**.\n\n<img src=x onerror="window.__xss=1">\n\n[bad](javascript:alert(1))');
      await notes.getByTestId('save-note').click();
      const view = notes.getByTestId('note-view');
      await expect(view.locator('h2')).toHaveText('Why it won');
      await expect(view.locator('strong')).toHaveText('temperature');
      await expect(view.locator('img')).toHaveCount(0);
      await expect(view.locator('a[href^="javascript"]')).toHaveCount(0);
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

      await notes.getByTestId('rename-input').fill(`${run.runName} (best)`);
      await notes.getByRole('button', { name: 'Rename' }).click();
      await expect(page.getByRole('heading', { level: 1, name: `${run.runName} (best)` })).toBeVisible();
      await notes.getByLabel('Add a tag').fill('keeper');
      await notes.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(notes.getByRole('button', { name: 'Remove tag keeper' })).toBeVisible();
      await notes.getByRole('button', { name: 'Remove tag draft' }).click();
      await expect(notes.getByRole('button', { name: 'Remove tag draft' })).toHaveCount(0);
      await notes.getByTestId('star-run').click();
      await expect(notes.getByTestId('star-run')).toHaveAttribute('aria-pressed', 'true');
      const changes = notes.getByTestId('run-changes');
      await expect(changes.locator('li')).toHaveCount(4);
      await expect(changes).toContainText(`name: ${run.runName} → ${run.runName} (best)`);
      await expect(changes).toContainText('tags: draft, keeper → keeper');
      await expect(changes).toContainText('added a note');
    }
    await expect(notes.getByTestId('run-changes').locator('li')).toHaveCount(4);
    await expectNoErrorScreen(page);
    await page.evaluate(() => document.fonts.ready);
    await page.getByTestId('notes-section').screenshot({ path: path.join(SCREENSHOTS, `analysis-notes-${theme}.png`) });
  }
  // the star shows on the runs page
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  await expect(page.getByTestId('starred-runs').getByRole('link', { name: `${run.runName} (best)` })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a running run with no recent write shows as stalled in the list and on its page, and can be marked crashed', async ({ browser }) => {
  const { baseUrl, databaseUrl } = servers().supabase;
  const sql = createSqlClient(databaseUrl, { max: 1 });
  try {
    const owner = await createUser(sql, `stall-${randomBytes(3).toString('hex')}`);
    const projectId = await createProject(sql, `stall-${randomBytes(3).toString('hex')}`, [[owner, 'owner']]);
    const runId = await createRun(sql, projectId, { status: 'running', run_name: 'stuck worker' });
    await sql.begin(async (tx) => {
      await tx`alter table optimization_runs disable trigger trigger_update_optimization_runs_updated_at`;
      await tx`update optimization_runs set updated_at = now() - interval '3 hours', started_at = now() - interval '4 hours' where id = ${runId}`;
      await tx`alter table optimization_runs enable trigger trigger_update_optimization_runs_updated_at`;
    });
    const context = await browser.newContext();
    await signIn(context, baseUrl, owner);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/projects/${projectId}/runs`);
    await expect(page.getByTestId('stalled-badge')).toContainText('stalled · last write');
    await page.goto(`${baseUrl}/projects/${projectId}/runs/${runId}`);
    const stalled = page.getByTestId('stalled-run');
    await expect(stalled).toContainText('no write for more than 15 minutes');
    page.once('dialog', (dialog) => void dialog.accept());
    await stalled.getByTestId('mark-crashed').click();
    await expect(page.getByTestId('stalled-run')).toHaveCount(0);
    await expect(page.getByTestId('run-changes')).toContainText('status: running → failed');
    const [row] = await sql`select status, error_message from optimization_runs where id = ${runId}`;
    expect(row).toMatchObject({ status: 'failed' });
    expect(row!.error_message).toMatch(/^Crashed: no write since /);
    await context.close();
  } finally {
    await sql.end({ timeout: 5 });
  }
});

// The grouped chart and parallel coordinates over 1,000 runs: the time from each API
// response to its chart in the page, written for bench/RESULTS.md (npm run bench:analysis).
test('the analysis draws 1,000 runs', async ({ browser }) => {
  test.setTimeout(240_000);
  const { baseUrl, databaseUrl } = servers().supabase;
  const sql = createSqlClient(databaseUrl, { max: 1 });
  try {
    const owner = await createUser(sql, `bench-${randomBytes(3).toString('hex')}`);
    const projectId = await createProject(sql, `bench-${randomBytes(3).toString('hex')}`, [[owner, 'owner']]);
    await sql`
      insert into optimization_runs (project_id, run_name, optimizer_type, status, final_score, config)
      select ${projectId}, 'run ' || g, (array['miprov2', 'gepa', 'copro', 'simba'])[1 + g % 4], 'completed',
             round((0.4 + (g % 5) * 0.1)::numeric, 4),
             jsonb_build_object('model', (array['gpt-4o', 'llama', 'claude'])[1 + g % 3], 'temperature', (g % 5) * 0.25, 'num_candidates', 4 + g % 7)
      from generate_series(1, 1000) g`;
    // 30,000 scores without the per-row triggers (run statistics, best iteration): the analysis reads only scores
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`
        insert into optimization_iterations (run_id, project_id, iteration, score)
        select r.id, r.project_id, i, least(1, r.final_score * (0.6 + 0.4 * i / 29.0))
        from optimization_runs r cross join generate_series(0, 29) i where r.project_id = ${projectId}`;
    });
    const context = await browser.newContext();
    await signIn(context, baseUrl, owner);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    // record when each chart first appears, on the page's own clock, from before the page loads
    await page.addInitScript(() => {
      const out = { curves: 0, parallel: 0, paths: 0 };
      (window as unknown as { __drawn: typeof out }).__drawn = out;
      const tick = () => {
        const root = document.querySelector('[data-testid="runs-analysis"]');
        if (!out.curves && root?.querySelectorAll('.recharts-line-curve').length) out.curves = performance.now();
        const paths = root?.querySelectorAll('[data-testid="parallel-coordinates"] path').length ?? 0;
        if (!out.parallel && paths >= 1000) {
          out.parallel = performance.now();
          out.paths = paths;
        }
        if (!out.curves || !out.parallel) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.goto(`${baseUrl}/projects/${projectId}/runs?limit=20`);
    await page.waitForFunction(() => {
      const d = (window as unknown as { __drawn?: { curves: number; parallel: number } }).__drawn;
      return Boolean(d?.curves && d.parallel);
    }, undefined, { timeout: 120_000 });
    const drawn = await page.evaluate(() => (window as unknown as { __drawn: { curves: number; parallel: number; paths: number } }).__drawn);
    const timing = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .filter((e) => e.name.includes('/api/v1/analysis/'))
        .map((e) => ({ name: e.name, start: e.requestStart || e.startTime, end: e.responseEnd })),
    );
    const curves = timing.find((t) => t.name.includes('/curves'))!;
    const importance = timing.find((t) => t.name.includes('/config-importance'))!;
    await expect(page.getByTestId('runs-analysis')).toContainText('1,000 runs');
    const result = {
      curvesServerMs: curves.end - curves.start,
      importanceServerMs: importance.end - importance.start,
      curvesRenderMs: drawn.curves - curves.end,
      parallelRenderMs: drawn.parallel - importance.end,
      parallelPaths: drawn.paths,
    };
    writeFileSync(path.join(ARTIFACTS, 'analysis-render.json'), JSON.stringify(result, null, 2));
    expect(drawn.paths).toBe(1000);
    expect(errors).toEqual([]);
    await page.getByTestId('runs-analysis').screenshot({ path: path.join(SCREENSHOTS, 'analysis-1000-runs-light.png') });
    await context.close();
  } finally {
    await sql.end({ timeout: 5 });
  }
});
