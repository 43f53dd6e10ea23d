import { randomUUID } from 'node:crypto';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { DEMO_SEED, generateDemoData } from '../lib/demo/generator.ts';
import { RECORDED_PROJECT } from '../lib/demo/recorded.ts';
import { servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, expectSameDocument, keyHeaders, markDocument } from './support.ts';

// The newcomer's path in local mode, on the demo data `npm start` seeds: browse, filter,
// drill into a run, compare, read the leaderboard and analytics, create an API key and
// watch a script's run arrive live.

const PROJECT = 'demo-qa';

interface DemoRun {
  id: string;
  runName: string;
  status: string;
  tags: string[];
  config: Record<string, Record<string, unknown>>;
  samplesFailed: number;
  iterations: number;
  finalScore: number | null;
}

// The expected rows, worked out from the demo generator's seed (what `npm start` seeded),
// not read through the API, which shares its data layer with the pages under test. The
// generator's content does not depend on `now` (only the timestamps move with it), and the
// list shows newest first.
function demoRuns(): DemoRun[] {
  const demo = generateDemoData({ now: new Date(), seed: DEMO_SEED });
  const iterations = new Map<string, number>();
  for (const i of demo.iterations) iterations.set(i.run_id, (iterations.get(i.run_id) ?? 0) + 1);
  return demo.runs
    .filter((r) => r.project_id === PROJECT)
    .sort((a, b) => b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1))
    .map((r) => ({
      id: r.id,
      runName: r.run_name,
      status: r.status,
      tags: r.tags,
      config: r.config as DemoRun['config'],
      samplesFailed: r.samples_failed,
      iterations: iterations.get(r.id) ?? 0,
      finalScore: r.final_score,
    }));
}

async function rowIds(rows: Locator): Promise<string[]> {
  return rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id') ?? ''));
}

// From a script's POST to the page showing it: a server poll (0.7 s on the embedded
// database), the page's 0.25 s coalescing, then a re-render of the whole page. Seconds on
// a busy machine (5 s was once not enough), so the bound is generous.
const LIVE_UPDATE_MS = 30_000;

