import { defineConfig } from 'vitest/config';

// Node-side suites: the end-to-end ones (real `wrangler dev`, real OIDC server, real browser), and
// @sitewide/verify's own unit tests (a stand-in Sitewide on loopback).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
