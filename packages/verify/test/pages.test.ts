import { request as httpRequest, type Server } from 'node:http';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { optionalSitewideSession, type RequireSitewideSessionOptions, requireSitewideSession } from '../src/express.ts';
import {
  optionalSitewideSession as optionalHono,
  type SitewideSessionOptions,
  type SitewideVariables,
  sitewideSession,
} from '../src/hono.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

// Issue 22, "Pages get JSON": a page navigation without a session goes to Sitewide's sign-in page
// and back; fetches keep the JSON 401; optional mode answers the page with a null user; and every
// answer that depended on the session says `Cache-Control: private, no-store` and `Vary: Cookie`.

let fake: FakeSitewide;
const servers: Server[] = [];
beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await fake.close();
});
beforeEach(() => {
  fake.refreshCookies.length = 0;
  fake.refreshDelayMs = 50;
  fake.refresh = {
    status: 200,
    body: { user: { id: 'user-1', roles: [] }, session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' } },
    setCookie: [RENEWED],
  };
});

const RENEWED = '__Secure-sitewide.session=renewed; Domain=example.test; Path=/; HttpOnly; Secure; SameSite=Lax';
const PAGE = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate' };
const cookie = (token: string) => `${fake.cookieName}=${token}`;
const signInPage = (back: string) => `${fake.issuer}/auth/signin?callbackUrl=${encodeURIComponent(back)}`;

type Get = (path: string, init?: RequestInit) => Promise<Response>;

async function expressApp(options: Omit<RequireSitewideSessionOptions, 'issuer'>, trustProxy = false): Promise<Get> {
  const app = express();
  if (trustProxy) app.set('trust proxy', 'loopback');
  const opts = { issuer: fake.issuer, ...options };
  app.get('/page', requireSitewideSession(opts), (req, res) => res.json({ user: req.sitewide?.user?.id ?? null }));
  app.post('/page', requireSitewideSession(opts), (_req, res) => res.json({}));
  app.get('/home', optionalSitewideSession(opts), (req, res) => res.json({ user: req.sitewide?.user?.id ?? null }));
  app.get('/cached', requireSitewideSession(opts), (_req, res) =>
    res.set('Cache-Control', 'private, max-age=60').end(),
  );
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return (path, init) => rawRequest(`${base}${path}`, init);
}

/** An HTTP request with exactly these headers (Node's fetch would set its own Sec-Fetch-Mode: cors). */
function rawRequest(url: string, init: RequestInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    const req = httpRequest(url, { method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const out = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
        }
        const status = res.statusCode ?? 0;
        const empty = init.method === 'HEAD' || status === 204 || status === 304;
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: out }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function honoApp(options: Omit<SitewideSessionOptions, 'issuer'>): Get {
  const opts = { issuer: fake.issuer, ...options };
  const app = new Hono<{ Variables: SitewideVariables }>()
    .get('/page', sitewideSession(opts), (c) => c.json({ user: c.var.sitewide?.user?.id ?? null }))
    .post('/page', sitewideSession(opts), (c) => c.json({}))
    .get('/home', optionalHono(opts), (c) => c.json({ user: c.var.sitewide?.user?.id ?? null }))
    .get('/cached', sitewideSession(opts), (c) => c.body(null, 200, { 'Cache-Control': 'private, max-age=60' }))
    // A Response with immutable headers, as fetch() returns.
    .get('/proxied', sitewideSession(opts), async () => Response.redirect('https://example.test/', 302));
  return async (path, init) => app.request(`https://app.example.test${path}`, init);
}

describe.each([
  ['Express', (o: Omit<RequireSitewideSessionOptions, 'issuer'>) => expressApp(o)],
  ['Hono', async (o: Omit<SitewideSessionOptions, 'issuer'>) => honoApp(o)],
])('%s', (_name, make) => {
  const privateHeaders = (res: Response) => {
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toMatch(/\bCookie\b/);
  };

  it('a page navigation without a session: 302 to the sign-in page with this absolute URL as callbackUrl', async () => {
    const get = await make({});
    const res = await get('/page?tab=2&x=%2F', { headers: PAGE });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    const back = new URL(location).searchParams.get('callbackUrl') ?? '';
    expect(back).toMatch(/^(http:\/\/127\.0\.0\.1:\d+|https:\/\/app\.example\.test)\/page\?tab=2&x=%2F$/);
    expect(location).toBe(signInPage(back));
    privateHeaders(res);
    expect(res.headers.get('vary')).toMatch(/\bAccept\b/);
    // HEAD is a navigation too; Accept: text/html without Sec-Fetch-Mode (older clients) as well.
    expect((await get('/page', { method: 'HEAD', headers: PAGE })).status).toBe(302);
    expect((await get('/page', { headers: { accept: 'text/html' } })).status).toBe(302);
  });

  it('API calls keep the JSON 401: fetch (Accept */*), a cors fetch asking for HTML, a POST form', async () => {
    const get = await make({});
    for (const init of [
      {},
      { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } },
      { method: 'POST', headers: PAGE },
    ]) {
      const res = await get('/page', init);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'missing_session' } });
      privateHeaders(res);
    }
  });

  it("onMissing: 'json' answers a navigation with the JSON 401; a 403 is never a redirect", async () => {
    expect((await (await make({ onMissing: 'json' }))('/page', { headers: PAGE })).status).toBe(401);
    const admin = await make({ roles: ['admin'] });
    const res = await admin('/page', { headers: { ...PAGE, cookie: cookie(await fake.sign()) } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'access_denied' } });
  });

  it('origin: the callbackUrl is built on it (behind a reverse proxy)', async () => {
    const get = await make({ origin: 'https://app.example.com' });
    const res = await get('/page?a=1', { headers: PAGE });
    expect(res.headers.get('location')).toBe(signInPage('https://app.example.com/page?a=1'));
  });

  it('signed in: 200, with Cache-Control: private, no-store and Vary: Cookie; a handler may set its own', async () => {
    const get = await make({});
    const res = await get('/page', { headers: { ...PAGE, cookie: cookie(await fake.sign()) } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: 'user-1' });
    privateHeaders(res);
    const own = await get('/cached', { headers: { cookie: cookie(await fake.sign()) } });
    expect(own.headers.get('cache-control')).toBe('private, max-age=60');
    expect(own.headers.get('vary')).toMatch(/\bCookie\b/);
  });

  it('optional: 200 with a null user (never a 401), private; an expired cookie is still renewed', async () => {
    const get = await make({});
    const anonymous = await get('/home', { headers: PAGE });
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ user: null });
    privateHeaders(anonymous);
    const bad = await get('/home', { headers: { ...PAGE, cookie: cookie('not-a-token') } });
    expect([bad.status, await bad.json()]).toEqual([200, { user: null }]);
    const renewed = await get('/home', { headers: { cookie: cookie(await fake.sign({}, { expiresIn: -30 })) } });
    expect(await renewed.json()).toEqual({ user: 'user-1' });
    expect(renewed.headers.getSetCookie()).toEqual([RENEWED]);
  });

  it('40 parallel requests with one expired cookie: 1 refresh at Sitewide, 40 × 200, each with the renewed cookie', async () => {
    const get = await make({});
    const token = await fake.sign({}, { expiresIn: -30, sid: `burst-${_name}` });
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => get('/page', { headers: { cookie: cookie(token) } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(answers.every((r) => r.headers.getSetCookie()[0] === RENEWED)).toBe(true);
    expect(fake.refreshCookies).toEqual([cookie(token)]);
  });
});

