import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCert } from '../../scripts/dev-cert.ts';
import { cookiePairs } from '../../src/session/cookie';
import { freePort, type RunningSitewide, requestsIn, startSitewide } from './harness';

// @sitewide/verify/browser in Chromium (issue 22): a page of app.example.test calls its own
// backend 40 times at once after the session token expired. That backend verifies without
// renewing (as a backend on plain jose does) and answers 401 session_expired; sitewideFetch renews
// at Sitewide once for all 40 (counted in Sitewide's request log) and retries each.

const COOKIE = '__Secure-sitewide.session';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KIT = join(import.meta.dirname, '..', '..', 'packages', 'verify', 'dist', 'browser.js');
/** Seconds a session token lives in this run: short, so it expires within the test. */
const TTL = 4;

let dir: string;
let requestLog: string;
let sitewide: RunningSitewide;
let app: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let API: string;
let APP: string;
/** GET /api/data answers at the app's backend, by status. */
const served: Record<number, number> = {};

const PAGE = `<!doctype html><meta charset="utf-8"><title>kit</title>
<script type="module">
  import { sitewideFetch, signOut } from '/kit/browser.js';
  window.kit = { sitewideFetch, signOut };
  document.title = 'ready';
</script>`;

/** The app's backend: the kit's browser entry, one page, and an API that never renews. */
function appServer(tls: { keyPath: string; certPath: string }): Server {
  return createServer({ key: readFileSync(tls.keyPath), cert: readFileSync(tls.certPath) }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/kit/browser.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(KIT));
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE);
    } else if (path === '/api/data') {
      const token = cookiePairs(req.headers.cookie ?? null).find(([name]) => name === COOKIE)?.[1];
      const expired = !token || Number(decodeJwt(token).exp) * 1000 <= Date.now();
      const status = expired ? 401 : 200;
      served[status] = (served[status] ?? 0) + 1;
      const body = expired
        ? { error: { code: token ? 'session_expired' : 'missing_session', message: 'renew at Sitewide' } }
        : { sub: decodeJwt(token).sub };
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    } else {
      res.writeHead(404).end();
    }
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-kit-browser-'));
  requestLog = join(dir, 'wrangler.log');
  const tls = ensureDevCert(dir);
  const [apiPort, appPort] = [await freePort(), await freePort()];
  API = `https://api.example.test:${apiPort}`;
  APP = `https://app.example.test:${appPort}`;
  sitewide = await startSitewide({
    authUrl: API,
    vars: {
      APP_URL: `${APP}/`,
      COOKIE_DOMAIN: 'example.test',
      ALLOWED_ORIGINS: APP,
      SESSION_TOKEN_TTL: String(TTL),
      // Sitewide requires its revocation-feed poll to be shorter than the token lifetime.
      REVOCATION_POLL: '1',
    },
    tls,
    requestLog,
  });
  app = appServer(tls);
  await new Promise<void>((resolve) => app.listen(appPort, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP *.example.test 127.0.0.1',
    ],
  });
  context = await browser.newContext({ ignoreHTTPSErrors: true });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  await sitewide?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sitewideFetch in Chromium', () => {
  it('40 parallel calls with an expired session: exactly 1 POST /auth/refresh at Sitewide, 40 × 200', async () => {
    // Sign in through Sitewide (one click, the loopback OIDC server) and land on the app's page.
    await page.goto(`${API}/auth/signin/google?callbackUrl=${encodeURIComponent(`${APP}/`)}`);
    await page.waitForURL(`${APP}/`);
    await page.waitForFunction(() => document.title === 'ready');
    const cookie = (await context.cookies(API)).find((c) => c.name === COOKIE);
    expect(cookie?.domain).toBe('.example.test');
    const exp = Number(decodeJwt(cookie?.value ?? '').exp) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, exp + 1100 - Date.now())));

    const before = requestsIn(requestLog, 'POST', '/auth/refresh');
    const statuses = await page.evaluate(async (issuer) => {
      const { sitewideFetch } = (window as unknown as { kit: typeof import('../../packages/verify/src/browser.ts') })
        .kit;
      const answers = await Promise.all(
        Array.from({ length: 40 }, () => sitewideFetch('/api/data', {}, { issuer, redirect: false })),
      );
      return answers.map((res) => res.status);
    }, API);
    expect(statuses).toEqual(Array(40).fill(200));
    expect(served).toEqual({ 401: 40, 200: 40 });
    await new Promise((r) => setTimeout(r, 300));
    expect(requestsIn(requestLog, 'POST', '/auth/refresh') - before).toBe(1);
    // The renewed cookie is on the parent domain, for every sibling.
    const renewed = (await context.cookies(API)).find((c) => c.name === COOKIE);
    expect(renewed?.domain).toBe('.example.test');
    expect(renewed?.value).not.toBe(cookie?.value);
  });

  it('signOut(issuer, back) navigates to Sitewide’s sign-out page with back as callbackUrl', async () => {
    const navigation = page.waitForRequest((req) => req.isNavigationRequest() && req.url().startsWith(API));
    await page.evaluate(
      ([issuer, back]) =>
        (window as unknown as { kit: typeof import('../../packages/verify/src/browser.ts') }).kit.signOut(
          issuer as string,
          back as string,
        ),
      [API, `${APP}/bye`],
    );
    expect((await navigation).url()).toBe(`${API}/auth/signout?callbackUrl=${encodeURIComponent(`${APP}/bye`)}`);
  });
});
