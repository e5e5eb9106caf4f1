import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import { NAVIGATION, type RunningExample, rawGet } from './examples';
import { freePort, type RunningSitewide, requestsIn, startLocalhostSitewide } from './harness';
import { apiFetchFor, startExpressSibling } from './http';

// docs/siblings.md, "Verify tokens in your backend", proven: a real Sitewide
// under wrangler dev, a real sign-in, and the Express example (@sitewide/verify/express)
// verifying its tokens. The example configures no cookie name: the kit reads it from
// /.well-known/sitewide.json (`sitewide.session` on this http Sitewide). It runs as its README
// says (`npm start` in examples/express-verifier), on http://localhost:<port>, an ALLOWED_ORIGINS
// entry, so the sign-in round trip from its pages comes back to it.

const AUDIENCE = 'https://billing.example.test';
const COOKIE = 'sitewide.session';
let sitewide: RunningSitewide;
let backend: RunningExample;
let backendUrl: string;
/** The example as a browser on localhost reaches it (the session cookie is host-only on localhost). */
let page: string;
let jar: CookieJar;
let api: ApiFetch;
let logDir: string;
/** Sitewide's request log (wrangler dev at log level info): where refreshes are counted. */
let requestLog: string;

beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-express-'));
  requestLog = join(logDir, 'wrangler.log');
  const port = await freePort();
  page = `http://localhost:${port}`;
  const started = await startLocalhostSitewide(AUDIENCE, { allowedOrigins: [page], requestLog });
  sitewide = started.sitewide;
  const { origin } = started;
  api = apiFetchFor(origin);
  ({ jar } = await signInFlow(
    api,
    origin,
    { sub: 'express-user', email: 'express@example.test' },
    { callbackUrl: '/api/me' },
  ));
  backend = await startExpressSibling(origin, AUDIENCE, port);
  backendUrl = backend.url;
});

