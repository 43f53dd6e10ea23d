import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SCREENSHOTS, servers } from './servers.ts';
import { keyHeaders } from './support.ts';
import { DEMO_PROJECT_IDS } from '../lib/demo/generator.ts';

// axe-core on every page, light and dark: no serious or critical violation. Each page is
// checked once drawn (charts, tables, diffs), and a screenshot is kept for review under
// e2e/.artifacts/screenshots/axe-<page>-<theme>.png.

const PROJECT = 'demo-qa';
const THEMES = ['light', 'dark'] as const;

interface Targets {
  runId: string;
  compare: string[];
}

let targets: Promise<Targets> | null = null;

async function findTargets(request: APIRequestContext): Promise<Targets> {
  const { baseUrl, apiKey } = servers().local;
  const res = await request.get(`${baseUrl}/api/v1/runs?status=completed&orderBy=final_score&limit=100`, { headers: keyHeaders(apiKey) });
  expect(res.status()).toBe(200);
  const runs = ((await res.json()) as { data: Array<{ id: string; optimizerType: string; iterations: number; samplesFailed: number }> }).data;
  const run = runs.find((r) => r.optimizerType === 'miprov2' && r.samplesFailed > 0 && r.iterations >= 10)!;
  const compare: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    if (r.iterations > 0 && !seen.has(r.optimizerType)) {
      seen.add(r.optimizerType);
      compare.push(r.id);
    }
  }
  expect((await request.post(`${baseUrl}/api/v1/analytics/refresh`)).status()).toBe(200);
  return { runId: run.id, compare: compare.slice(0, 3) };
}

interface Check {
  name: string;
  url: (t: Targets) => string;
  server?: 'local' | 'supabase';
  ready: (page: Page) => Promise<void>;
}

const CHECKS: Check[] = [
  { name: 'home', url: () => '/', ready: (page) => expect(page.getByTestId('project-card')).toHaveCount(DEMO_PROJECT_IDS.length) },
  { name: 'runs', url: () => `/projects/${PROJECT}/runs`, ready: (page) => expect(page.getByTestId('run-row').first()).toBeVisible() },
  {
    name: 'run',
    url: (t) => `/projects/${PROJECT}/runs/${t.runId}`,
    ready: async (page) => {
      await expect(page.getByTestId('score-chart').locator('.recharts-line-curve').first()).toBeVisible();
      await expect(page.getByTestId('sample-row').first()).toBeVisible();
      await expect(page.getByTestId('diff-view')).toBeVisible();
    },
  },
  {
    name: 'compare',
    url: (t) => `/projects/${PROJECT}/compare?runs=${t.compare.join(',')}`,
    ready: (page) => expect(page.getByTestId('compare-chart').locator('.recharts-line-curve')).toHaveCount(3),
  },
  {
    // the run analysis under the runs table (grouped curves, config importance, parallel
    // coordinates), saved views and starred runs, config columns sorted by name, the column menu open
    name: 'runs-analysis',
    url: () => `/projects/${PROJECT}/runs?orderBy=run_name&orderDirection=asc&columns=name,status,scores,config.model,config.seed`,
    ready: async (page) => {
      const analysis = page.getByTestId('runs-analysis');
      await expect(analysis.getByTestId('group-toggle').first()).toBeVisible({ timeout: 30_000 });
      await expect(analysis.getByTestId('importance-table').locator('tbody tr').first()).toBeVisible();
      await expect(analysis.getByTestId('parallel-coordinates').locator('path').first()).toBeVisible();
      await expect(page.getByTestId('saved-views')).toBeVisible();
      await expect(page.getByTestId('runs-table').locator('th[data-column="config.seed"]')).toBeVisible();
      await page.getByTestId('column-menu').click();
      await expect(page.getByTestId('config-column-picker')).toBeVisible();
    },
  },
  {
    // a run's note (editor open), rename, tags and star
    name: 'run-notes',
    url: (t) => `/projects/${PROJECT}/runs/${t.runId}`,
    ready: async (page) => {
      const notes = page.getByTestId('run-notes');
      await expect(notes).toBeVisible();
      await notes.getByTestId('edit-note').click();
      await expect(notes.getByTestId('note-body')).toBeVisible();
    },
  },
  { name: 'leaderboard', url: () => `/projects/${PROJECT}/leaderboard`, ready: (page) => expect(page.getByTestId('leaderboard-row').first()).toBeVisible() },
  {
    name: 'analytics',
    url: () => `/projects/${PROJECT}/analytics`,
    ready: (page) => expect(page.getByTestId('analytics-chart').locator('svg.recharts-surface').first()).toBeVisible(),
  },
  { name: 'settings', url: () => `/projects/${PROJECT}/settings`, ready: (page) => expect(page.getByTestId('api-key-row').first()).toBeVisible() },
  { name: 'sign-in', server: 'supabase', url: () => '/sign-in', ready: (page) => expect(page.getByTestId('sign-in-email')).toBeVisible() },
  { name: 'not-found', url: () => '/no-such-page', ready: (page) => expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible() },
];

for (const theme of THEMES) {
  test.describe(theme, () => {
    test.use({ colorScheme: theme });
    test.beforeEach(async ({ context }) => {
      await context.addInitScript((t) => localStorage.setItem('optiscope-theme', t), theme);
    });

    for (const check of CHECKS) {
      test(`${check.name}: no serious or critical axe violations`, async ({ page, request }) => {
        targets ??= findTargets(request);
        const t = await targets;
        await page.goto(servers()[check.server ?? 'local'].baseUrl + check.url(t));
        await check.ready(page);
        await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
        await page.evaluate(() => document.fonts.ready);
        await page.screenshot({ path: path.join(SCREENSHOTS, `axe-${check.name}-${theme}.png`), fullPage: true });
        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.length, first: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join('')}`) }));
        expect(bad, JSON.stringify(bad, null, 2)).toEqual([]);
      });
    }
  });
}

test('the skip link moves focus to the main content', async ({ page }) => {
  await page.goto(`${servers().local.baseUrl}/projects/${PROJECT}/runs`);
  await expect(page.getByTestId('run-row').first()).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  expect(focused).not.toBe('BODY');
  await expect(page.locator('main')).toBeFocused();
  // the next Tab lands inside the main content, not back in the header
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.querySelector('main')!.contains(document.activeElement))).toBe(true);
});
