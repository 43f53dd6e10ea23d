import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { DEMO_PROJECT_IDS } from '../lib/demo/generator.ts';
import { SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, expectNoHorizontalOverflow, keyHeaders } from './support.ts';

// Every page in light and dark, on a laptop and a phone, written to
// e2e/.artifacts/screenshots/<page>-<theme>[-phone].png for review. Each shot first
// checks the page rendered: its heading, no error screen or browser exception, charts
// drawn, nothing wider than the viewport.

const PROJECT = 'demo-qa';
const SIZES = [
  { name: 'desktop', suffix: '', viewport: { width: 1280, height: 900 } },
  { name: 'phone', suffix: '-phone', viewport: { width: 390, height: 844 } },
] as const;
const THEMES = ['light', 'dark'] as const;

interface ApiRun {
  id: string;
  runName: string;
  status: string;
  optimizerType: string;
  iterations: number;
  samplesFailed: number;
}

interface Targets {
  run: ApiRun;
  compare: ApiRun[];
}

let targets: Promise<Targets> | null = null;

// The demo runs worth showing: a finished MIPROv2 run with failures, and three optimizers side by side.
async function findTargets(request: APIRequestContext): Promise<Targets> {
  const { baseUrl, apiKey } = servers().local;
  const res = await request.get(`${baseUrl}/api/v1/runs?status=completed&orderBy=final_score&limit=100`, { headers: keyHeaders(apiKey) });
  expect(res.status()).toBe(200);
  const runs = ((await res.json()) as { data: ApiRun[] }).data;
  const run = runs.find((r) => r.optimizerType === 'miprov2' && r.samplesFailed > 0 && r.iterations >= 10)!;
  const compare: ApiRun[] = [];
  for (const r of runs) if (r.iterations > 0 && !compare.some((c) => c.optimizerType === r.optimizerType)) compare.push(r);
  // analytics are precomputed: refresh them so the page has numbers (the local user is an owner)
  const refresh = await request.post(`${baseUrl}/api/v1/analytics/refresh`);
  expect(refresh.status()).toBe(200);
  return { run, compare: compare.slice(0, 3) };
}

interface Shot {
  name: string;
  url: (t: Targets) => string;
  heading: string | RegExp;
  server?: 'local' | 'supabase';
  // what must be on screen before the picture is taken
  ready?: (page: Page) => Promise<void>;
}

const charts = async (page: Page, testId: string, lines: number) => {
  await expect(page.getByTestId(testId).locator('.recharts-line-curve')).toHaveCount(lines);
};

const SHOTS: Shot[] = [
  {
    name: 'home',
    url: () => '/',
    heading: 'Projects',
    ready: async (page) => expect(page.getByTestId('project-card')).toHaveCount(DEMO_PROJECT_IDS.length),
  },
  {
    name: 'runs',
    url: () => `/projects/${PROJECT}/runs`,
    heading: 'Runs',
    ready: async (page) => {
      await expect(page.getByTestId('run-row').first()).toBeVisible();
      await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
    },
  },
  {
    name: 'run',
    url: (t) => `/projects/${PROJECT}/runs/${t.run.id}`,
    heading: /./,
    ready: async (page) => {
      await expect(page.getByTestId('score-chart').locator('.recharts-line-curve').first()).toBeVisible();
      await expect(page.getByTestId('sample-row').first()).toBeVisible();
      await expect(page.getByTestId('diff-view')).toBeVisible();
    },
  },
  {
    name: 'compare',
    url: (t) => `/projects/${PROJECT}/compare?runs=${t.compare.map((r) => r.id).join(',')}`,
    heading: 'Compare 3 runs',
    ready: async (page) => {
      await expect(page.getByTestId('compare-table')).toBeVisible();
      await charts(page, 'compare-chart', 3);
    },
  },
  {
    name: 'leaderboard',
    url: () => `/projects/${PROJECT}/leaderboard`,
    heading: 'Leaderboard',
    ready: async (page) => expect(page.getByTestId('leaderboard-row').first()).toBeVisible(),
  },
  {
    name: 'analytics',
    url: () => `/projects/${PROJECT}/analytics`,
    heading: 'Analytics',
    ready: async (page) => {
      await expect(page.getByTestId('analytics-row').first()).toBeVisible();
      await expect(page.getByTestId('analytics-chart').locator('svg.recharts-surface').first()).toBeVisible();
    },
  },
  {
    name: 'settings',
    url: () => `/projects/${PROJECT}/settings`,
    heading: 'Settings',
    ready: async (page) => expect(page.getByTestId('api-key-row').first()).toBeVisible(),
  },
  {
    name: 'sign-in',
    server: 'supabase',
    url: () => '/sign-in',
    heading: 'Sign in to Optiscope',
    ready: async (page) => expect(page.getByTestId('sign-in-email')).toBeVisible(),
  },
  { name: 'not-found', url: () => '/no-such-page', heading: 'Page not found' },
];

for (const size of SIZES) {
  for (const theme of THEMES) {
    test.describe(`${theme}, ${size.name}`, () => {
      test.use({ viewport: size.viewport, colorScheme: theme });
      test.beforeEach(async ({ context }) => {
        await context.addInitScript((t) => localStorage.setItem('optiscope-theme', t), theme);
      });

      for (const shot of SHOTS) {
        test(shot.name, async ({ page, request }) => {
          targets ??= findTargets(request);
          const t = await targets;
          const errors = collectPageErrors(page);
          const base = servers()[shot.server ?? 'local'].baseUrl;
          await page.goto(base + shot.url(t));
          const heading = shot.name === 'run' ? t.run.runName : shot.heading;
          await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
          await shot.ready?.(page);
          await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
          await expectNoErrorScreen(page);
          await expectNoHorizontalOverflow(page);
          // wait for web fonts, so the picture shows the final layout
          await page.evaluate(() => document.fonts.ready);
          await page.screenshot({ path: path.join(SCREENSHOTS, `${shot.name}-${theme}${size.suffix}.png`), fullPage: true });
          expect(errors, 'uncaught errors in the browser').toEqual([]);
        });
      }
    });
  }
}
