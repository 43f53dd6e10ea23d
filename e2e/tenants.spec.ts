import { randomBytes } from 'node:crypto';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { createProject, createRun, createUser, type TestUser } from '../tests/helpers/fixtures.ts';
import { servers } from './servers.ts';
import { collectPageErrors, expectNoErrorScreen, signIn } from './support.ts';

// Supabase mode, two tenants and a viewer, signed in by the cookies @supabase/ssr writes:
// each sees only their own projects on every page, the other's URLs are "not found", and a
// viewer can neither see nor call the analytics refresh.

interface Tenant {
  projectId: string;
  projectName: string;
  owner: TestUser;
  optimizer: string;
  tag: string;
  runs: Array<{ id: string; name: string; finalScore: number | null; status: string }>;
}

const suffix = randomBytes(4).toString('hex');
let sql: Sql;
let baseUrl: string;
let alpha: Tenant;
let bravo: Tenant;
let viewer: TestUser;

async function seedTenant(label: string, optimizer: string, members: Array<[TestUser, 'viewer']> = []): Promise<Tenant> {
  const owner = await createUser(sql, `${label}-owner`);
  const projectId = await createProject(sql, `${label}-${suffix}`, [[owner, 'owner'], ...members]);
  const tag = `${label}-tag`;
  const specs = [
    { name: `${label} run best`, status: 'completed', initial: 0.42, final: 0.81, scores: [0.42, 0.6, 0.81] },
    { name: `${label} run second`, status: 'completed', initial: 0.4, final: 0.66, scores: [0.4, 0.55, 0.66, 0.61] },
    { name: `${label} run in progress`, status: 'running', initial: null, final: null, scores: [0.38, 0.47] },
  ];
  const runs: Tenant['runs'] = [];
  for (const [i, spec] of specs.entries()) {
    const id = await createRun(sql, projectId, {
      run_name: spec.name,
      optimizer_type: optimizer,
      status: spec.status,
      initial_score: spec.initial,
      final_score: spec.final,
      tags: [tag],
      config: { [optimizer]: { num_candidates: 10 + i }, model: `${label}-model` },
      created_at: new Date(Date.now() - (specs.length - i) * 60_000),
    });
    for (const [n, score] of spec.scores.entries()) {
      await sql`
        insert into optimization_iterations (run_id, project_id, iteration, score, params, program_state)
        values (${id}, ${projectId}, ${n}, ${score}, ${sql.json({ trial: n })},
          ${sql.json({ predict: { signature: { instructions: `${label} instruction ${n}` }, demos: [] } })})
      `;
    }
    runs.push({ id, name: spec.name, finalScore: spec.final, status: spec.status });
  }
  return { projectId, projectName: `Project ${projectId}`, owner, optimizer, tag, runs };
}

async function contextFor(browser: Browser, user: TestUser | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  if (user) await signIn(context, baseUrl, user);
  return { context, page: await context.newPage() };
}

