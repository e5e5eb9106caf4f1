import type { AuthConfig } from '@auth/core';
import { serialize } from 'hono/utils/cookie';
import type { Config } from '../config/config';

/** The cookies Auth.js keeps on the API host for the length of one sign-in or sign-out. */
export type FlowCookie = 'csrfToken' | 'callbackUrl' | 'pkceCodeVerifier' | 'state' | 'nonce';

const BASENAMES: Record<FlowCookie, string> = {
  csrfToken: 'authjs.csrf-token',
  callbackUrl: 'authjs.callback-url',
  pkceCodeVerifier: 'authjs.pkce.code_verifier',
  state: 'authjs.state',
  nonce: 'authjs.nonce',
};

/** Auth.js's lifetimes for the sign-in checks (15 minutes); CSRF and callback URL last the browser session. */
const CHECK_MAX_AGE = 15 * 60;

/**
 * Names of the flow cookies: `__Host-` on https, which a browser accepts only
 * from this very host, with `Secure`, `Path=/` and no `Domain` (RFC 6265bis
 * §4.1.3.2), so a sibling subdomain cannot plant its own state, PKCE verifier,
 * nonce or callback URL into a victim's sign-in. Auth.js's defaults are
 * `__Secure-`, which any host under the parent domain can set. Plain-http
 * localhost has no prefixes (browsers refuse them without https).
 */
export function flowCookieNames(config: Config): Record<FlowCookie, string> {
  const prefix = config.secureCookies ? '__Host-' : '';
  return Object.fromEntries(Object.entries(BASENAMES).map(([key, base]) => [key, `${prefix}${base}`])) as Record<
    FlowCookie,
    string
  >;
}

function flowCookieOptions(config: Config, key: FlowCookie) {
  const checks = key === 'pkceCodeVerifier' || key === 'state' || key === 'nonce';
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: config.secureCookies,
    ...(checks ? { maxAge: CHECK_MAX_AGE } : {}),
  };
}

/** The `cookies` option of Auth.js for the flow cookies (the session cookie is ours, never Auth.js's). */
export function authJsFlowCookies(config: Config): NonNullable<AuthConfig['cookies']> {
  const names = flowCookieNames(config);
  const entries = (Object.keys(names) as FlowCookie[]).map((key) => [
    key,
    { name: names[key], options: flowCookieOptions(config, key) },
  ]);
  return Object.fromEntries(entries);
}

/** A Set-Cookie that deletes a flow cookie this host set (host-only, `Path=/`). */
export function flowCookieClear(config: Config, name: string): string {
  return serialize(name, '', { path: '/', httpOnly: true, secure: config.secureCookies, sameSite: 'Lax', maxAge: 0 });
}
