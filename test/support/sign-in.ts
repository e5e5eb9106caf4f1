import { exports } from 'cloudflare:workers';
import type { GoogleIdentity } from '../../scripts/google-identity';
import type { CookieJar } from './cookies';
import { type ApiFetch, type SignInResult, signInFlow } from './sign-in-flow';

export const API = 'https://api.example.test';
export const SESSION_COOKIE = '__Secure-sitewide.session';

/** Sends a request to the Worker under test (in-process, in workerd). */
export const api: ApiFetch = (path, init = {}) => {
  const headers = new Headers(init.headers);
  if (init.jar?.size) headers.set('cookie', init.jar.header());
  return exports.default.fetch(new Request(new URL(path, API), { ...init, headers, redirect: 'manual' }));
};

/** The full sign-in against the Worker under test; see signInFlow. */
export function signIn(
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; userAgent?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  return signInFlow(api, API, identity, options);
}
