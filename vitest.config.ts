import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = {
  'server-only': path.resolve(import.meta.dirname, 'tests/helpers/empty-module.ts'),
  '@': import.meta.dirname,
};

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: { name: 'db', include: ['tests/**/*.test.ts'], exclude: ['tests/http/**'] },
      },
      {
        extends: true,
        // HTTP tests against the production build (run `npm run build` first). VITEST_LIST_ONLY:
        // scripts/test-all.sh lists the expected tests without starting the server
        test: { name: 'http', include: ['tests/http/**/*.test.ts'], globalSetup: process.env.VITEST_LIST_ONLY ? [] : ['tests/http/global-setup.ts'] },
      },
    ],
  },
});
