import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { GoogleIdentity } from '../../scripts/google-identity';
import { createApp } from '../../src/app';
import type { CookieJar } from './cookies';
import { type ApiFetch, type SignInResult, type StartedSignIn, signInFlow, startSignInFlow } from './sign-in-flow';
import { API } from './worker';

/**
 * The Worker under test with some vars changed (an admission policy,
 * APP_ACCESS), on the same D1 and OIDC server. One env object per call, so
 * its config is parsed once (config is cached per env object).
 */
export function apiWith(vars: Partial<Record<keyof Env, string>>): ApiFetch {
  const app = createApp();
  const changed = { ...env, ...vars } as Env;
  return async (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.jar?.size) headers.set('cookie', init.jar.header());
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(new URL(path, API), { ...init, headers, redirect: 'manual' }),
      changed,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** The full sign-in against `apiFetch` (see signInFlow). */
export function signInTo(
  apiFetch: ApiFetch,
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  return signInFlow(apiFetch, API, identity, options);
}

/** Where a callback response sends the browser, as path + query for the API, or the absolute URL. */
export function locationOf(res: Response): URL {
  return new URL(res.headers.get('location') ?? '', API);
}

/** A sign-in against `apiFetch` up to its callback, which `finish()` sends (see startSignInFlow). */
export function startSignInTo(
  apiFetch: ApiFetch,
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; jar?: CookieJar } = {},
): Promise<StartedSignIn> {
  return startSignInFlow(apiFetch, API, identity, options);
}
