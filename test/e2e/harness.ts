/**
 * Real servers for end-to-end tests, each started on loopback and stopped by
 * PID (its whole process group), also when a test fails:
 *  - Sitewide under `wrangler dev` (real workerd, a throwaway local D1 with the
 *    migrations applied by wrangler), optionally over https with our own cert;
 *  - the loopback OIDC server standing in for Google.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningOidcServer, startOidcServer } from '../../scripts/oidc-server.ts';
import { freePort, startGroup, stopGroup, waitForHealth } from '../../scripts/process-group.ts';
import { generateAuthSecret, generateSigningJwk } from '../../scripts/secrets.ts';

export { freePort };

export interface SitewideOptions {
  /** The origin the Worker believes it serves (AUTH_URL); its port is where wrangler listens. */
  authUrl: string;
  vars: Record<string, string>;
  /** Serve https with this certificate (for `__Secure-` cookies on a test domain). */
  tls?: { keyPath: string; certPath: string };
}

export interface RunningSitewide {
  authUrl: string;
  /** The private signing keys it uses (tests sign expired tokens with them). */
  signingKeysJson: string;
  /** wrangler's --persist-to directory: the local D1 lives there (see queryD1). */
  persistDir: string;
  oidc: RunningOidcServer;
  stop(): Promise<void>;
}

function wranglerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', X_LOCAL_OBSERVABILITY: 'false' };
}

/** Runs one SQL statement against the running Worker's local D1 (the same persist dir), returning its rows. */
export function queryD1<Row = Record<string, unknown>>(sitewide: RunningSitewide, sql: string): Row[] {
  const args = ['d1', 'execute', 'DB', '--local', '--persist-to', sitewide.persistDir, '--json', '--command', sql];
  const run = spawnSync('wrangler', args, { env: wranglerEnv(), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrangler d1 execute failed: ${run.stderr || run.stdout}`);
  return (JSON.parse(run.stdout) as { results: Row[] }[])[0]?.results ?? [];
}

/** Starts the loopback OIDC server and Sitewide under wrangler dev, configured to use it. */
export async function startSitewide(options: SitewideOptions): Promise<RunningSitewide> {
  const dir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-'));
  const state = join(dir, 'state');
  const oidc = await startOidcServer({ port: await freePort() });
  const signingKeysJson = JSON.stringify([await generateSigningJwk()]);
  const secrets = join(dir, 'secrets.env');
  writeFileSync(
    secrets,
    [
      `AUTH_SECRET=${generateAuthSecret()}`,
      'AUTH_GOOGLE_SECRET=e2e-secret',
      `SESSION_SIGNING_KEYS='${signingKeysJson}'`,
      '',
    ].join('\n'),
  );
  const env = wranglerEnv();

  const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state], {
    env,
    encoding: 'utf8',
  });
  if (migrate.status !== 0) {
    await oidc.stop();
    throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);
  }

  const port = new URL(options.authUrl).port;
  const vars = { ...options.vars, AUTH_URL: options.authUrl, AUTH_GOOGLE_ISSUER: oidc.issuer };
  const args = [
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    port,
    '--persist-to',
    state,
    '--env-file',
    secrets,
    '--show-interactive-dev-session=false',
    '--log-level',
    process.env.E2E_WRANGLER_LOG ?? 'warn',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
    ...(options.tls
      ? [
          '--local-protocol',
          'https',
          '--https-key-path',
          options.tls.keyPath,
          '--https-cert-path',
          options.tls.certPath,
        ]
      : []),
  ];
  const child = startGroup('wrangler', args, { env });
  const stop = async () => {
    await stopGroup(child);
    await oidc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const local = new URL(options.authUrl);
    local.hostname = '127.0.0.1';
    await waitForHealth(new URL('/health', local).href, child, { name: 'wrangler dev' });
  } catch (error) {
    await stop();
    throw error;
  }
  return { authUrl: options.authUrl, signingKeysJson, persistDir: state, oidc, stop };
}
