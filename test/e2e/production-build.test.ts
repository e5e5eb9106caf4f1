import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import { freePort, type RunningSitewide, startSitewide } from './harness';

// What the production bundle has and the vitest plugin does not: wrangler.toml's [alias] (Auth.js's
// preact pages replaced by a stub that throws, src/bundle/no-authjs-pages.ts). `wrangler dev` builds
// with it, so every Auth.js path here runs without preact: a sign-in, the redirects that replace its
// pages, sign-out.

let sitewide: RunningSitewide;
let api: ApiFetch;
let origin: string;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://localhost:${port}`;
  sitewide = await startSitewide({
    authUrl: origin,
    vars: { APP_URL: `${origin}/api/me`, COOKIE_DOMAIN: 'localhost', ALLOWED_ORIGINS: origin },
  });
  api = (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.jar?.size) headers.set('cookie', init.jar.header());
    return fetch(new URL(path, origin), { ...init, headers, redirect: 'manual' });
  };
});

afterAll(async () => {
  await sitewide?.stop();
});

describe('Auth.js under wrangler dev, with its pages aliased away (the production build path)', () => {
  it('a whole sign-in (CSRF, PKCE, state and nonce cookies, callback), /api/me, then sign-out', async () => {
    const { jar } = await signInFlow(api, origin, { sub: 'alias-user', email: 'alias@example.test' });
    const me = await api('/api/me', { jar });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email?: string }).email).toBe('alias@example.test');

    const csrf = await api('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const out = await api('/auth/signout', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${origin}/api/me` }),
    });
    expect(out.status).toBe(302);
    jar.store(out);
    expect((await api('/api/me', { jar })).status).toBe(401);
  });

  it('GET /auth/signout: 405 JSON; GET /auth/signin/ and a forged sign-in POST: redirects, never a page', async () => {
    const signout = await api('/auth/signout');
    expect(signout.status).toBe(405);
    expect(((await signout.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');

    const list = await api('/auth/signin/');
    expect(list.status).toBe(302);
    expect(list.headers.get('location')).toBe(`/auth/signin?callbackUrl=${encodeURIComponent(origin)}`);

    const forged = await api('/auth/signin/google', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrfToken=forged',
      jar: new CookieJar(),
    });
    expect(forged.status).toBe(302);
    expect(forged.headers.get('location')).toBe(`${origin}/auth/signin?error=MissingCSRF`);
  });

  it('GET /openapi.json: the built document from the assets, with this deployment origin and cookie name', async () => {
    const res = await api('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const doc = (await res.json()) as {
      servers: Array<{ url: string }>;
      components: { securitySchemes: { sessionCookie: { name: string } } };
      paths: Record<string, unknown>;
    };
    expect(doc.servers.map((s) => s.url)).toEqual([origin]);
    expect(doc.components.securitySchemes.sessionCookie.name).toBe('sitewide.session');
    expect(Object.keys(doc.paths)).toContain('/api/me');
    // run_worker_first: a file of the assets is never served in the Worker's place.
    expect((await api('/openapi.json?x=1', { method: 'POST' })).status).toBe(404);
  });
});
