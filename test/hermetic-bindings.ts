/**
 * What keeps `npm test` hermetic: no setting of the developer's reaches the Worker under test.
 *
 * @cloudflare/vitest-plugin builds the Worker's bindings with wrangler's own dev loader
 * (`unstable_getMiniflareWorkerOptions` → `getVarsForDev`), which reads `.dev.vars` beside
 * wrangler.toml whenever it exists (no option turns that off), overriding any [vars] entry or
 * required secret with it; without a `.dev.vars` it reads `.env` and, since wrangler.toml has
 * [secrets], `process.env`. `CLOUDFLARE_ENV` would pick another [env.*] of wrangler.toml.
 * The `miniflare.bindings` of vitest.config.ts are merged last and win, so:
 *   1. vitest.config.ts pins every [vars] name and required secret (checked here, at config load:
 *      a new [vars] entry fails the run until the tests pin it), and
 *   2. this process stops wrangler's loader from reading `.env` and `process.env`, and from
 *      switching environments.
 * test/e2e/hermetic.test.ts proves it with a hostile `.dev.vars`, `.env` and environment.
 */
import { unstable_readConfig } from 'wrangler';

/** Settings of this (vitest's) process that steer wrangler's config loading, made inert. */
export function ignoreDeveloperWranglerSettings(): void {
  delete process.env.CLOUDFLARE_ENV;
  process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = 'false';
  process.env.CLOUDFLARE_INCLUDE_PROCESS_ENV = 'false';
}

/**
 * Throws unless `bindings` sets every [vars] name and required secret of the config's top level;
 * returns those pins as JSON, for test/hermetic-env.test.ts to compare the Worker's env against.
 */
export function pinnedVars(bindings: Record<string, unknown>, configPath = 'wrangler.toml'): string {
  const config = unstable_readConfig({ config: configPath }, { hideWarnings: true });
  const names = [...Object.keys(config.vars ?? {}), ...(config.secrets?.required ?? [])];
  const unpinned = names.filter((name) => !Object.hasOwn(bindings, name));
  if (unpinned.length > 0) {
    throw new Error(
      `vitest.config.ts: pin ${unpinned.join(', ')} in the test bindings; otherwise a developer's .dev.vars decides them (test/hermetic-bindings.ts)`,
    );
  }
  return JSON.stringify(Object.fromEntries(names.map((name) => [name, bindings[name]])));
}
