import type { Server } from 'node:http';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInPageUrl, signInUrl, signOut, signOutUrl, sitewideFetch } from '../src/browser.ts';
import { type RequireSitewideSessionOptions, requireSitewideSession } from '../src/express.ts';
import { type SitewideSessionOptions, type SitewideVariables, sitewideSession } from '../src/hono.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

let fake: FakeSitewide;
beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(() => fake.close());

/** The JSON the test routes answer: what the middleware set, or its error. */
interface Answer {
  sitewide?: { user: { id: string } } | null;
  failure?: string | null;
  error?: { code: string; message: string; hint?: string };
}

const cookie = (token: string) => `${fake.cookieName}=${token}`;
const RENEWED = '__Secure-sitewide.session=renewed; Domain=example.test; Path=/; HttpOnly; Secure; SameSite=Lax';
const refreshes = () => {
  fake.refresh = {
    status: 200,
    body: {
      user: { id: 'user-1', email: 'a@example.test', name: 'A', image: null, roles: [] },
      session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' },
    },
    setCookie: [RENEWED],
  };
};

describe('@sitewide/verify/express', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  async function serve(options: Omit<RequireSitewideSessionOptions, 'issuer'>) {
    const app = express();
    app.get('/x', requireSitewideSession({ issuer: fake.issuer, ...options }), (req, res) => {
      res.json({ sitewide: req.sitewide, failure: req.sitewideFailure?.code ?? null });
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return async (headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}/x`, { headers });
      return {
        status: res.status,
        setCookie: res.headers.getSetCookie(),
        cache: res.headers.get('cache-control'),
        body: (await res.json()) as Answer,
      };
    };
  }

  it('sets req.sitewide; refused requests get Sitewide’s JSON shape and status', async () => {
    const get = await serve({});
    const ok = await get({ cookie: cookie(await fake.sign({ email: 'a@example.test' })) });
    expect(ok).toMatchObject({
      status: 200,
      body: { sitewide: { user: { id: 'user-1', email: 'a@example.test' }, session: { id: 'session-1' } } },
    });
    const missing = await get({ cookie: 'theme=dark' });
    expect(missing).toMatchObject({
      status: 401,
      cache: 'private, no-store',
      body: { error: { code: 'missing_session' } },
    });
    expect(missing.body.error?.hint).toMatch(/outside COOKIE_DOMAIN/);
  });

  it('forwards the renewed Set-Cookie after a refresh', async () => {
    refreshes();
    const get = await serve({});
    const res = await get({ cookie: cookie(await fake.sign({}, { expiresIn: -30 })) });
    expect(res).toMatchObject({ status: 200, setCookie: [RENEWED] });
  });

  it('roles: 403 access_denied without any of them, 200 with one', async () => {
    const get = await serve({ roles: ['admin', 'billing'] });
    expect(await get({ cookie: cookie(await fake.sign({ roles: ['viewer'] })) })).toMatchObject({
      status: 403,
      body: { error: { code: 'access_denied' } },
    });
    expect(await get({ cookie: cookie(await fake.sign()) })).toMatchObject({ status: 403 });
    expect((await get({ cookie: cookie(await fake.sign({ roles: ['billing'] })) })).status).toBe(200);
  });

  it('optional: nobody is req.sitewide = null, with the reason', async () => {
    const get = await serve({ optional: true });
    expect(await get()).toMatchObject({ status: 200, body: { sitewide: null, failure: 'missing_session' } });
    expect((await get({ cookie: cookie(await fake.sign()) })).body.sitewide?.user.id).toBe('user-1');
  });
});

describe('@sitewide/verify/hono', () => {
  function app(options: Omit<SitewideSessionOptions, 'issuer'>) {
    return new Hono<{ Variables: SitewideVariables }>().get(
      '/x',
      sitewideSession({ issuer: fake.issuer, ...options }),
      (c) => c.json({ sitewide: c.var.sitewide, failure: c.var.sitewideFailure?.code ?? null }),
    );
  }

  it('sets c.var.sitewide, refuses with the JSON shape, forwards Set-Cookie', async () => {
    const a = app({});
    const ok = await a.request('/x', { headers: { cookie: cookie(await fake.sign()) } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sitewide: { user: { id: 'user-1' }, via: 'cookie' } });
    const dup = await a.request('/x', { headers: { cookie: `${cookie('a')}; ${cookie('b')}` } });
    expect(dup.status).toBe(401);
    expect(dup.headers.get('cache-control')).toBe('private, no-store');
    expect(await dup.json()).toMatchObject({
      error: { code: 'invalid_session', hint: expect.stringMatching(/tossed/) },
    });
    refreshes();
    const renewed = await a.request('/x', { headers: { cookie: cookie(await fake.sign({}, { expiresIn: -30 })) } });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.getSetCookie()).toEqual([RENEWED]);
  });

  it('roles and optional', async () => {
    const admin = app({ roles: ['admin'] });
    expect((await admin.request('/x', { headers: { cookie: cookie(await fake.sign()) } })).status).toBe(403);
    const optional = app({ optional: true });
    const anon = await optional.request('/x');
    expect(await anon.json()).toEqual({ sitewide: null, failure: 'missing_session' });
  });

  it('bearer for the audience', async () => {
    const a = app({ audience: 'https://billing.example.test' });
    const token = await fake.sign({}, { typ: 'at+jwt', aud: 'https://billing.example.test' });
    const res = await a.request('/x', { headers: { authorization: `Bearer ${token}` } });
    expect(await res.json()).toMatchObject({ sitewide: { via: 'bearer' } });
  });
});

describe('@sitewide/verify/browser', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const problem = (code: string) =>
    new Response(JSON.stringify({ error: { code, message: code } }), {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });

  it('signInUrl', () => {
    expect(signInUrl('https://api.example.test/', 'https://app.example.test/a?b=1')).toBe(
      'https://api.example.test/auth/signin/google?callbackUrl=https%3A%2F%2Fapp.example.test%2Fa%3Fb%3D1',
    );
  });

  it('session_expired: one refresh with credentials, then the retry', async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    const answers = [problem('session_expired'), new Response('{}', { status: 200 }), new Response('ok')];
    vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
      calls.push([String(input), init]);
      return answers.shift();
    });
    const res = await sitewideFetch(
      'https://app.example.test/api/x',
      { method: 'GET' },
      { issuer: 'https://api.example.test' },
    );
    expect(await res.text()).toBe('ok');
    expect(calls.map(([url, init]) => [url, init?.method, init?.credentials])).toEqual([
      ['https://app.example.test/api/x', 'GET', 'include'],
      ['https://api.example.test/auth/refresh', 'POST', 'include'],
      ['https://app.example.test/api/x', 'GET', 'include'],
    ]);
  });

  it('session_revoked: to sign-in, unless redirect: false', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { href: 'https://app.example.test/page', assign });
    vi.stubGlobal('fetch', async () => problem('session_revoked'));
    await sitewideFetch('/api/x', undefined, { issuer: 'https://api.example.test', redirect: false });
    expect(assign).not.toHaveBeenCalled();
    const res = await sitewideFetch('/api/x', undefined, { issuer: 'https://api.example.test' });
    expect(res.status).toBe(401);
    expect(assign).toHaveBeenCalledWith(signInUrl('https://api.example.test', 'https://app.example.test/page'));
  });

  it('signOutUrl, signInPageUrl; signOut navigates to Sitewide’s sign-out page and back', () => {
    expect(signOutUrl('https://api.example.test/', 'https://app.example.test/a?b=1')).toBe(
      'https://api.example.test/auth/signout?callbackUrl=https%3A%2F%2Fapp.example.test%2Fa%3Fb%3D1',
    );
    expect(signInPageUrl('https://api.example.test', 'https://app.example.test/')).toBe(
      'https://api.example.test/auth/signin?callbackUrl=https%3A%2F%2Fapp.example.test%2F',
    );
    const assign = vi.fn();
    vi.stubGlobal('location', { href: 'https://app.example.test/page', assign });
    signOut('https://api.example.test');
    expect(assign).toHaveBeenCalledWith(signOutUrl('https://api.example.test', 'https://app.example.test/page'));
    signOut('https://api.example.test', 'https://app.example.test/bye');
    expect(assign).toHaveBeenLastCalledWith(signOutUrl('https://api.example.test', 'https://app.example.test/bye'));
  });

  it('40 parallel calls finding the session expired: one POST /auth/refresh, then 40 retries', async () => {
    let refreshes = 0;
    let renewed = false;
    vi.stubGlobal('fetch', async (input: string) => {
      if (String(input).endsWith('/auth/refresh')) {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        renewed = true;
        return new Response('{}', { status: 200 });
      }
      return renewed ? new Response('ok') : problem('session_expired');
    });
    const issuer = 'https://parallel.example.test';
    const answers = await Promise.all(Array.from({ length: 40 }, () => sitewideFetch('/api/x', {}, { issuer })));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(refreshes).toBe(1);
    // A straggler that saw the old cookie just after: the recent renewal is reused, no second POST.
    renewed = false;
    const straggler = sitewideFetch('/api/x', {}, { issuer, redirect: false });
    setTimeout(() => {
      renewed = true;
    }, 5);
    await straggler;
    expect(refreshes).toBe(1);
  });
});