afterAll(async () => {
  await backend?.stop();
  await sitewide?.stop();
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

async function whoami(headers: Record<string, string>, path = '/whoami') {
  const res = await fetch(`${backendUrl}${path}`, { headers });
  return {
    status: res.status,
    setCookie: res.headers.getSetCookie(),
    body: (await res.json()) as Record<string, { code?: string; id?: string; via?: string; hint?: string }>,
  };
}

/** A session token signed with Sitewide's real key, expired an hour ago (lifetime 600 s, as SESSION_TOKEN_TTL). */
async function expiredToken(sub: string, sid: string) {
  const [jwk] = JSON.parse(sitewide.signingKeysJson) as Array<Record<string, string>>;
  const key = await importJWK({ ...jwk }, 'ES256');
  const past = Math.floor(Date.now() / 1000) - 3600;
  return new SignJWT({ sid })
    .setProtectedHeader({ alg: 'ES256', kid: jwk?.kid, typ: 'sitewide-session+jwt' })
    .setIssuer(sitewide.authUrl)
    .setAudience(sitewide.authUrl)
    .setSubject(sub)
    .setIssuedAt(past)
    .setExpirationTime(past + 600)
    .sign(key);
}

/** Whether this Sitewide serves POST /auth/refresh (the kit's renewal path): without a cookie it answers missing_session. */
async function refreshServed() {
  const res = await api('/auth/refresh', { method: 'POST' });
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return body.error?.code === 'missing_session';
}

async function me() {
  return (await (await api('/api/me', { jar })).json()) as { id: string; email: string };
}

describe('the Express example verifies real Sitewide tokens with the public JWKS only', () => {
  it('the session cookie from a real sign-in', async () => {
    const user = await me();
    expect(user.email).toBe('express@example.test');
    const res = await whoami({ cookie: `${COOKIE}=${jar.get(COOKIE)}` });
    expect(res).toMatchObject({ status: 200, body: { user: { id: user.id, via: 'cookie' } } });
  });

  it('an access token minted by POST /auth/token for its audience, as Bearer', async () => {
    const minted = await api('/auth/token', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/json', origin: sitewide.authUrl },
      body: JSON.stringify({ audience: AUDIENCE }),
    });
    expect(minted.status).toBe(200);
    const { access_token } = (await minted.json()) as { access_token: string };
    const res = await whoami({ authorization: `Bearer ${access_token}` });
    expect(res).toMatchObject({ status: 200, body: { user: { id: (await me()).id, via: 'bearer' } } });
  });

  it('rejects a tampered token', async () => {
    const token = jar.get(COOKIE) ?? '';
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${s}`;
    expect(await whoami({ cookie: `${COOKIE}=${forged}` })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_session' } },
    });
  });

  it('an expired token of a live session: renewed at Sitewide (POST /auth/refresh), its Set-Cookie forwarded', async (ctx) => {
    if (!(await refreshServed())) ctx.skip();
    const user = await me();
    const sid = String(decodeJwt(jar.get(COOKIE) ?? '').sid);
    const res = await whoami({ cookie: `${COOKIE}=${await expiredToken(user.id, sid)}` });
    expect(res).toMatchObject({ status: 200, body: { user: { id: user.id, via: 'cookie' }, session: { id: sid } } });
    // Host-only on http localhost (Sitewide sets Domain= only with Secure cookies; the Hono sibling's test covers that).
    const renewed = res.setCookie.find((c) => c.startsWith(`${COOKIE}=`));
    expect(renewed).toMatch(/; HttpOnly/i);
    expect(renewed?.slice(COOKIE.length + 1).split(';')[0]).not.toBe(jar.get(COOKIE));
  });

  it('an expired token of no session: Sitewide refuses the renewal and the kit answers its code', async (ctx) => {
    if (!(await refreshServed())) ctx.skip();
    const res = await whoami({ cookie: `${COOKIE}=${await expiredToken('u', 's')}` });
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'user_not_found' } } });
    expect(res.body.error?.hint).toMatch(/expired and Sitewide refused to renew it/);
  });

  it('rejects the session token presented as Bearer, and an access token for another audience', async () => {
    expect((await whoami({ authorization: `Bearer ${jar.get(COOKIE)}` })).status).toBe(401);
    const minted = await api('/auth/token', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/json', origin: sitewide.authUrl },
      body: JSON.stringify({ audience: sitewide.authUrl }),
    });
    const { access_token } = (await minted.json()) as { access_token: string };
    expect((await whoami({ authorization: `Bearer ${access_token}` })).status).toBe(401);
  });

  it('no credentials: 401 missing_session; another cookie only: the hint names COOKIE_DOMAIN', async () => {
    expect(await whoami({})).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
    const res = await whoami({ cookie: 'theme=dark' });
    expect(res.body.error?.hint).toMatch(/outside COOKIE_DOMAIN .*credentials: 'include'/);
  });

  it('roles: a user without the admin role gets 403 access_denied', async () => {
    expect(await whoami({ cookie: `${COOKIE}=${jar.get(COOKIE)}` }, '/admin')).toMatchObject({
      status: 403,
      body: { error: { code: 'access_denied' } },
    });
  });
});

describe('issue 22: one renewal for a burst, pages, caching headers (the real Sitewide)', () => {
  it('40 parallel requests with one expired cookie: exactly 1 POST /auth/refresh at Sitewide, 40 × 200', async () => {
    const user = await me();
    const sid = String(decodeJwt(jar.get(COOKIE) ?? '').sid);
    const expired = await expiredToken(user.id, sid);
    const before = requestsIn(requestLog, 'POST', '/auth/refresh');
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => fetch(`${backendUrl}/whoami`, { headers: { cookie: `${COOKIE}=${expired}` } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    // Every answer carries the one renewed cookie.
    const renewed = new Set(answers.map((r) => r.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))));
    expect(renewed.size).toBe(1);
    expect([...renewed][0]).toMatch(/; HttpOnly/i);
    // wrangler writes the request line when the answer is sent; give the log a moment.
    await new Promise((r) => setTimeout(r, 300));
    expect(requestsIn(requestLog, 'POST', '/auth/refresh') - before).toBe(1);
  });

  it('a page navigation without a session: 302 to Sitewide’s sign-in page and, once signed in, back to the page', async () => {
    const res = await rawGet(`${page}/account?tab=orders`, NAVIGATION);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${sitewide.authUrl}/auth/signin`);
    const back = `${page}/account?tab=orders`;
    expect(location.searchParams.get('callbackUrl')).toBe(back);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toMatch(/\bCookie\b/);

    // Sitewide's own sign-in page keeps that callbackUrl (its origin is in ALLOWED_ORIGINS) in its one link.
    const signInPage = await api(location.pathname + location.search);
    expect(signInPage.status).toBe(200);
    const href = /href="(\/auth\/signin\/google\?[^"]+)"/.exec(await signInPage.text())?.[1]?.replaceAll('&amp;', '&');
    expect(new URL(href ?? '', sitewide.authUrl).searchParams.get('callbackUrl')).toBe(back);

    const { jar: browser, callback } = await signInFlow(
      api,
      sitewide.authUrl,
      { sub: 'page-user', email: 'page@example.test' },
      { callbackUrl: back },
    );
    expect(callback.headers.get('location')).toBe(back);
    const landed = await rawGet(back, { ...NAVIGATION, cookie: `${COOKIE}=${browser.get(COOKIE)}` });
    expect(landed.status).toBe(200);
    expect(landed.body).toContain('Your account: page@example.test.');
    expect(landed.headers.get('cache-control')).toBe('private, no-store');
  });

  it('the API keeps its JSON 401 for fetches; the optional page answers 200 with a Sign in link, or the user', async () => {
    const api401 = await fetch(`${backendUrl}/whoami`, { headers: { accept: '*/*' } });
    expect(api401.status).toBe(401);
    expect(api401.headers.get('cache-control')).toBe('private, no-store');
    expect(api401.headers.get('vary')).toMatch(/\bCookie\b/);
    expect(await api401.json()).toMatchObject({ error: { code: 'missing_session' } });

    const anonymous = await rawGet(`${page}/`, NAVIGATION);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toContain(
      `href="${sitewide.authUrl}/auth/signin/google?callbackUrl=${encodeURIComponent(`${page}/`)}"`,
    );
    expect(anonymous.headers.get('cache-control')).toBe('private, no-store');
    const signedIn = await rawGet(`${page}/`, { ...NAVIGATION, cookie: `${COOKIE}=${jar.get(COOKIE)}` });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatch(/Signed in as [^<]+\. <a href=/);
    expect(signedIn.body).toContain(`${sitewide.authUrl}/auth/signout?callbackUrl=`);
  });

  it('as the attacker: a token header with CR/LF cannot forge a line in the sibling’s log', async () => {
    const header = Buffer.from(
      JSON.stringify({ alg: 'ES256', typ: 'x\r\n2026-01-01T00:00:00Z INFO admin signed in' }),
    ).toString('base64url');
    const res = await whoami({ cookie: `${COOKIE}=${header}.e30.c2ln` });
    expect(res.status).toBe(401);
    const hint = res.body.error?.hint ?? '';
    expect(hint).toBe(
      String.raw`the token's typ is "x\r\n2026-01-01T00:00:00Z INFO admin signed in", not "sitewide-session+jwt"`,
    );
    expect(hint).not.toMatch(/[\r\n]/);
  });
});
