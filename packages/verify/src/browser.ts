/**
 * @sitewide/verify/browser: for pages on a sibling subdomain calling their own backend (or
 * Sitewide). No dependencies; safe to bundle.
 */

export interface SitewideFetchOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`. */
  issuer: string;
  /** On `missing_session`/`session_revoked`, send the page to sign-in (default true). */
  redirect?: boolean;
}

/** Where to send a browser to sign in and come back to `back`. */
export function signInUrl(issuer: string, back: string): string {
  return `${issuer.replace(/\/+$/, '')}/auth/signin/google?callbackUrl=${encodeURIComponent(back)}`;
}

const SIGN_IN_AGAIN = new Set(['missing_session', 'session_revoked', 'session_expired', 'user_not_found']);

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
 * fetch with `credentials: 'include'`. On `401 session_expired` it renews the session cookie once at
 * `POST ${issuer}/auth/refresh` and retries; when the session is gone (`missing_session`,
 * `session_revoked`, or the renewal refused) it sends the page to sign-in unless `redirect: false`.
 * Either way it resolves with the last response.
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
    const renewed = await fetch(`${issuer}/auth/refresh`, { method: 'POST', credentials: 'include' }).catch(
      () => undefined,
    );
    if (renewed?.ok) {
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
