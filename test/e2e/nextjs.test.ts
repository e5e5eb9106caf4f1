import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGroup, stopGroup, waitForHealth } from '../../scripts/process-group.ts';
import type { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import { childEnv } from './child-env.ts';
import { freePort, type RunningSitewide, startSitewide } from './harness';
import { apiFetchFor, getParsed, untilExpired } from './http';

// examples/nextjs: a Next.js App Router app (an npm workspace: the root's `npm ci` installs Next)
// whose edge middleware and /api/me route handler verify Sitewide sessions with @sitewide/verify.
// Built with `next build` and served by `next start` on loopback, beside a real Sitewide under
// wrangler dev on http://localhost: the session cookie is host-only on localhost, which a
// browser would send to the Next app on its own port too. Session tokens live 4 s in this run,
// so renewal (POST /auth/refresh from the middleware) happens within the test.

const COOKIE = 'sitewide.session';
const TTL = 4;
const APP_DIR = resolve('examples/nextjs');
const NEXT_BIN = resolve('node_modules/next/dist/bin/next');

let logDir: string;
let sitewide: RunningSitewide;
let nextServer: ChildProcess | undefined;
let app: string;
let appOrigin: string;
let jar: CookieJar;
let token: string;
let api: ApiFetch;

/** Runs `next <args>` in the example's folder; resolves when it exits 0, else rejects with its log's tail. */
function nextCommand(args: string[], env: NodeJS.ProcessEnv, logPath: string): ChildProcess {
  return startGroup(process.execPath, [NEXT_BIN, ...args], { cwd: APP_DIR, env, logPath });
}

function exitOk(child: ChildProcess, logPath: string, name: string): Promise<void> {
  return new Promise((ok, fail) => {
    child.once('exit', (code, signal) =>
      code === 0
        ? ok()
        : fail(new Error(`${name} exited with ${code ?? signal}:\n${readFileSync(logPath, 'utf8').slice(-4000)}`)),
    );
  });
}

/** GET from the Next.js app: status, parsed Set-Cookie, JSON (or `{ html }`) body. */
const callApp = (path: string, cookie?: string) => getParsed(`${app}${path}`, cookie ? { cookie } : {});

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-next-'));
  const [apiPort, appPort] = [await freePort(), await freePort()];
  const origin = `http://localhost:${apiPort}`;
  app = `http://127.0.0.1:${appPort}`;
  appOrigin = `http://localhost:${appPort}`;
  const nextEnv = childEnv({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', SITEWIDE_ISSUER: origin });

  // next build (the issuer is read at run time, so the build need not wait for Sitewide).
  const buildLog = join(logDir, 'next-build.log');
  const built = exitOk(nextCommand(['build'], nextEnv, buildLog), buildLog, 'next build');
  const started = startSitewide({
    authUrl: origin,
    vars: {
      APP_URL: `${appOrigin}/`,
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: `${origin},${appOrigin}`,
      SESSION_TOKEN_TTL: String(TTL),
      // Sitewide requires its revocation-feed poll to be shorter than the token lifetime.
      REVOCATION_POLL: '1',
    },
  });
  const [buildResult, sitewideResult] = await Promise.allSettled([built, started]);
  if (sitewideResult.status === 'fulfilled') sitewide = sitewideResult.value;
  if (buildResult.status === 'rejected') throw buildResult.reason;
  if (sitewideResult.status === 'rejected') throw sitewideResult.reason;

  const startLog = join(logDir, 'next-start.log');
  nextServer = nextCommand(['start', '--port', String(appPort), '--hostname', '127.0.0.1'], nextEnv, startLog);
  await waitForHealth(`${app}/health`, nextServer, { name: 'next start', logPath: startLog, timeoutMs: 30_000 });

  api = apiFetchFor(origin);
  ({ jar } = await signInFlow(
    api,
    origin,
    { sub: 'next-user', email: 'next@example.test', name: 'Next User' },
    { callbackUrl: `${appOrigin}/` },
  ));
  token = jar.get(COOKIE) ?? '';
}, 300_000);

afterAll(async () => {
  if (nextServer) await stopGroup(nextServer);
  await sitewide?.stop();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

describe('the Next.js example (edge middleware + route handler) verifies Sitewide sessions', () => {
  it('the session cookie from a real sign-in: GET /api/me answers 200 and the user', async () => {
    expect(token).not.toBe('');
    const res = await callApp('/api/me', `theme=dark; ${COOKIE}=${token}`);
    expect(res).toMatchObject({
      status: 200,
      body: {
        via: 'cookie',
        user: { id: decodeJwt(token).sub, email: 'next@example.test', name: 'Next User' },
        session: { id: decodeJwt(token).sid },
      },
    });
  });

  it('the page greets a signed-in user and links anyone else to one-click sign-in', async () => {
    expect((await callApp('/', `${COOKIE}=${token}`)).body.html).toContain('Signed in as <!-- -->Next User');
    const anonymous = await callApp('/');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.html).toContain(`${sitewide.authUrl}/auth/signin/google?callbackUrl=`);
  });

  it('no session cookie: the middleware answers 401 missing_session with a hint', async () => {
    const none = await callApp('/api/me');
    expect(none).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
    expect(none.body.error?.hint).toMatch(/no cookies arrived: sign in at http:\/\/localhost:\d+/);
    const other = await callApp('/api/me', 'theme=dark');
    expect(other).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
    expect(other.body.error?.hint).toMatch(
      /outside COOKIE_DOMAIN \(host-only\), or the request was made without credentials: 'include'/,
    );
  });

  it('the token expires: the middleware renews it at Sitewide, 200 and one renewed Set-Cookie', async () => {
    await untilExpired(token);
    const res = await callApp('/api/me', `${COOKIE}=${token}`);
    expect(res).toMatchObject({ status: 200, body: { user: { email: 'next@example.test' } } });
    // One renewal only: the route handler verified the renewed token the middleware handed on.
    const renewed = res.setCookie.filter((c) => c.name === COOKIE);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.attributes).toMatchObject({ path: '/', httponly: true });
    expect(renewed[0]?.attributes.domain).toBeUndefined(); // host-only on http localhost
    expect(renewed[0]?.value).not.toBe(token);
    expect(decodeJwt(renewed[0]?.value ?? '').sid).toBe(decodeJwt(token).sid);

    // The page behind the middleware: renewed too, and greets the user.
    const page = await callApp('/', `${COOKIE}=${token}`);
    expect(page.status).toBe(200);
    expect(page.body.html).toContain('Signed in as <!-- -->Next User');
    expect(page.setCookie.filter((c) => c.name === COOKIE)).toHaveLength(1);

    token = renewed[0]?.value ?? token;
  });

  it('after revoke-all, the app refuses with session_revoked once the token expires', async () => {
    const revoke = await api('/api/sessions/revoke-all', {
      method: 'POST',
      headers: { cookie: `${COOKIE}=${token}`, origin: appOrigin },
    });
    expect(revoke.status).toBe(200);
    await untilExpired(token);
    const res = await callApp('/api/me', `${COOKIE}=${token}`);
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'session_revoked' } } });
    expect(res.body.error?.hint).toMatch(/expired and Sitewide refused to renew it \(session_revoked\)/);
  });
});
