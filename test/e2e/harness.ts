/**
 * Real servers for end-to-end tests, each started on loopback and stopped by
 * PID (its whole process group), also when a test fails:
 *  - Sitewide under `wrangler dev` (real workerd, a throwaway local D1 with the
 *    migrations applied by wrangler), optionally over https with our own cert;
 *  - the loopback OIDC server standing in for Google.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningOidcServer, startOidcServer } from '../../scripts/oidc-server.ts';
import { freePort, startGroup, stopGroup, waitForHealth } from '../../scripts/process-group.ts';
import { generateAuthSecret, generateSigningJwk } from '../../scripts/secrets.ts';
import { childEnv } from './child-env.ts';

export { freePort };

/**
 * Sitewide on http://localhost:<a free port> for a backend sibling's tests: no
 * app of its own (APP_URL is its /api/me), COOKIE_DOMAIN localhost, access
 * tokens for `audience`.
 */
export async function startLocalhostSitewide(
  audience: string,
  more: { allowedOrigins?: string[]; requestLog?: string } = {},
): Promise<{ sitewide: RunningSitewide; origin: string }> {
  const origin = `http://localhost:${await freePort()}`;
  const sitewide = await startSitewide({
    authUrl: origin,
    vars: {
      APP_URL: `${origin}/api/me`,
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: [origin, ...(more.allowedOrigins ?? [])].join(','),
      TOKEN_AUDIENCES: audience,
    },
    ...(more.requestLog ? { requestLog: more.requestLog } : {}),
  });
  return { sitewide, origin };
}

export interface SitewideOptions {
  /** The origin the Worker believes it serves (AUTH_URL); its port is where wrangler listens. */
  authUrl: string;
  vars: Record<string, string>;
  /** Serve https with this certificate (for `__Secure-` cookies on a test domain). */
  tls?: { keyPath: string; certPath: string };
  /** More environment for wrangler, e.g. WRANGLER_REGISTRY_PATH shared with a sibling Worker (startWorker). */
  env?: Record<string, string>;
  /** Write wrangler's output to this file at log level info: one line per request (see requestsIn). */
  requestLog?: string;
  /** Another copy of wrangler.toml (test/e2e/hermetic.test.ts: one beside a hostile .dev.vars); default the project's. */
  configPath?: string;
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

/**
 * How many `method path` requests Sitewide served, from its request log (SitewideOptions.requestLog):
 * wrangler dev writes one line per request at log level info, e.g. `[wrangler:info] POST /auth/refresh 200 OK (12ms)`.
 */
export function requestsIn(requestLog: string, method: string, path: string): number {
  const line = new RegExp(`\\b${method} ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\?\\S*)? \\d{3}\\b`);
  return readFileSync(requestLog, 'utf8')
    .split('\n')
    .filter((l) => line.test(l)).length;
}

/** Runs one SQL statement against the running Worker's local D1 (the same persist dir), returning its rows. */
export function queryD1<Row = Record<string, unknown>>(sitewide: RunningSitewide, sql: string): Row[] {
  const args = ['d1', 'execute', 'DB', '--local', '--persist-to', sitewide.persistDir, '--json', '--command', sql];
  const run = spawnSync('wrangler', args, { env: childEnv(), encoding: 'utf8' });
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
  const env = { ...childEnv(), ...options.env };

  const config = ['-c', options.configPath ?? 'wrangler.toml'];
  const migrate = spawnSync(
    'wrangler',
    ['d1', 'migrations', 'apply', 'DB', ...config, '--local', '--persist-to', state],
    {
      env,
      encoding: 'utf8',
    },
  );
  if (migrate.status !== 0) {
    await oidc.stop();
    throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);
  }

  const port = new URL(options.authUrl).port;
  const vars = { ...options.vars, AUTH_URL: options.authUrl, AUTH_GOOGLE_ISSUER: oidc.issuer };
  // --env-file: wrangler reads the secrets from this file alone, never a .dev.vars beside wrangler.toml;
  // childEnv(): nor the developer's environment (wrangler adds process.env to an --env-file).
  const args = [
    'dev',
    ...config,
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
    options.requestLog ? 'info' : (process.env.E2E_WRANGLER_LOG ?? 'warn'),
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
  // Its output goes to a file (the request log, when asked for): a failed start shows its tail.
  const logPath = options.requestLog ?? (process.env.E2E_WRANGLER_LOG ? undefined : join(dir, 'wrangler.log'));
  const child = startGroup('wrangler', args, { env, ...(logPath ? { logPath } : {}) });
  const stop = async () => {
    await stopGroup(child);
    await oidc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const local = new URL(options.authUrl);
    local.hostname = '127.0.0.1';
    await waitForHealth(new URL('/health', local).href, child, {
      name: 'wrangler dev',
      ...(logPath ? { logPath } : {}),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { authUrl: options.authUrl, signingKeysJson, persistDir: state, oidc, stop };
}

export interface WorkerOptions {
  /** Its wrangler config, e.g. examples/hono-sibling/wrangler.toml. */
  configPath: string;
  port: number;
  vars: Record<string, string>;
  /** More environment for wrangler: the same WRANGLER_REGISTRY_PATH as Sitewide's connects their service bindings. */
  env?: Record<string, string>;
}

export interface RunningWorker {
  url: string;
  stop(): Promise<void>;
}

/**
 * Another Worker under its own `wrangler dev` (a sibling app). Its service bindings to Sitewide
 * reach the Sitewide started by startSitewide through wrangler's dev registry: pass both the same
 * WRANGLER_REGISTRY_PATH. Ready when GET /health answers 200.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-worker-'));
  const env = { ...childEnv(), ...options.env };
  const args = [
    'dev',
    '-c',
    options.configPath,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--persist-to',
    join(dir, 'state'),
    '--show-interactive-dev-session=false',
    '--log-level',
    process.env.E2E_WRANGLER_LOG ?? 'warn',
    ...Object.entries(options.vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const child = startGroup('wrangler', args, { env });
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(`${url}/health`, child, { name: `wrangler dev -c ${options.configPath}` });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
