import { defineConfig } from '@playwright/test';

// Browser tests in Debian's Chromium against the production build. The global setup
// starts two servers: local mode on a fresh embedded database (the newcomer's path) and
// Supabase mode on a fresh PostgreSQL database (two tenants signed in by cookie).
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/playwright',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  // The newcomer's walk expects the demo project exactly as seeded: it runs before the specs
  // that record runs into it (insight, run analysis).
  projects: [
    { name: 'newcomer', testMatch: /newcomer\.spec\.ts$/ },
    { name: 'dashboard', testIgnore: /newcomer\.spec\.ts$/, dependencies: ['newcomer'] },
  ],
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
