import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';

// What the Worker under test sees is exactly what vitest.config.ts pins, whatever a developer's
// .dev.vars, .env or shell says (test/hermetic-bindings.ts; test/e2e/hermetic.test.ts runs this
// file with a hostile value in each).
it('every [vars] name and secret of wrangler.toml is the value vitest.config.ts pins', () => {
  const pinned = JSON.parse(env.TEST_PINNED_VARS) as Record<string, string>;
  expect(Object.keys(pinned).length).toBeGreaterThanOrEqual(20);
  const seen = Object.fromEntries(
    Object.keys(pinned).map((name) => [name, (env as unknown as Record<string, unknown>)[name]]),
  );
  expect(seen).toEqual(pinned);
});
