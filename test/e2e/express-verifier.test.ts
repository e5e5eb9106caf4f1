import type { Server } from 'node:http';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import { type RunningSitewide, startLocalhostSitewide } from './harness';
import { apiFetchFor, listenExpressSibling } from './http';

// The README's "Verify Sitewide tokens in your backend", proven: a real Sitewide
// under wrangler dev, a real sign-in, and the Express example (@sitewide/verify/express)
// verifying its tokens. The example configures no cookie name: the kit reads it from
// /.well-known/sitewide.json (`sitewide.session` on this http Sitewide).

const AUDIENCE = 'https://billing.example.test';
const COOKIE = 'sitewide.session';
let sitewide: RunningSitewide;
let backend: Server;
let backendUrl: string;
let jar: CookieJar;
let api: ApiFetch;

beforeAll(async () => {
  const started = await startLocalhostSitewide(AUDIENCE);
  sitewide = started.sitewide;
  const { origin } = started;
  api = apiFetchFor(origin);
  ({ jar } = await signInFlow(
    api,
    origin,
    { sub: 'express-user', email: 'express@example.test' },
    { callbackUrl: '/api/me' },
  ));
  ({ server: backend, url: backendUrl } = await listenExpressSibling(origin, AUDIENCE));
});

afterAll(async () => {
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
  await sitewide?.stop();
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