describe('Express behind a reverse proxy', () => {
  it("X-Forwarded-Proto/Host count only when the app trusts the proxy (Express's trust proxy)", async () => {
    const headers = { ...PAGE, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com, proxy.internal' };
    const trusting = await expressApp({}, true);
    const trusted = (await trusting('/page', { headers })).headers.get('location');
    expect(trusted).toBe(signInPage('https://app.example.com/page'));
    const plain = await expressApp({});
    const ignored = new URL((await plain('/page', { headers })).headers.get('location') ?? '');
    expect(ignored.searchParams.get('callbackUrl')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/page$/);
  });
});

describe('Hono: a handler Response with immutable headers', () => {
  it('still gets the private cache headers and the renewed cookie', async () => {
    const get = honoApp({});
    const res = await get('/proxied', {
      headers: { cookie: cookie(await fake.sign({}, { expiresIn: -30, sid: 'imm' })) },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.test/');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.getSetCookie()).toEqual([RENEWED]);
  });
});

describe('options are checked when the middleware is built', () => {
  it('a bad onMissing, origin or issuer throws a TypeError', () => {
    // @ts-expect-error: not an option value
    expect(() => requireSitewideSession({ issuer: fake.issuer, onMissing: 'html' })).toThrow(TypeError);
    expect(() => sitewideSession({ issuer: fake.issuer, origin: 'https://app.example.com/path' })).toThrow(TypeError);
    expect(() => requireSitewideSession({ issuer: 'api.example.com' })).toThrow(TypeError);
  });
});
