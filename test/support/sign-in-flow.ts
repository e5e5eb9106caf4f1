import { expect } from 'vitest';
import type { GoogleIdentity } from '../../scripts/google-identity';
import { CookieJar } from './cookies';
import { APP_ORIGIN, FORM } from './http';

/** Sends a request to Sitewide (in-process in workerd, or over loopback to wrangler dev). */
export type ApiFetch = (path: string, init?: RequestInit & { jar?: CookieJar }) => Promise<Response>;

export interface SignInResult {
  jar: CookieJar;
  /** The callback response that set the session cookie. */
  callback: Response;
  /** The authorization URL Auth.js sent the browser to. */
  authorizeUrl: URL;
}

/** A sign-in that has been to the provider and holds its authorization code: `finish()` runs the callback. */
export interface StartedSignIn {
  jar: CookieJar;
  authorizeUrl: URL;
  finish(): Promise<SignInResult>;
}

/**
 * The whole browser sign-in, step by step, against the real loopback OIDC
 * server: CSRF token, POST /auth/signin/google, the provider's authorize
 * endpoint (PKCE, state, nonce), and the callback back to the API.
 */
export async function signInFlow(
  apiFetch: ApiFetch,
  apiOrigin: string,
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; userAgent?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  return (await startSignInFlow(apiFetch, apiOrigin, identity, options)).finish();
}

/**
 * The sign-in up to the provider's redirect back (CSRF token, POST
 * /auth/signin/google, the authorize endpoint): what is left is the callback,
 * which `finish()` sends. Tests that race sign-ins start several, then finish
 * them together.
 */
export async function startSignInFlow(
  apiFetch: ApiFetch,
  apiOrigin: string,
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; userAgent?: string; jar?: CookieJar } = {},
): Promise<StartedSignIn> {
  const jar = options.jar ?? new CookieJar();
  const ua = { 'user-agent': options.userAgent ?? 'sitewide-test' };

  const csrf = await apiFetch('/auth/csrf', { jar, headers: ua });
  expect(csrf.status).toBe(200);
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const hint = encodeURIComponent(JSON.stringify(identity));
  const start = await apiFetch(`/auth/signin/google?login_hint=${hint}`, {
    method: 'POST',
    jar,
    headers: { ...ua, ...FORM },
    body: new URLSearchParams({ csrfToken, callbackUrl: options.callbackUrl ?? `${APP_ORIGIN}/home` }),
  });
  expect(start.status).toBe(302);
  jar.store(start);
  const authorizeUrl = new URL(start.headers.get('location') ?? '');

  const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const back = new URL(authorize.headers.get('location') ?? '');
  expect(back.origin + back.pathname).toBe(`${apiOrigin}/auth/callback/google`);

  return {
    jar,
    authorizeUrl,
    async finish() {
      const callback = await apiFetch(back.pathname + back.search, { jar, headers: ua });
      jar.store(callback);
      return { jar, callback, authorizeUrl };
    },
  };
}
