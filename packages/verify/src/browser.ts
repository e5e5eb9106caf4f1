/**
 * @sitewide/verify/browser: for pages on a sibling subdomain calling their own backend (or
 * Sitewide), and where to send a browser to sign in and out. One file with no imports and no
 * dependencies: safe to bundle, or to serve as is (`dist/browser.js`). The server entries
 * re-export the URL helpers.
 */

const origin = (issuer: string) => issuer.replace(/\/+$/, '');

/**
 * One click to sign in: `${issuer}/auth/signin/google?callbackUrl=<back>` starts Google's flow at
 * once. For a link the user clicks ("Sign in"). Sitewide keeps `back` only when its origin is the
 * API's or in ALLOWED_ORIGINS (else the user lands on APP_URL).
 */
export function signInUrl(issuer: string, back: string): string {
  return `${origin(issuer)}/auth/signin/google?callbackUrl=${encodeURIComponent(back)}`;
}

/**
 * Sitewide's sign-in page: `${issuer}/auth/signin?callbackUrl=<back>`, the site's name and one
 * "Continue with Google" link (and the last attempt's error). Where the middleware redirects a
 * page navigation without a session: a page in between, so a cookie that never reaches this app
 * (a host outside COOKIE_DOMAIN) cannot loop the browser through Google.
 */
export function signInPageUrl(issuer: string, back: string): string {
  return `${origin(issuer)}/auth/signin?callbackUrl=${encodeURIComponent(back)}`;
}

/** Sitewide's sign-out page, then back: `${issuer}/auth/signout?callbackUrl=<back>`. */
export function signOutUrl(issuer: string, back: string): string {
  return `${origin(issuer)}/auth/signout?callbackUrl=${encodeURIComponent(back)}`;
}

export interface SitewideFetchOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`. */
  issuer: string;
  /** On `missing_session`/`session_revoked`, send the page to sign-in (default true). */
  redirect?: boolean;
}

const SIGN_IN_AGAIN = new Set(['missing_session', 'session_revoked', 'session_expired', 'user_not_found']);
/** A renewal's answer is reused this long by this page's other calls (those sent before the new cookie). */
const RENEWAL_REUSE_MS = 5_000;

/** This page's renewals, one per issuer: pending, or settled within RENEWAL_REUSE_MS. */
const renewals = new Map<string, { renewed: Promise<boolean>; settledAt?: number }>();

/** One `POST ${issuer}/auth/refresh` for all of this page's calls that found the session expired. */
function renewOnce(issuer: string): Promise<boolean> {
  const held = renewals.get(issuer);
  if (held && (held.settledAt === undefined || Date.now() - held.settledAt < RENEWAL_REUSE_MS)) return held.renewed;
  const entry: { renewed: Promise<boolean>; settledAt?: number } = {
    renewed: fetch(`${issuer}/auth/refresh`, { method: 'POST', credentials: 'include' }).then(
      (res) => res.ok,
      () => false,
    ),
  };
  void entry.renewed.then(() => {
    entry.settledAt = Date.now();
  });
  renewals.set(issuer, entry);
  return entry.renewed;
}

async function errorCode(res: Response): Promise<string | undefined> {
  if (res.status !== 401) return undefined;
  try {
    const body = (await res.clone().json()) as { error?: { code?: unknown } };
    return typeof body?.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * fetch with `credentials: 'include'`. On `401 session_expired` it renews the session cookie at
 * `POST ${issuer}/auth/refresh` and retries once; parallel calls share one renewal (and reuse its
 * answer for a few seconds). When the session is gone (`missing_session`, `session_revoked`, or the
 * renewal refused) it sends the page to sign-in unless `redirect: false`. Either way it resolves
 * with the last response.
 *
 * @example
 * const res = await sitewideFetch('/api/orders', {}, { issuer: 'https://api.example.com' });
 */
export async function sitewideFetch(
  input: string | URL | Request,
  init: RequestInit | undefined,
  options: SitewideFetchOptions,
): Promise<Response> {
  const issuer = options.issuer.replace(/\/+$/, '');
  // A Request body can be read once: keep a copy for the retry.
  const retryInput = input instanceof Request ? input.clone() : input;
  let res = await fetch(input, { ...init, credentials: 'include' });
  let code = await errorCode(res);
  if (code === 'session_expired') {
    if (await renewOnce(issuer)) {
      res = await fetch(retryInput, { ...init, credentials: 'include' });
      code = await errorCode(res);
    } else {
      code = 'session_revoked';
    }
  }
  if (code && SIGN_IN_AGAIN.has(code) && options.redirect !== false && typeof location !== 'undefined') {
    location.assign(signInUrl(issuer, location.href));
  }
  return res;
}

/**
 * Signs out at Sitewide (every sibling: the cookie is shared) and comes back to `back` (default:
 * this page): navigates to `signOutUrl(issuer, back)`.
 */
export function signOut(issuer: string, back: string = location.href): void {
  location.assign(signOutUrl(issuer, back));
}
