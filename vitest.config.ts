import { createServer } from 'node:net';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { exportJWK, generateKeyPair } from 'jose';
import { configDefaults, defineConfig } from 'vitest/config';
import { ignoreDeveloperWranglerSettings, pinnedVars } from './test/hermetic-bindings.ts';

// Hermetic: neither a developer's .dev.vars, .env nor shell reaches the Worker (test/hermetic-bindings.ts).
ignoreDeveloperWranglerSettings();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function freshSigningKey(kid: string) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}

// Ports chosen once per run (this file may be evaluated more than once in the process), never taken from
// the shell: test/global-setup.ts reads them back from process.env.
const memo = globalThis as { sitewideTestPorts?: { oidc: number; origin: number; closed: number } };
memo.sitewideTestPorts ??= { oidc: await freePort(), origin: await freePort(), closed: await freePort() };
const ports = memo.sitewideTestPorts;
// The OIDC server (test/global-setup.ts) listens here; the worker reaches it over loopback.
process.env.SITEWIDE_TEST_OIDC_PORT = String(ports.oidc);
const oidcIssuer = `http://127.0.0.1:${ports.oidc}`;
// The gated apps' origin (scripts/echo-origin.ts, started by test/global-setup.ts): it echoes what reached it.
process.env.SITEWIDE_TEST_ORIGIN_PORT = String(ports.origin);
const echoOrigin = `http://127.0.0.1:${ports.origin}`;

/** The four session databases of the `shards` project (SESSION_DBS), local D1s like DB. */
export const TEST_SESSION_DBS = ['SESSIONS_0', 'SESSIONS_1', 'SESSIONS_2', 'SESSIONS_3'];

/**
 * The suite's refresh, revocation and session cases, run again with sessions split across the
 * four session databases (SESSION_DBS), plus the tests of the split itself.
 */
const SHARDED_FILES = [
  'test/shards.test.ts',
  'test/refresh.test.ts',
  'test/refresh-route.test.ts',
  'test/refresh-slide.test.ts',
  'test/sessions-routes.test.ts',
  'test/revocation-feed.test.ts',
  'test/revocation-d1-scan.test.ts',
  'test/revocation-copy-disables.test.ts',
  'test/access-tokens.test.ts',
  'test/admission-refresh.test.ts',
  'test/roles-and-app-access.test.ts',
  'test/me-export-delete.test.ts',
  'test/sign-in.test.ts',
  'test/concurrent-sign-in.test.ts',
  'test/d1-sessions.test.ts',
  'test/admin-shards.test.ts',
  'test/workspace-sync.test.ts',
  'test/workspace-roles.test.ts',
  'test/one-account.test.ts',
  'test/refresh-budget.test.ts',
  // Service clients live in DB whatever SESSION_DBS says; their revocations reach the feed from there.
  'test/client-credentials.test.ts',
  'test/client-tokens.test.ts',
];

const pinned = {
  TEST_MIGRATIONS: await readD1Migrations('migrations'),
  AUTH_URL: 'https://api.example.test',
  APP_URL: 'https://app.example.test/',
  COOKIE_DOMAIN: 'example.test',
  ALLOWED_ORIGINS: 'https://app.example.test,https://admin.example.test',
  AUTH_SECRET: crypto.randomUUID() + crypto.randomUUID(),
  AUTH_GOOGLE_ID: 'sitewide-test-client',
  AUTH_GOOGLE_SECRET: crypto.randomUUID(),
  AUTH_GOOGLE_ISSUER: oidcIssuer,
  SESSION_SIGNING_KEYS: JSON.stringify([await freshSigningKey('test-key-1')]),
  SESSION_TOKEN_TTL: '600',
  SESSION_MAX_AGE: '2592000',
  SESSION_ABSOLUTE_MAX_AGE: '7776000',
  TOKEN_AUDIENCES: 'https://billing.example.test,reports',
  ACCESS_TOKEN_TTL: '300',
  REVOCATION_POLL: '5',
  DIAGNOSE: 'on',
  SITE_NAME: '',
  // Anyone may sign in unless a test says otherwise (test/support/policy.ts).
  ALLOWED_EMAIL_DOMAINS: '',
  ALLOWED_EMAILS: '',
  APP_ACCESS: '',
  // The Workspace link is off unless a test turns it on (test/support/google.ts); its optional secret
  // and endpoint overrides are pinned too, so a developer's .dev.vars cannot switch it on.
  GOOGLE_SERVICE_ACCOUNT: '',
  GOOGLE_WORKSPACE_ADMIN: '',
  GOOGLE_WORKSPACE_DOMAIN: '',
  GOOGLE_WORKSPACE_CUSTOMER: '',
  GOOGLE_API_BASE: '',
  GOOGLE_TOKEN_URL: '',
  GROUP_ROLES: '',
  // The gate (src/gate, test/gate-*.test.ts): three apps behind the login, all served by the echo origin.
  GATES: JSON.stringify({
    'https://wiki.example.test': { origin: echoOrigin, public: ['/healthz', '/assets/*'] },
    'https://grafana.example.test': { origin: echoOrigin, roles: ['admin'] },
    'https://access.example.test': { origin: echoOrigin, headers: 'cloudflare-access' },
  }),
};
// An origin nobody answers on (a port taken and let go for this run): for origins and Google APIs that are down.
const closedOrigin = `http://127.0.0.1:${ports.closed}`;
const bindings = { ...pinned, TEST_PINNED_VARS: pinnedVars(pinned), TEST_CLOSED_ORIGIN: closedOrigin };

const ratelimits = {
  // The suite signs in hundreds of times from one "IP"; the 429 test swaps in the tight one.
  AUTH_RATE_LIMIT: { namespace_id: '1001', simple: { limit: 100_000, period: 60 as const } },
  TIGHT_RATE_LIMIT: { namespace_id: '1002', simple: { limit: 2, period: 60 as const } },
};

const shared = {
  // test/e2e runs on Node against wrangler dev and a browser, and packages/* test on Node: vitest.e2e.config.ts.
  exclude: [...configDefaults.exclude, 'test/e2e/**', 'packages/**'],
  globalSetup: ['./test/global-setup.ts'],
  setupFiles: ['./test/support/apply-migrations.ts'],
  // Logs (every 401 logs its cause) are shown only for failing tests.
  silent: 'passed-only' as const,
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings, ratelimits } })],
        test: {
          ...shared,
          name: 'one-database',
          exclude: [
            ...shared.exclude,
            'test/shards.test.ts',
            'test/admin-shards.test.ts',
            'test/revocation-copy-disables.test.ts',
          ],
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { ...bindings, SESSION_DBS: JSON.stringify(TEST_SESSION_DBS) },
              ratelimits,
              d1Databases: Object.fromEntries(TEST_SESSION_DBS.map((name) => [name, `sitewide-${name.toLowerCase()}`])),
            },
          }),
        ],
        test: { ...shared, name: 'session-shards', include: SHARDED_FILES },
      },
    ],
  },
});
