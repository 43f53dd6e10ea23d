// The run page's largest contentful paint (issue 15: usable within 1.5 s on this 2-core
// machine) for the big GEPA and MIPROv2 runs, in Debian's Chromium against the production
// build (`npm run build` first), local mode on a fresh PostgreSQL database.
// Each load is a new browser context (an empty HTTP cache: a first visit); prints p50 / p95.
//   node --conditions=react-server scripts/bench-run-page.ts [loads]
import { chromium, type Browser } from 'playwright-core';
import { LOCAL_USER, localUserClaims } from '../lib/auth/local-user.ts';
import { userScope } from '../lib/supabase-optimization/index.ts';
import { createProject } from '../tests/helpers/fixtures.ts';
import { startTestServer } from '../tests/support/test-server.ts';
import { percentile } from './bench/common.ts';
import { seedBigGepaRun, seedBigMiproPoolRun, seedBigMiproTrialsRun } from './bench/insight-runs.ts';

const LOADS = Number(process.argv[2] ?? 15);
const PROJECT = 'bench-run-page';

interface Load {
  lcp: number;
  ttfb: number;
  // the views below the summary are server-rendered: the last of them present in the DOM
  viewsReady: number;
}

async function measure(browser: Browser, url: string, ready: string): Promise<Load> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const start = Date.now();
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response?.ok()) throw new Error(`${url} answered ${response?.status()}`);
    await page.locator(ready).first().waitFor({ state: 'attached', timeout: 30_000 });
    const viewsReady = Date.now() - start;
    const [lcp, ttfb] = await page.evaluate(
      () =>
        new Promise<[number, number]>((resolve) => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          new PerformanceObserver((list) => {
            const entries = list.getEntries();
            resolve([entries[entries.length - 1]!.startTime, nav.responseStart]);
          }).observe({ type: 'largest-contentful-paint', buffered: true });
        }),
    );
    return { lcp, ttfb, viewsReady };
  } finally {
    await context.close();
  }
}

const server = await startTestServer({ mode: 'local' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const sql = server.db.sql;
  await sql`insert into auth.users (id, email) values (${LOCAL_USER.id}, ${LOCAL_USER.email}) on conflict do nothing`;
  const owner = { id: LOCAL_USER.id, email: LOCAL_USER.email, claims: localUserClaims() };
  await createProject(sql, PROJECT, [[owner, 'owner']]);
  const scope = userScope(owner.claims, sql);
  const t0 = performance.now();
  const runs: Array<[string, string, string]> = [
    ['GEPA 200 candidates × 500 instances', await seedBigGepaRun(scope, PROJECT, { withIterations: true }), '[data-testid="lineage"]'],
    ['MIPROv2 100 trials × 5 predictors (candidate pool)', await seedBigMiproPoolRun(scope, PROJECT), '[data-testid="pool-explorer"]'],
    ['MIPROv2 100 trials, 13,700 samples (trials, flips, noise, cost)', (await seedBigMiproTrialsRun(scope, PROJECT)).runId, '[data-testid="insight-cost"]'],
  ];
  await sql`analyze`;
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${LOADS} loads per run, each in a new browser context`);
  console.log('| run page | LCP p50 ms | LCP p95 ms | first byte p95 ms | views in DOM p95 ms |\n|---|---|---|---|---|');
  for (const [name, runId, ready] of runs) {
    const url = `${server.baseUrl}/projects/${PROJECT}/runs/${runId}`;
    for (let i = 0; i < 2; i++) await measure(browser, url, ready);
    const loads: Load[] = [];
    for (let i = 0; i < LOADS; i++) loads.push(await measure(browser, url, ready));
    const q = (pick: (l: Load) => number, p: number) => percentile(loads.map(pick).sort((a, b) => a - b), p).toFixed(0);
    console.log(`| ${name} | ${q((l) => l.lcp, 50)} | ${q((l) => l.lcp, 95)} | ${q((l) => l.ttfb, 95)} | ${q((l) => l.viewsReady, 95)} |`);
  }
} finally {
  await browser.close();
  await server.stop();
}
