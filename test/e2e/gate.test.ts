// The gate in a real browser: apps Sitewide did not write, on sibling hosts of example.test, behind the
// login by GATES alone. Sitewide runs under `wrangler dev` over https; Chromium sends every *.example.test
// host to wrangler's port, so the Worker sees `Host: docs.example.test:<port>` and dispatches to the gate,
// as a route `docs.example.com/*` delivers it in production. The apps are real servers on loopback:
//   docs.  the internal docs page of `npm run dev` (scripts/gated-docs.ts): reads the identity headers and
//          checks Sitewide-Jwt-Assertion with the kit (@sitewide/verify, built from packages/verify);
//   wiki.  a static site, its /assets/* public;
//   echo.  an app that echoes the headers it received (checking the assertion with the kit) and a WebSocket echo;
//   ops.   the same echo, for users with the role `ops` only.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { verifyGateAssertion } from '@sitewide/verify';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEchoOrigin, startEchoOrigin } from '../../scripts/echo-origin.ts';
import { startDocsOrigin } from '../../scripts/gated-docs.ts';
import { DEFAULT_IDENTITY } from '../../scripts/google-identity.ts';
import { loopbackFetch } from '../../scripts/loopback-fetch.ts';
import { type BrowserStack, SESSION_COOKIE, startBrowserStack } from './browser-stack';
import { freePort } from './harness';

const SCREENSHOTS = 'test-results/e2e';

let stack: BrowserStack;
let context: BrowserContext;
let page: Page;
let API = '';
let APP = '';
const hosts = { docs: '', wiki: '', echo: '', ops: '' };
const servers: Array<Server | RunningEchoOrigin> = [];

/** A static site: one page and its stylesheet, nothing of ours. */
function startStaticSite(port: number): Promise<Server> {
  const files: Record<string, [string, string]> = {
    '/': [
      'text/html; charset=utf-8',
      '<!doctype html><title>Team wiki</title><link rel="stylesheet" href="/assets/site.css"><h1>Team wiki</h1><p>Static pages, no login code.</p>',
    ],
    '/assets/site.css': ['text/css', 'h1{color:rgb(11, 87, 208)}'],
  };
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!file) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'Content-Type': file[0] }).end(file[1]);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** GET from Node, as a client without a browser: *.example.test pinned to loopback, our certificate accepted. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; location?: string; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.pathname + target.search,
        servername: target.hostname,
        rejectUnauthorized: false,
        headers: { host: target.host, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const [docsPort, wikiPort, echoPort] = [await freePort(), await freePort(), await freePort()];
  const echo = await startEchoOrigin({
    port: echoPort,
    verify: (headers) => verifyGateAssertion(headers, { issuer: API, audience: hosts.echo, fetch: loopbackFetch }),
  });
  servers.push(echo, await startStaticSite(wikiPort));
  stack = await startBrowserStack({
    vars: (api) => {
      const port = new URL(api).port;
      for (const name of Object.keys(hosts) as Array<keyof typeof hosts>)
        hosts[name] = `https://${name}.example.test:${port}`;
      return {
        GATES: JSON.stringify({
          [hosts.docs]: { origin: `http://127.0.0.1:${docsPort}` },
          [hosts.wiki]: { origin: `http://127.0.0.1:${wikiPort}`, public: ['/assets/*'] },
          [hosts.echo]: { origin: echo.url },
          [hosts.ops]: { origin: echo.url, roles: ['ops'] },
        }),
      };
    },
  });
  ({ api: API, app: APP } = stack);
  servers.push(await startDocsOrigin(docsPort, API, hosts.docs));
  context = await stack.newContext({ viewport: { width: 900, height: 640 } });
  page = await context.newPage();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await stack?.stop();
  for (const server of servers) {
    if ('stop' in server) await server.stop();
    else await new Promise((resolve) => server.close(resolve));
  }
});

const sessionCookie = async () => (await context.cookies(API)).find((c) => c.name === SESSION_COOKIE);

