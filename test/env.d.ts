import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      AUTH_GOOGLE_ISSUER: string;
      TIGHT_RATE_LIMIT: RateLimit;
      /** vitest.config.ts's value of every [vars] name and secret, as JSON (test/hermetic-env.test.ts). */
      TEST_PINNED_VARS: string;
      /** An origin nobody answers on, chosen for this run (vitest.config.ts). */
      TEST_CLOSED_ORIGIN: string;
    }
  }
}
