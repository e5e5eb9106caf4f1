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

  it('GET /auth/signin/google: 405 with Allow: POST', async () => {
    const res = await api('/auth/signin/google');
    expect(res.headers.get('allow')).toBe('POST');
    expect((await json(res)).body.error.code).toBe('method_not_allowed');
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

  it('the sign-in page renders with a Google button', async () => {
    const res = await api('/auth/signin');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Sign in with Google');
  });

  it('the API root sends browsers to APP_URL', async () => {
    const res = await api('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(APP_URL);
  });
});