describe('an app behind the login, in Chromium', () => {
  it('1. the gated URL, signed out: Google stand-in, then back on the exact URL, and the app knows who it is', async () => {
    const url = `${hosts.docs}/guide?section=2`;
    const hops: string[] = [];
    const onRequest = (req: Request) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) hops.push(req.url().split('?')[0] ?? '');
    };
    page.on('request', onRequest);
    await page.goto(url);
    await page.waitForURL(url);
    page.off('request', onRequest);
    expect(hops.slice(0, 3)).toEqual([
      `${hosts.docs}/guide`,
      `${API}/auth/signin/google`,
      `${stack.sitewide.oidc.issuer}/authorize`,
    ]);
    expect(hops.at(-1)).toBe(`${hosts.docs}/guide`);
    expect(await page.locator('h1').textContent()).toBe('Internal docs');
    const table = await page.locator('table').textContent();
    expect(table).toContain(DEFAULT_IDENTITY.email);
    expect(table).toContain(DEFAULT_IDENTITY.name);
    expect(await page.locator('body').textContent()).toContain(
      `verified with @sitewide/verify: ${DEFAULT_IDENTITY.email}`,
    );
    expect(await sessionCookie()).toMatchObject({ domain: '.example.test', secure: true, httpOnly: true });
    await page.screenshot({ path: `${SCREENSHOTS}/gate-docs.png`, fullPage: true });
  });

  it('2. a static site: its page behind the login, its public /assets/* for anyone', async () => {
    await page.goto(`${hosts.wiki}/`);
    expect(await page.locator('h1').textContent()).toBe('Team wiki');
    expect(await page.locator('h1').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(11, 87, 208)');
    expect((await rawGet(`${hosts.wiki}/assets/site.css`)).status).toBe(200);
    const page401 = await rawGet(`${hosts.wiki}/`);
    expect({ status: page401.status, code: JSON.parse(page401.body).error.code }).toEqual({
      status: 401,
      code: 'missing_session',
    });
    // The API's static assets (public/openapi.json) never stand in for a gated host's path: the gate decides.
    const asset = await rawGet(`${hosts.wiki}/openapi.json`);
    expect({ status: asset.status, code: JSON.parse(asset.body).error.code }).toEqual({
      status: 401,
      code: 'missing_session',
    });
  });

  it('3. the app gets the identity headers and a verifiable assertion, never the session cookie nor a spoofed header', async () => {
    await page.goto(`${hosts.echo}/whoami`);
    const echo = JSON.parse((await page.locator('body').textContent()) ?? '{}') as {
      headers: Array<[string, string]>;
      assertion: { ok: boolean; user: { email: string } };
    };
    const get = (name: string) =>
      echo.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
    expect(get('sitewide-user-email')).toEqual([DEFAULT_IDENTITY.email]);
    expect(get('sitewide-user-roles')).toEqual(['']);
    expect(echo.assertion).toMatchObject({ ok: true, user: { email: DEFAULT_IDENTITY.email } });
    expect(get('cookie').join()).not.toContain(SESSION_COOKIE);

    // A page script cannot pose as someone else: its own identity header is replaced by the gate's.
    const spoofed = await page.evaluate(async () => {
      const res = await fetch('/whoami', { headers: { 'Sitewide-User-Email': 'mallory@example.test' } });
      return (await res.json()) as { headers: Array<[string, string]> };
    });
    expect(spoofed.headers.filter(([n]) => n.toLowerCase() === 'sitewide-user-email')).toEqual([
      [expect.any(String), DEFAULT_IDENTITY.email],
    ]);
  });

  it('4. a WebSocket opens through the gate, with the identity on its handshake', async () => {
    const answer = await page.evaluate(
      (url) =>
        new Promise<string[]>((resolve, reject) => {
          const messages: string[] = [];
          const socket = new WebSocket(url);
          socket.onopen = () => socket.send('hello through the gate');
          socket.onmessage = (event) => {
            messages.push(String(event.data));
            if (messages.length === 2) {
              socket.close();
              resolve(messages);
            }
          };
          socket.onerror = () => reject(new Error('websocket error'));
        }),
      `${hosts.echo.replace('https:', 'wss:')}/socket`,
    );
    const hello = JSON.parse(answer[0] ?? '{}') as { headers: Array<[string, string]> };
    expect(hello.headers.find(([n]) => n.toLowerCase() === 'sitewide-user-email')?.[1]).toBe(DEFAULT_IDENTITY.email);
    expect(answer[1]).toBe('hello through the gate');
  });

  it('5. a user without the role: our 403 page, naming it', async () => {
    const res = await page.goto(`${hosts.ops}/`);
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('You do not have access to this app');
    expect(await page.locator('.alert').textContent()).toBe(`${new URL(hosts.ops).host} requires the role ops.`);
    await page.screenshot({ path: `${SCREENSHOTS}/gate-denied.png`, fullPage: true });
  });

  it('6. sign-out at /_sitewide/signout: the gated apps and the demo app are all signed out', async () => {
    const before = (await sessionCookie())?.value as string;
    await page.goto(`${hosts.docs}/_sitewide/signout`);
    await page.waitForURL(`${API}/auth/signout?**`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Lands on the API's sign-in page for this app (not on the app, which would sign in again at once).
    await page.waitForURL(`${API}/auth/signin?**`);
    expect(new URL(page.url()).searchParams.get('callbackUrl')).toBe(`${hosts.docs}/`);
    expect(await sessionCookie()).toBeUndefined();
    await page.screenshot({ path: `${SCREENSHOTS}/gate-signed-out.png`, fullPage: true });

    // The old cookie, replayed, is refused at every gated host: the session is revoked.
    for (const host of [hosts.docs, hosts.echo]) {
      const replay = await rawGet(`${host}/`, { cookie: `${SESSION_COOKIE}=${before}` });
      expect({ status: replay.status, code: JSON.parse(replay.body).error.code }).toEqual({
        status: 401,
        code: 'session_revoked',
      });
    }
    // A browser without the cookie is sent to sign-in, and the demo app shows it signed out.
    const navigation = await rawGet(`${hosts.docs}/`, { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
    expect(navigation.status).toBe(302);
    expect(navigation.location).toBe(`${API}/auth/signin/google?callbackUrl=${encodeURIComponent(`${hosts.docs}/`)}`);
    await page.goto(`${APP}/`);
    await page.locator('#signed-out').waitFor();
  });
});
