/**
 * Where to send a browser: sign-in and sign-out at Sitewide, and back. Plain strings, no
 * dependencies: shared by the browser entry and the server middleware.
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
