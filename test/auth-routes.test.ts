import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { APP_URL, json } from './support/http';
import { API, api, SESSION_COOKIE } from './support/worker';

describe('/auth edges answer with JSON errors', () => {
  it('an unknown auth action: 404 not_found', async () => {
    expect(await json(await api('/auth/nope'))).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No route for GET /auth/nope' } },
    });
  });

  // Was 405 (POST only) until the one-click start: the sibling kit's issue asked for it; see test/one-click-sign-in.test.ts.
  it('GET /auth/signin/google: 302 to the provider (one click to sign in)', async () => {
    const res = await api('/auth/signin/google');
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') ?? '').origin).toBe(env.AUTH_GOOGLE_ISSUER);
  });

  it('GET /auth/signin/<another provider>: 404 not_found', async () => {
    expect(await json(await api('/auth/signin/github'))).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
  });

  it('a callback with a forged code and no state cookie fails into 400 sign_in_failed', async () => {
    const res = await api('/auth/callback/google?code=forged&state=forged');
    expect(res.status).toBe(302);
    const next = new URL(res.headers.get('location') ?? '');
    expect(next.pathname).toBe('/auth/error');
    const error = await json(await api(next.pathname + next.search));
    expect(error.status).toBe(400);
    expect(error.body.error.code).toBe('sign_in_failed');
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });

  it('/auth/error?error=AccessDenied: 403 access_denied', async () => {
    expect((await json(await api('/auth/error?error=AccessDenied'))).body.error.code).toBe('access_denied');
  });

  it('POST /auth/signin/google without the CSRF token does not start a sign-in', async () => {
    const res = await api('/auth/signin/google', { method: 'POST' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${API}/auth/signin?error=MissingCSRF`);
  });

  it('the sign-in page renders with a "Sign in with Google" button', async () => {
    const res = await api('/auth/signin');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<span>Sign in with Google</span></a>');
  });

  it('the API root sends browsers to APP_URL', async () => {
    const res = await api('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(APP_URL);
  });
});
