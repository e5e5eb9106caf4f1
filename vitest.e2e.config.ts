import { defineConfig } from 'vitest/config';

// Node-side end-to-end suites: real `wrangler dev`, real OIDC server, real browser.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
