import type { TestProject } from 'vitest/node';
import { startOidcServer } from '../scripts/oidc-server.ts';

type Server = Awaited<ReturnType<typeof startOidcServer>>;
const shared = globalThis as typeof globalThis & { sitewideOidc?: { server: Promise<Server>; users: number } };

/**
 * Starts the loopback OIDC server (Google's stand-in) on the port vitest.config.ts chose: once for
 * both projects (one database, and sessions across 4 session databases), stopped after the last.
 */
export default async function setup(_project: TestProject) {
  const port = Number(process.env.SITEWIDE_TEST_OIDC_PORT);
  shared.sitewideOidc ??= { server: startOidcServer({ port }), users: 0 };
  const oidc = shared.sitewideOidc;
  oidc.users++;
  await oidc.server;
  return async function teardown() {
    if (--oidc.users > 0) return;
    shared.sitewideOidc = undefined;
    await (await oidc.server).stop();
  };
}
