import type { TestProject } from 'vitest/node';
import { startOidcServer } from '../scripts/oidc-server.ts';

/** Starts the loopback OIDC server (Google's stand-in) on the port vitest.config.ts chose. */
export default async function setup(_project: TestProject) {
  const port = Number(process.env.SITEWIDE_TEST_OIDC_PORT);
  const server = await startOidcServer({ port });
  return async function teardown() {
    await server.stop();
  };
}