async function refreshCount(): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from optimization_analytics_refreshes`;
  return row!.n;
}

// Every page of a tenant's own project shows its data and nothing of the other tenant.
async function expectOwnPages(page: Page, own: Tenant, other: Tenant): Promise<void> {
  const foreign = [other.projectId, ...other.runs.map((r) => r.name)];
  const expectNoForeign = async () => {
    const text = await page.locator('body').innerText();
    for (const f of foreign) expect(text, `${page.url()} shows ${f}`).not.toContain(f);
  };

  await page.goto(`${baseUrl}/`);
  const cards = page.getByTestId('project-card');
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText(own.projectId);
  await expectNoForeign();

  await page.goto(`${baseUrl}/projects/${own.projectId}/runs`);
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(own.runs.length);
  for (const run of own.runs) await expect(rows.filter({ hasText: run.name })).toHaveCount(1);
  // the project switcher lists only the caller's projects
  await expect(page.getByTestId('project-switcher').locator('option')).toHaveCount(1);
  await expectNoForeign();

  const run = own.runs[0]!;
  await page.goto(`${baseUrl}/projects/${own.projectId}/runs/${run.id}`);
  await expect(page.getByRole('heading', { name: run.name, level: 1 })).toBeVisible();
  await expect(page.getByTestId('iteration-row')).toHaveCount(3);
  await expectNoForeign();

  await page.goto(`${baseUrl}/projects/${own.projectId}/compare?runs=${own.runs[0]!.id},${own.runs[1]!.id}`);
  await expect(page.getByTestId('compare-table')).toBeVisible();
  await expect(page.getByTestId('compare-chart').locator('.recharts-line-curve')).toHaveCount(2);
  await expectNoForeign();

  await page.goto(`${baseUrl}/projects/${own.projectId}/leaderboard`);
  const board = page.getByTestId('leaderboard-row');
  await expect(board).toHaveCount(2);
  await expect(board.first()).toContainText(own.runs[0]!.name);
  await expect(board.nth(1)).toContainText(own.runs[1]!.name);
  await expectNoForeign();

  await page.goto(`${baseUrl}/projects/${own.projectId}/settings`);
  await expect(page.getByTestId('viewer-role')).toHaveText('owner');
  await expect(page.getByTestId('member-row').filter({ hasText: own.owner.email })).toHaveCount(1);
  await expect(page.getByTestId('member-row').filter({ hasText: other.owner.email })).toHaveCount(0);
  await expectNoForeign();
}

// Analytics count this tenant's runs only (the materialized view holds every tenant's).
async function expectOwnAnalytics(page: Page, own: Tenant, other: Tenant): Promise<void> {
  await page.goto(`${baseUrl}/projects/${own.projectId}/analytics`);
  const rows = page.getByTestId('analytics-row');
  await expect(rows.first()).toBeVisible();
  const optimizers = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-optimizer')));
  expect(new Set(optimizers)).toEqual(new Set([own.optimizer]));
  const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')).sort());
  expect(statuses).toEqual(['completed', 'running']);
  expect(await page.locator('body').innerText()).not.toContain(other.optimizer);
}

// strictStatus: the check runs before anything streams, so the status is 404 too; below a
// loading boundary (a foreign run or compare inside one's own project) only the content says so.
async function expectNotFound(page: Page, path: string, secrets: string[], strictStatus: boolean): Promise<void> {
  const response = await page.goto(`${baseUrl}${path}`);
  await expect(page.getByRole('heading', { level: 1, name: /not found/i }), path).toBeVisible();
  if (strictStatus) expect(response?.status(), `${path} answers 404`).toBe(404);
  else await expect(page.locator('meta[name="robots"][content*="noindex"]'), `${path} is marked noindex`).not.toHaveCount(0);
  const text = await page.locator('body').innerText();
  for (const s of secrets) expect(text, `${path} reveals ${s}`).not.toContain(s);
}

// The other tenant's URLs, typed by hand: [path, answers with a 404 status].
function foreignPaths(own: Tenant, other: Tenant): Array<[string, boolean]> {
  const [r0, r1] = other.runs;
  return [
    [`/projects/${other.projectId}`, true],
    [`/projects/${other.projectId}/runs`, true],
    [`/projects/${other.projectId}/runs/${r0!.id}`, true],
    [`/runs/${r0!.id}`, true],
    [`/projects/${other.projectId}/leaderboard`, true],
    [`/projects/${other.projectId}/analytics`, true],
    [`/projects/${other.projectId}/settings`, true],
    [`/projects/${other.projectId}/compare?runs=${r0!.id},${r1!.id}`, true],
    [`/projects/${own.projectId}/runs/${r0!.id}`, false],
    [`/projects/${own.projectId}/compare?runs=${r0!.id},${r1!.id}`, false],
    [`/projects/${own.projectId}/compare?runs=${own.runs[0]!.id},${r0!.id}`, false],
  ];
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  const s = servers().supabase;
  baseUrl = s.baseUrl;
  sql = createSqlClient(s.databaseUrl, { max: 2 });
  viewer = await createUser(sql, 'alpha-viewer');
  alpha = await seedTenant('alpha', 'miprov2', [[viewer, 'viewer']]);
  bravo = await seedTenant('bravo', 'copro');
});

test.afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

test('each owner sees only their own project, runs, compare, leaderboard and members', async ({ browser }) => {
  for (const [own, other] of [[alpha, bravo], [bravo, alpha]] as const) {
    const { context, page } = await contextFor(browser, own.owner);
    const errors = collectPageErrors(page);
    await expectOwnPages(page, own, other);
    await expectNoErrorScreen(page);
    expect(errors).toEqual([]);
    await context.close();
  }
});

test("another tenant's URLs are not found, for owners and the viewer", async ({ browser }) => {
  const cases: Array<[TestUser, Tenant, Tenant]> = [
    [alpha.owner, alpha, bravo],
    [bravo.owner, bravo, alpha],
    [viewer, alpha, bravo],
  ];
  for (const [user, own, other] of cases) {
    const { context, page } = await contextFor(browser, user);
    const secrets = other.runs.map((r) => r.name);
    for (const [path, strict] of foreignPaths(own, other)) await expectNotFound(page, path, secrets, strict);
    // a run id that exists nowhere looks the same as another tenant's
    await expectNotFound(page, `/runs/00000000-0000-4000-8000-000000000000`, [], true);
    await context.close();
  }
});

test('a signed-out visitor is sent to sign-in', async ({ browser }) => {
  const { context, page } = await contextFor(browser, null);
  await page.goto(`${baseUrl}/`);
  await expect(page).toHaveURL(`${baseUrl}/sign-in`);
  await expect(page.getByRole('heading', { name: 'Sign in to Optiscope' })).toBeVisible();
  for (const path of [`/projects/${alpha.projectId}/runs`, `/projects/${alpha.projectId}/runs/${alpha.runs[0]!.id}`, `/runs/${alpha.runs[0]!.id}`]) {
    await page.goto(`${baseUrl}${path}`);
    await expect(page).toHaveURL(`${baseUrl}/sign-in?next=${encodeURIComponent(path)}`);
    await expect(page.getByTestId('sign-in-email')).toBeVisible();
    expect(await page.locator('body').innerText()).not.toContain(alpha.runs[0]!.name);
  }
  const api = await context.request.get(`${baseUrl}/api/v1/runs?projectId=${alpha.projectId}`);
  expect(api.status()).toBe(401);
  await context.close();
});

test('owners refresh analytics and see only their numbers; the viewer cannot refresh, not even by a forged call', async ({ browser }) => {
  // the owner clicks "Refresh analytics": capture the server action it posts
  const owner = await contextFor(browser, alpha.owner);
  await owner.page.goto(`${baseUrl}/projects/${alpha.projectId}/analytics`);
  const captured: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  owner.page.on('request', (request) => {
    const headers = request.headers();
    if (request.method() === 'POST' && headers['next-action']) captured.push({ url: request.url(), headers, body: request.postData() ?? '' });
  });
  const before = await refreshCount();
  await owner.page.getByRole('button', { name: 'Refresh analytics' }).click();
  await expect(owner.page.getByTestId('refresh-result')).toHaveAttribute('data-result', 'refreshed');
  expect(await refreshCount()).toBe(before + 1);
  expect(captured).toHaveLength(1);
  const action = captured[0]!;
  expect(action.body).toBe(JSON.stringify([alpha.projectId]));
  await expectOwnAnalytics(owner.page, alpha, bravo);
  await owner.context.close();

  const other = await contextFor(browser, bravo.owner);
  await expectOwnAnalytics(other.page, bravo, alpha);

  // the viewer reads analytics but gets no button
  const reader = await contextFor(browser, viewer);
  await expectOwnAnalytics(reader.page, alpha, bravo);
  await expect(reader.page.getByTestId('last-refreshed')).toContainText('Last refreshed');
  await expect(reader.page.getByRole('button', { name: 'Refresh analytics' })).toHaveCount(0);
  await expect(reader.page.getByText('An owner or admin can refresh them.')).toBeVisible();

  // ...and replaying the owner's action POST from the viewer's page is refused
  const replay = (page: Page) =>
    page.evaluate(
      async ({ url, headers, body }) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            accept: headers['accept'] ?? 'text/x-component',
            'content-type': headers['content-type'] ?? 'text/plain;charset=UTF-8',
            'next-action': headers['next-action']!,
            'next-router-state-tree': headers['next-router-state-tree'] ?? '',
          },
          body,
        });
        return { status: res.status, text: await res.text() };
      },
      action,
    );
  const refused = await replay(reader.page);
  expect(refused.status).toBe(200);
  expect(refused.text).toContain('"status":"error"');
  expect(refused.text).toContain('"code":"forbidden"');
  expect(refused.text).toContain('only owners and admins of this project can refresh analytics');
  expect(refused.text).not.toContain('"status":"refreshed"');
  expect(await refreshCount()).toBe(before + 1);

  // a stranger to the project replaying it (from their own page) gets nowhere either
  await other.page.goto(`${baseUrl}/projects/${bravo.projectId}/analytics`);
  const stranger = await replay(other.page);
  expect(stranger.status).toBe(404);
  expect(stranger.text).not.toContain('"status":"refreshed"');
  expect(await refreshCount()).toBe(before + 1);

  // the API refuses the viewer's session too
  const api = await reader.context.request.post(`${baseUrl}/api/v1/analytics/refresh`);
  expect(api.status(), await api.text()).toBe(403);
  expect((await api.json()).error.code).toBe('forbidden');
  expect(await refreshCount()).toBe(before + 1);

  await other.context.close();
  await reader.context.close();
});
