import path from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { recordedRun, writeBodies, type RecordedRun } from '../tests/helpers/dspy-fixtures.ts';
import { SCREENSHOTS, servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, expectNoHorizontalOverflow, keyHeaders } from './support.ts';

// Issue 15's views 2, 3, 4 and 8 on the run page, in Chromium, on runs recorded from real
// DSPy compiles (tests/fixtures/dspy) stored again through the API of the newcomer's
// server: the candidate pools of a MIPROv2 run, and a GEPA run's lineage tree, Pareto
// front and proposal audit, walked by mouse and keyboard, in light and dark, and on a phone.

const PROJECT = 'demo-qa';

async function post(request: APIRequestContext, url: string, data: unknown): Promise<Record<string, unknown>> {
  const { baseUrl, apiKey } = servers().local;
  const res = await request.post(`${baseUrl}${url}`, { headers: keyHeaders(apiKey), data });
  expect(res.status(), `${url}: ${await res.text()}`).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

async function store(request: APIRequestContext, recorded: RecordedRun): Promise<string> {
  const body = writeBodies(recorded);
  const run = await post(request, '/api/v1/runs', { ...body.run, runName: `${body.run.runName} · e2e ${Date.now()}` });
  const id = run.id as string;
  await post(request, `/api/v1/runs/${id}/iterations`, body.iterations);
  if (body.candidates.length) await post(request, `/api/v1/runs/${id}/candidates`, body.candidates);
  if (body.candidatePool.length) await post(request, `/api/v1/runs/${id}/candidate-pool`, body.candidatePool);
  if (body.pareto.length) await post(request, `/api/v1/runs/${id}/pareto`, body.pareto);
  if (body.proposals.length) await post(request, `/api/v1/runs/${id}/proposals`, body.proposals);
  return id;
}

let ids: Promise<{ mipro: string; gepa: string }> | null = null;
const runs = (request: APIRequestContext) =>
  (ids ??= (async () => ({ mipro: await store(request, recordedRun('miprov2')), gepa: await store(request, recordedRun('gepa')) }))());

const runUrl = (id: string, query = '') => `${servers().local.baseUrl}/projects/${PROJECT}/runs/${id}${query}`;

async function shoot(page: Page, name: string, section: string) {
  await page.getByTestId(section).screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

for (const theme of ['light', 'dark'] as const) {
  test.describe(theme, () => {
    test.use({ colorScheme: theme });
    test.beforeEach(async ({ context }) => {
      await context.addInitScript((t) => localStorage.setItem('optiscope-theme', t), theme);
    });

    test(`MIPROv2 candidate pools (${theme})`, async ({ page, request }) => {
      const errors = collectPageErrors(page);
      const { mipro } = await runs(request);
      const recorded = recordedRun('miprov2');
      await page.goto(runUrl(mipro));
      await expectNoErrorScreen(page);
      await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
      const section = page.getByTestId('candidate-pool');
      await expect(section.getByRole('heading', { name: 'Candidate pools' })).toBeVisible();
      // every pool entry is a row; the winner is marked, never-tried ones are named
      await expect(section.getByTestId('pool-row')).toHaveCount(recorded.candidatePool.length);
      await expect(section.locator('[data-testid="pool-row"][data-kind="instruction"]').filter({ hasText: 'won' })).toHaveCount(1);
      await expect(section.getByTestId('pool-never-tried')).toContainText('Never tried: instruction 2');
      await expect(section.getByTestId('pool-winner')).toContainText(`iteration #${recorded.iterations.find((i) => i.isSelected)!.iteration}`);
      const cells = section.getByTestId('heat-cell');
      expect(await cells.count()).toBe(recorded.candidatePool.filter((p) => p.kind === 'instruction').length * recorded.candidatePool.filter((p) => p.kind === 'demos').length);
      // an instruction's full text opens from the keyboard
      const summary = section.locator('[data-testid="pool-row"][data-kind="instruction"][data-index="3"] summary');
      await summary.focus();
      await page.keyboard.press('Enter');
      await expect(section.locator('[data-testid="pool-row"][data-kind="instruction"][data-index="3"] details')).toHaveAttribute('open', '');
      // a GEPA-only view is named as missing
      await expect(page.getByTestId('structure-note')).toContainText('candidate lineage (GEPA)');
      await shoot(page, `insight-pool-${theme}`, 'candidate-pool');
      expect(errors).toEqual([]);
    });

    test(`GEPA lineage, Pareto front and proposal audit (${theme})`, async ({ page, request }) => {
      const errors = collectPageErrors(page);
      const { gepa } = await runs(request);
      const recorded = recordedRun('gepa');
      await page.goto(runUrl(gepa));
      await expectNoErrorScreen(page);
      await expect(page.getByTestId('candidate-pool')).toHaveCount(0);

      // lineage: a node per candidate; clicking one diffs it against its parent
      const lineage = page.getByTestId('lineage-section');
      await expect(lineage.getByTestId('lineage-node')).toHaveCount(recorded.candidates.length);
      await expect(lineage.getByTestId('tree-edge')).toHaveCount(recorded.candidates.filter((c) => c.parentIds.length > 0).length);
      const child = recorded.candidates.find((c) => c.parentIds.length > 0 && c.parentIds[0] !== '0')!;
      await lineage.locator(`[data-testid="lineage-node"][data-candidate="${child.candidateId}"]`).click();
      await expect(page).toHaveURL(new RegExp(`lineage=${child.candidateId}`));
      const focus = lineage.getByTestId('lineage-focus');
      await expect(focus).toContainText(`against its parent ${child.parentIds[0]}`);
      await expect(focus.getByTestId('diff-view')).toHaveAttribute('data-added', /^[1-9]/);
      await shoot(page, `insight-lineage-${theme}`, 'lineage-section');

      // Pareto: the last step; the slider goes back to the first one by keyboard
      const pareto = page.getByTestId('pareto-section');
      const last = recorded.pareto.at(-1)!;
      await expect(pareto.getByTestId('pareto-candidate')).toHaveCount(new Set(Object.values(last.front).flat()).size);
      await expect(pareto.getByTestId('pareto-summary')).toContainText(`Step ${last.step}`);
      const slider = pareto.getByTestId('pareto-step');
      await slider.focus();
      await page.keyboard.press('Home');
      await expect(page).toHaveURL(/pstep=0/);
      await expect(pareto.getByTestId('pareto-summary')).toContainText('Step 0');
      await expect(pareto.getByTestId('pareto-candidate')).toHaveCount(new Set(Object.values(recorded.pareto[0]!.front).flat()).size);
      await page.keyboard.press('End');
      await expect(pareto.getByTestId('pareto-summary')).toContainText(`Step ${last.step}`);
      await shoot(page, `insight-pareto-${theme}`, 'pareto-section');

      // proposals: one per recorded proposal; an accepted one opens its scores and instruction
      const audit = page.getByTestId('proposals-section');
      await expect(audit.getByTestId('proposal')).toHaveCount(recorded.proposals.length);
      const accepted = recorded.proposals.find((p) => p.accepted)!;
      const item = audit.locator(`[data-testid="proposal"][data-index="${accepted.proposalIndex}"]`);
      await item.locator('summary').click();
      await expect(item.getByTestId('proposal-scores').locator('tbody tr')).toHaveCount(accepted.scoresBefore!.length);
      await expect(item.getByTestId('proposal-instruction').first()).not.toBeEmpty();
      await expect(item.getByTestId('proposal-raw')).toBeVisible();
      const rejected = recorded.proposals.find((p) => !p.accepted)!;
      const rejectedItem = audit.locator(`[data-testid="proposal"][data-index="${rejected.proposalIndex}"]`);
      await rejectedItem.locator('summary').click();
      await expect(rejectedItem).toContainText(`Rejected: ${rejected.reason as string}`);
      await shoot(page, `insight-proposals-${theme}`, 'proposals-section');
      expect(errors).toEqual([]);
    });
  });
}

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test('the views degrade to tables and nothing overflows the page', async ({ page, request }) => {
    const { gepa, mipro } = await runs(request);
    await page.goto(runUrl(gepa));
    await expect(page.getByTestId('lineage-svg')).toBeHidden();
    await expect(page.getByTestId('lineage-table').locator('tbody tr')).toHaveCount(recordedRun('gepa').candidates.length);
    await expect(page.getByTestId('pareto-coverage')).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'insight-gepa-phone.png'), fullPage: true });
    await page.goto(runUrl(mipro));
    await expect(page.getByTestId('pool-heatmap')).toBeVisible();
    await expectNoHorizontalOverflow(page);
    await page.getByTestId('candidate-pool').screenshot({ path: path.join(SCREENSHOTS, 'insight-pool-phone.png') });
  });
});

