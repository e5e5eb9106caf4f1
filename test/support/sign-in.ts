import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { GoogleIdentity } from '../../scripts/google-identity';
import { CookieJar } from './cookies';

export const API = 'https://api.example.test';
export const SESSION_COOKIE = '__Secure-sitewide.session';

/** Sends a request to the Worker under test (in-process, in workerd). */
export function api(path: string, init: RequestInit & { jar?: CookieJar } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.jar?.size) headers.set('cookie', init.jar.header());
  return exports.default.fetch(new Request(new URL(path, API), { ...init, headers, redirect: 'manual' }));
}

export interface SignInResult {
  jar: CookieJar;
  /** The callback response that set the session cookie. */
  callback: Response;
  /** The authorization URL Auth.js sent the browser to. */
  authorizeUrl: URL;
}

/**
 * The whole browser sign-in, step by step, against the real loopback OIDC
 * server: CSRF token, POST /auth/signin/google, the provider's authorize
 * endpoint (PKCE, state, nonce), and the callback back to the API.
 */
export async function signIn(
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; userAgent?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  const jar = options.jar ?? new CookieJar();
  const ua = { 'user-agent': options.userAgent ?? 'sitewide-test' };

  const csrf = await api('/auth/csrf', { jar, headers: ua });
  expect(csrf.status).toBe(200);
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const hint = encodeURIComponent(JSON.stringify(identity));
  const start = await api(`/auth/signin/google?login_hint=${hint}`, {
    method: 'POST',
    jar,
    headers: { ...ua, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl: options.callbackUrl ?? 'https://app.example.test/home' }),
  });
  expect(start.status).toBe(302);
  jar.store(start);
  const authorizeUrl = new URL(start.headers.get('location') ?? '');

  const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get('location') ?? '');
  expect(back.origin + back.pathname).toBe(`${API}/auth/callback/google`);

  const callback = await api(back.pathname + back.search, { jar, headers: ua });
  jar.store(callback);
  return { jar, callback, authorizeUrl };
}