// Records every state of the run page in which the iterations table and the score chart
// disagree on how many iterations there are (both render the page's one list of them).
async function recordTableChartDisagreements(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Array<{ rows: number; charted: number }> = [];
    (window as unknown as { __e2eDisagreements: typeof seen }).__e2eDisagreements = seen;
    new MutationObserver(() => {
      const rows = document.querySelectorAll('[data-testid="iteration-row"]').length;
      // the chart's caption, "N iterations · best …", is absent while there are none
      const caption = document.getElementById('score-chart-heading')?.nextElementSibling?.textContent ?? '';
      const charted = Number(/^(\d+) iterations?\b/.exec(caption)?.[1] ?? 0);
      if (rows !== charted) seen.push({ rows, charted });
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

async function tableChartDisagreements(page: Page): Promise<Array<{ rows: number; charted: number }>> {
  return page.evaluate(() => (window as unknown as { __e2eDisagreements: Array<{ rows: number; charted: number }> }).__e2eDisagreements);
}

// What the runs table says it shows: "Showing 1–N of T runs".
async function shownTotal(page: Page): Promise<number> {
  const text = (await page.getByTestId('run-count').textContent()) ?? '';
  const match = /of\s+([\d,]+)/.exec(text);
  return match ? Number(match[1]!.replace(/,/g, '')) : -1;
}

test('a newcomer explores the demo, creates a key and watches a run arrive live', async ({ page, context }) => {
  test.setTimeout(240_000);
  const { baseUrl } = servers().local;
  const errors = collectPageErrors(page);
  let apiKey = '';
  const allRuns = demoRuns();
  expect(allRuns.length, 'the demo seeds demo-qa with runs').toBeGreaterThan(10);

  await test.step('home: the demo projects', async () => {
    await page.goto(`${baseUrl}/`);
    await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
    const cards = page.getByTestId('project-card');
    // the generator's projects and the one of the recorded DSPy compiles
    const projects = new Set([...generateDemoData({ now: new Date(), seed: DEMO_SEED }).projects.map((p) => p.id), RECORDED_PROJECT.id]);
    await expect(cards).toHaveCount(projects.size);
    await expect(cards.filter({ hasText: RECORDED_PROJECT.id })).toHaveCount(1);
    await expect(cards.filter({ hasText: PROJECT })).toHaveCount(1);
    await expectNoErrorScreen(page);
  });

  await test.step('a project: its runs', async () => {
    await page.getByTestId('project-card').filter({ hasText: PROJECT }).getByRole('link', { name: 'Support QA bot', exact: true }).click();
    await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/runs`);
    await expect(page.getByRole('heading', { name: 'Runs', level: 1 })).toBeVisible();
    const rows = page.getByTestId('run-row');
    await expect(rows).toHaveCount(Math.min(allRuns.length, 50));
    expect(await shownTotal(page)).toBe(allRuns.length);
    expect(await rowIds(rows)).toEqual(allRuns.slice(0, 50).map((r) => r.id));
  });

  const tagCounts = new Map<string, number>();
  for (const run of allRuns) for (const tag of run.tags) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
  // a tag some runs carry and some do not, so the filter visibly narrows the list
  const [tag, tagged] = [...tagCounts].filter(([, n]) => n < allRuns.length).sort((a, b) => b[1] - a[1])[0]!;

  await test.step(`filter by tag "${tag}"`, async () => {
    const form = page.getByTestId('filter-form');
    await form.getByLabel(/^Tags/).fill(tag);
    await form.getByLabel(/^Tags/).press('Enter');
    // a tag applies as soon as it is added: no separate Apply step
    await expect(form.getByTestId('filter-tag-chips')).toContainText(tag);
    await expect(page).toHaveURL(new RegExp(`[?&]tags=${encodeURIComponent(tag)}(&|$)`));
    const rows = page.getByTestId('run-row');
    await expect(rows).toHaveCount(tagged);
    // every row shows the tag (the cell's title lists all of a run's tags)
    const rowTags = await rows.evaluateAll((trs) =>
      trs.map((tr) => (tr.querySelector('ul[title]')?.getAttribute('title') ?? '').split(', ')),
    );
    for (const tags of rowTags) expect(tags).toContain(tag);
    expect(await shownTotal(page)).toBe(tagged);
  });

  const tenCandidates = allRuns.filter((r) => r.config.miprov2?.num_candidates === 10);
  expect(tenCandidates.length, 'the demo has MIPROv2 runs with 10 candidates').toBeGreaterThan(0);

  await test.step('filter by a typed config value: miprov2.num_candidates = 10', async () => {
    await page.getByTestId('filter-clear').click();
    await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/runs`);
    const form = page.getByTestId('filter-form');
    await form.getByLabel('Config key').fill('miprov2.num_candidates');
    await form.getByLabel(/= Value/).fill('10');
    await expect(form.getByTestId('filter-config-type')).toContainText('number');
    await form.getByRole('button', { name: 'Add config filter' }).click();
    await expect(form.getByTestId('filter-config-chips')).toContainText('miprov2.num_candidates = 10');
    await expect(page).toHaveURL(/[?&]config\.miprov2\.num_candidates=10(&|$)/);
    const rows = page.getByTestId('run-row');
    await expect(rows).toHaveCount(tenCandidates.length);
    expect((await rowIds(rows)).sort()).toEqual(tenCandidates.map((r) => r.id).sort());
    await expect(rows.locator('td', { hasText: /^miprov2$/ })).toHaveCount(tenCandidates.length);

    // the type matters: the string "10" matches nothing
    await page.goto(`${baseUrl}/projects/${PROJECT}/runs?config.miprov2.num_candidates=${encodeURIComponent('"10"')}`);
    await expect(page.getByTestId('runs-no-match')).toBeVisible();
    await page.goBack();
    await expect(rows).toHaveCount(tenCandidates.length);
  });

  // a finished run with failed samples, from the filtered list
  const run = tenCandidates.find((r) => r.status === 'completed' && r.samplesFailed > 0 && r.iterations > 2)!;
  expect(run, 'a completed MIPROv2 run with failed samples').toBeTruthy();

  await test.step('open a run: score chart and samples', async () => {
    await page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`).getByRole('link', { name: run.runName }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/runs/${run.id}$`));
    await expect(page.getByRole('heading', { name: run.runName, level: 1 })).toBeVisible();
    const chart = page.getByTestId('score-chart');
    await expect(chart).toBeVisible();
    await expect(chart.locator('.recharts-surface').first()).toBeVisible();
    await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
    await expect(chart.getByTestId('best-iteration-marker')).toHaveCount(1);
    await expect(page.getByTestId('iteration-row')).toHaveCount(run.iterations);
    const samples = page.getByTestId('sample-row');
    await expect(page.getByTestId('samples-table')).toBeVisible();
    await expect(samples.first()).toBeVisible();

    await page.getByTestId('sample-filter-errors').check();
    await expect(page).toHaveURL(/[?&]sErrors=1/);
    await expect(samples.first()).toBeVisible();
    await expect.poll(() => samples.evaluateAll((trs) => trs.every((tr) => tr.getAttribute('data-error') === 'true'))).toBe(true);
    await expect(samples.first().locator('td').nth(5)).not.toBeEmpty();
  });

  await test.step('diff two iterations', async () => {
    const from = page.getByTestId('diff-from');
    const to = page.getByTestId('diff-to');
    const options = await from.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.length).toBeGreaterThan(2);
    // the first iteration against the last: MIPROv2 proposes a new instruction on the way
    await from.selectOption(options[0]!);
    await to.selectOption(options.at(-1)!);
    await expect(page).toHaveURL(new RegExp(`[?&]from=${options[0]}&to=${options.at(-1)}`));
    await expect(from).toHaveValue(options[0]!);
    await expect(to).toHaveValue(options.at(-1)!);
    const diff = page.getByTestId('diff-view');
    await expect(diff).toContainText(`#${options[0]} (`);
    await expect(diff).toContainText(`#${options.at(-1)} (`);
    await expect.poll(async () => Number(await diff.getAttribute('data-added')) + Number(await diff.getAttribute('data-removed'))).toBeGreaterThan(0);
    await expect(diff.locator('[data-op="add"]').first()).toBeVisible();
    await expect(diff.locator('[data-op="remove"]').first()).toBeVisible();
  });

  const pair = tenCandidates.filter((r) => r.iterations > 0).slice(0, 2);
  await test.step('back to the list: compare two runs', async () => {
    // "← Runs" goes back to the list the run was opened from, filters included
    const back = page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: /Runs/ });
    await expect(back).toHaveAttribute('href', new RegExp(`^/projects/${PROJECT}/runs\\?(.+&)?config\\.miprov2\\.num_candidates=10(&|$)`));
    await back.click();
    await expect(page).toHaveURL(/\/runs\?(.+&)?config\.miprov2\.num_candidates=10(&|$)/);
    await expect(page.getByTestId('run-row')).toHaveCount(tenCandidates.length);
    for (const r of pair) {
      await page.locator(`[data-testid="run-row"][data-run-id="${r.id}"]`).getByTestId('compare-checkbox').check();
    }
    const compare = page.getByRole('link', { name: 'Compare 2 runs' });
    await expect(compare).toBeVisible();
    await compare.click();
    await expect(page).toHaveURL(new RegExp(`/projects/${PROJECT}/compare\\?runs=${pair[0]!.id},${pair[1]!.id}$`));
    await expect(page.getByRole('heading', { name: 'Compare 2 runs', level: 1 })).toBeVisible();
    const table = page.getByTestId('compare-table');
    await expect(table).toBeVisible();
    for (const r of pair) await expect(table.locator(`th[data-run="${r.id}"]`)).toContainText(r.runName);
    const chart = page.getByTestId('compare-chart');
    await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
    for (const r of pair) await expect(chart.locator(`li[data-run="${r.id}"]`)).toContainText(r.runName);
  });

  await test.step('leaderboard', async () => {
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Leaderboard' }).click();
    await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/leaderboard`);
    await expect(page.getByRole('heading', { name: 'Leaderboard', level: 1 })).toBeVisible();
    const completed = allRuns
      .filter((r) => r.status === 'completed')
      .sort((a, b) => (b.finalScore ?? -Infinity) - (a.finalScore ?? -Infinity));
    // the best run is clear (no tie at the top), so the first row is known
    expect(completed[0]!.finalScore).toBeGreaterThan(completed[1]!.finalScore!);
    const rows = page.getByTestId('leaderboard-row');
    await expect(rows).toHaveCount(completed.length);
    await expect(rows.first()).toContainText(completed[0]!.runName);
    const finals = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.querySelector('td:nth-child(5) .font-semibold')?.textContent)));
    expect(finals).toEqual([...finals].sort((a, b) => b - a));
  });

  await test.step('analytics: refresh', async () => {
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Analytics' }).click();
    await expect(page.getByRole('heading', { name: 'Analytics', level: 1 })).toBeVisible();
    const last = page.getByTestId('last-refreshed');
    const before = (await last.getAttribute('data-refreshed-at')) ?? '';
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Refresh analytics' }).click();
    await expect(page.getByTestId('refresh-result')).toHaveAttribute('data-result', 'refreshed');
    await expect(last).not.toHaveAttribute('data-refreshed-at', before);
    const after = new Date((await last.getAttribute('data-refreshed-at'))!).getTime();
    expect(after).toBeGreaterThan(before ? new Date(before).getTime() : 0);
    expect(Math.abs(after - clicked)).toBeLessThan(60_000);
    await expect(last).toContainText(/Last refreshed (just now|\d+ seconds? ago)/);
    await expect(page.getByTestId('analytics-row').first()).toBeVisible();
  });

  await test.step('settings: create an API key, shown once', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
    await page.getByLabel('Key name').fill('e2e newcomer script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByTestId('api-key-created');
    await expect(created).toBeVisible();
    apiKey = ((await created.getByTestId('api-key-secret').textContent()) ?? '').trim();
    expect(apiKey).toMatch(/^osk_[A-Za-z0-9_-]{43}$/);
    await created.getByRole('button', { name: 'Copy' }).click();
    await expect(created.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(apiKey);
    const row = page.getByTestId('api-key-row').filter({ hasText: 'e2e newcomer script' });
    await expect(row).toContainText(apiKey.slice(0, 8));
    await created.getByRole('button', { name: 'Done' }).click();
    await expect(created).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('api-key-row').filter({ hasText: 'e2e newcomer script' })).toBeVisible();
    expect(await page.content()).not.toContain(apiKey);
  });

  const runId = randomUUID();
  const runName = `e2e live run ${runId.slice(0, 8)}`;

  await test.step('a script posts a running run: it appears in the list live', async () => {
    await page.getByRole('navigation', { name: 'Project sections' }).getByRole('link', { name: 'Runs' }).click();
    await expect(page).toHaveURL(`${baseUrl}/projects/${PROJECT}/runs`);
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
    await markDocument(page);
    const res = await page.request.post(`${baseUrl}/api/v1/runs`, {
      headers: keyHeaders(apiKey),
      data: { id: runId, runName, optimizerType: 'miprov2', status: 'running', tags: ['e2e'], config: { miprov2: { num_candidates: 6 } } },
    });
    expect(res.status(), await res.text()).toBe(201);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await expect(row).toBeVisible({ timeout: LIVE_UPDATE_MS });
    await expect(row).toHaveAttribute('data-status', 'running');
    await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-run-id', runId);
    await expectSameDocument(page);
  });

  await test.step('its page fills in live as iterations arrive', async () => {
    await page.getByRole('link', { name: runName }).click();
    await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId('score-chart')).toContainText('No iterations yet');
    await markDocument(page);
    await recordTableChartDisagreements(page);

    const post = async (body: unknown) => {
      const res = await page.request.post(`${baseUrl}/api/v1/runs/${runId}/iterations`, { headers: keyHeaders(apiKey), data: body });
      expect(res.status(), await res.text()).toBe(201);
    };
    const program = (instruction: string) => ({ predict: { signature: { instructions: instruction }, demos: [] } });
    await post([
      { iteration: 0, score: 0.41, params: { trial: 0 }, programState: program('Answer the question.') },
      { iteration: 1, score: 0.52, params: { trial: 1 }, programState: program('Answer the support question concisely.') },
    ]);
    const rows = page.getByTestId('iteration-row');
    await expect(rows).toHaveCount(2, { timeout: LIVE_UPDATE_MS });
    const chart = page.getByTestId('score-chart');
    await expect(chart.locator('.recharts-line-curve').first()).toBeVisible();
    await expect(chart).toContainText('2 iterations');

    await post({ iteration: 2, score: 0.63, params: { trial: 2 }, programState: program('Reply with the precise fact.') });
    await expect(rows).toHaveCount(3, { timeout: LIVE_UPDATE_MS });
    await expect(chart).toContainText('best 0.630 at #2');
    await expect(chart.getByTestId('best-iteration-marker')).toHaveAttribute('data-iteration', '2');
    await expect(page.locator('[data-testid="iteration-row"][data-best]')).toHaveAttribute('data-iteration', '2');
    await expectSameDocument(page);
    expect(await tableChartDisagreements(page), 'states where the table and the chart disagreed').toEqual([]);
  });

  expect(errors, 'uncaught errors in the browser').toEqual([]);
});

test('on a phone, long run names wrap whole: their last word in view, nothing cut', async ({ page }) => {
  const { baseUrl } = servers().local;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${baseUrl}/projects/${PROJECT}/runs`);
  const links = page.getByTestId('run-row').locator('td a[title][href*="/runs/"]');
  await expect(links.first()).toBeVisible();
  let cut = 0;
  let numbered = 0;
  for (const link of (await links.all()).slice(0, 12)) {
    // the demo's runs end with their number ("… #07"); runs other tests posted may not
    const name = (await link.getAttribute('title')) ?? '';
    const number = /#\d+$/.exec(name)?.[0];
    if (!number) continue;
    numbered++;
    // the number is shown whole, inside the link: the element that holds it does not overflow
    const tail = link.getByText(number, { exact: false }).last();
    await expect(tail).toBeVisible();
    expect(await tail.evaluate((el) => el.scrollWidth <= el.clientWidth), `"${number}" of ${name} is cut`).toBe(true);
    const [box, tailBox] = [await link.boundingBox(), await tail.boundingBox()];
    expect(tailBox!.x + tailBox!.width).toBeLessThanOrEqual(box!.x + box!.width + 1);
    if (await link.evaluate((el) => [...el.querySelectorAll('span')].some((s) => s.scrollWidth > s.clientWidth))) cut++;
  }
  expect(numbered, 'demo runs among the first rows').toBeGreaterThanOrEqual(8);
  // names wrap instead of being cut in the middle (issue 16: "miprov2-mediu… #33")
  expect(cut).toBe(0);
});
