import type { TestProject } from 'vitest/node';
import { startGoogleDirectoryServer } from '../scripts/google-directory-server.ts';
import { startOidcServer } from '../scripts/oidc-server.ts';

type Servers = {
  oidc: Awaited<ReturnType<typeof startOidcServer>>;
  google: Awaited<ReturnType<typeof startGoogleDirectoryServer>>;
};
const shared = globalThis as typeof globalThis & { sitewideServers?: { servers: Promise<Servers>; users: number } };

/**
 * Starts the loopback stand-ins for Google: the OIDC server on the port vitest.config.ts chose, and
 * the Directory API stand-in on a free port (its URL provided to tests as `googleDirectory`). Once for
 * both projects (one database, and sessions across 4 session databases), stopped after the last.
 */
export default async function setup(project: TestProject) {
  const port = Number(process.env.SITEWIDE_TEST_OIDC_PORT);
  shared.sitewideServers ??= {
    servers: Promise.all([startOidcServer({ port }), startGoogleDirectoryServer()]).then(([oidc, google]) => ({
      oidc,
      google,
    })),
    users: 0,
  };
  const state = shared.sitewideServers;
  state.users++;
  const { google } = await state.servers;
  project.provide('googleDirectory', google.url);
  return async function teardown() {
    if (--state.users > 0) return;
    shared.sitewideServers = undefined;
    const { oidc, google: directory } = await state.servers;
    await Promise.all([oidc.stop(), directory.stop()]);
  };
}