test('a lineage of 200 candidates with merges stays readable: one node each, merges as diamonds with a dashed edge', async ({ page, request }) => {
  // synthetic, for scale only: a tree of 200 candidates, every 17th a merge of two earlier ones
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const candidates = Array.from({ length: 200 }, (_, i) => {
    const parents = i === 0 ? [] : i % 17 === 0 ? [String(Math.floor(random() * i)), String(Math.floor(random() * i))] : [String(Math.floor(random() * i))];
    const unique = [...new Set(parents)];
    return {
      candidateId: String(i),
      parentIds: unique,
      origin: i === 0 ? 'seed' : unique.length > 1 ? 'merge' : 'reflective',
      score: Math.round(random() * 1000) / 1000,
      programState: { self: `instruction ${i}` },
    };
  });
  const run = await post(request, '/api/v1/runs', { runName: `GEPA 200 candidates · e2e ${Date.now()}`, optimizerType: 'gepa', status: 'completed' });
  await post(request, `/api/v1/runs/${run.id as string}/candidates`, candidates);
  await page.goto(runUrl(run.id as string, '?lineage=150'));
  const lineage = page.getByTestId('lineage-section');
  await expect(lineage.getByTestId('lineage-node')).toHaveCount(200);
  await expect(lineage.getByTestId('merge-edge')).toHaveCount(candidates.filter((c) => c.parentIds.length > 1).length);
  await expect(lineage.getByTestId('lineage-focus')).toContainText(`against its parent ${candidates[150]!.parentIds[0]}`);
  // no two nodes share a position
  const positions = await lineage.getByTestId('lineage-node').evaluateAll((els) =>
    els.map((el) => {
      const shape = el.querySelector('circle, rect')!;
      return `${shape.getAttribute('cx') ?? shape.getAttribute('x')},${shape.getAttribute('cy') ?? shape.getAttribute('y')}`;
    }),
  );
  expect(new Set(positions).size).toBe(200);
  await page.getByTestId('lineage-section').screenshot({ path: path.join(SCREENSHOTS, 'insight-lineage-200.png') });
});
