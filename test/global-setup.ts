import type { TestProject } from 'vitest/node';
import { startEchoOrigin } from '../scripts/echo-origin.ts';
import { startGoogleDirectoryServer } from '../scripts/google-directory-server.ts';
import { startOidcServer } from '../scripts/oidc-server.ts';

type Servers = {
  oidc: Awaited<ReturnType<typeof startOidcServer>>;
  google: Awaited<ReturnType<typeof startGoogleDirectoryServer>>;
  origin: Awaited<ReturnType<typeof startEchoOrigin>>;
};
const shared = globalThis as typeof globalThis & { sitewideServers?: { servers: Promise<Servers>; users: number } };

/**
 * Starts the loopback stand-ins for Google: the OIDC server on the port vitest.config.ts chose, and
 * the Directory API stand-in on a free port (its URL provided to tests as `googleDirectory`); and
 * the gated apps' echo origin on its chosen port (GATES in vitest.config.ts). Once for both
 * projects (one database, and sessions across 4 session databases), stopped after the last.
 */
export default async function setup(project: TestProject) {
  const port = Number(process.env.SITEWIDE_TEST_OIDC_PORT);
  shared.sitewideServers ??= {
    servers: Promise.all([
      startOidcServer({ port }),
      startGoogleDirectoryServer(),
      startEchoOrigin({ port: Number(process.env.SITEWIDE_TEST_ORIGIN_PORT) }),
    ]).then(([oidc, google, origin]) => ({ oidc, google, origin })),
    users: 0,
  };
  const state = shared.sitewideServers;
  state.users++;
  const { google } = await state.servers;
  project.provide('googleDirectory', google.url);
  return async function teardown() {
    if (--state.users > 0) return;
    shared.sitewideServers = undefined;
    const { oidc, google: directory, origin } = await state.servers;
    await Promise.all([oidc.stop(), directory.stop(), origin.stop()]);
  };
}
