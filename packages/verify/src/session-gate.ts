/**
 * What a middleware does with a verification result, whatever the framework: let the request
 * through (with the user, or `null` in optional mode), send a page navigation to Sitewide's
 * sign-in page and back, or refuse with Sitewide's error JSON. The headers every such response
 * carries live here too. Pure: the Express and Hono entries only read the request and write the
 * response.
 */

import { signInPageUrl } from './browser.ts';
import { accessDenied, type SitewideFailure } from './errors.ts';
import { hasAnyRole } from './user.ts';
import type { SitewideContext, SitewideResult } from './verifier.ts';

/** Every response that depended on the session: never stored by a shared cache, nor reused for another cookie. */
export const SESSION_CACHE_CONTROL = 'private, no-store';
export const SESSION_VARY = ['Cookie', 'Authorization'] as const;

export interface GateOptions {
  /** The caller must hold at least one of these roles, else `403 access_denied`. */
  roles?: string[];
  /** Let callers without a (valid) session through with `null`: never a 401 (Sitewide down is still 503). */
  optional?: boolean;
  /**
   * Without a valid session (any 401): `'redirect'` (default) sends a page navigation (GET or HEAD
   * asking for `text/html`) to Sitewide's sign-in page and back, and answers other requests
   * (fetch, XHR, API clients) with the JSON 401; `'json'` answers the JSON 401 to everyone.
   */
  onMissing?: 'redirect' | 'json';
  /**
   * This app's public origin, e.g. `https://app.example.com`, for the sign-in redirect's
   * `callbackUrl`. Without it the origin comes from the request (Express: `req.protocol` and the
   * Host, which honour `trust proxy`; Hono: the request URL). Set it behind a reverse proxy.
   */
  origin?: string;
}

export type GateDecision =
  | { kind: 'next'; sitewide: SitewideContext | null; failure?: SitewideFailure }
  | { kind: 'redirect'; location: string }
  | { kind: 'refuse'; failure: SitewideFailure };

export interface GateRequest {
  method: string;
  accept: string | null | undefined;
  /** `Sec-Fetch-Mode`: `navigate` for a page load in every current browser. */
  fetchMode: string | null | undefined;
  /** The absolute URL the browser asked for (only read for a redirect). */
  url: () => string;
}

/** A page load (not a fetch): GET/HEAD, and `Sec-Fetch-Mode: navigate`, or `Accept: text/html` without that header. */
export function isPageNavigation(request: Pick<GateRequest, 'method' | 'accept' | 'fetchMode'>): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.fetchMode) return request.fetchMode === 'navigate';
  return /\btext\/html\b/i.test(request.accept ?? '');
}

/** Checks the options once (a bad one throws when the middleware is built) and returns the decision function. */
export function sessionGate(issuer: string, options: GateOptions) {
  const onMissing = options.onMissing ?? 'redirect';
  if (onMissing !== 'redirect' && onMissing !== 'json') {
    throw new TypeError(`onMissing must be 'redirect' or 'json', not ${JSON.stringify(options.onMissing)}`);
  }
  const origin = options.origin === undefined ? undefined : publicOrigin(options.origin);
  const roles = options.roles ?? [];

  return function decide(result: SitewideResult, request: GateRequest, path: () => string): GateDecision {
    if (!result.ok) {
      // A refused or absent session is "nobody" in optional mode; Sitewide unreachable is still an error.
      if (options.optional && result.status < 500) return { kind: 'next', sitewide: null, failure: result };
      if (result.status === 401 && onMissing === 'redirect' && isPageNavigation(request)) {
        const back = origin ? `${origin}${path()}` : request.url();
        return { kind: 'redirect', location: signInPageUrl(issuer, back) };
      }
      return { kind: 'refuse', failure: result };
    }
    const { ok: _ok, setCookie: _setCookie, ...sitewide } = result;
    const holder = sitewide.kind === 'client' ? sitewide.client : sitewide.user;
    if (!hasAnyRole(holder, roles)) return { kind: 'refuse', failure: accessDenied(roles) };
    return { kind: 'next', sitewide };
  };
}

function publicOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.replace(/\/$/, '') !== '') {
    throw new TypeError(`origin must be this app's public origin, e.g. https://app.example.com, not ${value}`);
  }
  return url.origin;
}
