import { randomBytes } from 'node:crypto';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { createSqlClient, type Sql } from '../lib/db/client.ts';
import { createProject, createUser, type TestUser } from '../tests/helpers/fixtures.ts';
import { sessionCookies, signAccessToken } from '../tests/support/auth.ts';
import { servers } from './servers.ts';

// Shared by the browser specs: signing in by cookie, API calls with a key, and the checks
// every page must pass.

export async function signIn(context: BrowserContext, baseUrl: string, user: { id: string; email: string }): Promise<void> {
  const cookies = sessionCookies(await signAccessToken(user), user);
  await context.addCookies(cookies.map((c) => ({ name: c.name, value: c.value, url: baseUrl })));
}

export interface OwnedProject {
  sql: Sql;
  baseUrl: string;
  owner: TestUser;
  projectId: string;
}

// A spec's own owner and project on the Supabase-mode server, made before its tests (hooks
// registered here) with a database connection closed after them. Read the fields in tests.
export function ownedProject(label: string, maxConnections = 2): OwnedProject {
  const state = {} as OwnedProject;
  test.beforeAll(async () => {
    const s = servers().supabase;
    state.baseUrl = s.baseUrl;
    state.sql = createSqlClient(s.databaseUrl, { max: maxConnections });
    state.owner = await createUser(state.sql, `${label}-owner`);
    state.projectId = await createProject(state.sql, `${label}-${randomBytes(4).toString('hex')}`, [[state.owner, 'owner']]);
  });
  test.afterAll(async () => {
    await state.sql?.end({ timeout: 5 });
  });
  return state;
}

export const keyHeaders = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

// Uncaught exceptions in the browser, collected so a test can assert there were none.
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

// The page rendered: no crash screen of Next.js or of the app's error boundary.
export async function expectNoErrorScreen(page: Page): Promise<void> {
  await expect(page.getByText('Application error', { exact: false })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Something went wrong' })).toHaveCount(0);
  await expect(page.locator('nextjs-portal')).toHaveCount(0);
}

// Nothing wider than the viewport (a sideways-scrolling table inside its own box is fine).
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport`).toBeLessThanOrEqual(innerWidth + 1);
}

// A marker that survives client-side navigations and router refreshes but not a reload.
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __e2eMarker: boolean }).__e2eMarker = true;
  });
}

export async function expectSameDocument(page: Page): Promise<void> {
  const marked = await page.evaluate(() => (window as unknown as { __e2eMarker?: boolean }).__e2eMarker === true);
  expect(marked, 'the page was reloaded').toBe(true);
}
