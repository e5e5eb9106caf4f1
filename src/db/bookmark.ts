import type { CookieOptions } from 'hono/utils/cookie';

/**
 * The D1 bookmark cookie: after a request that wrote to D1, the browser gets
 * the bookmark of that write (D1 Sessions API, `getBookmark()`), and its next
 * requests open their D1 session at that bookmark, so a read replica that has
 * not caught up with the write is never read (read-after-write for one
 * browser). Host-only on the API host; short-lived: replica lag is seconds.
 */
export const BOOKMARK_COOKIE_MAX_AGE = 60;

/** `__Host-` on https (RFC 6265bis §4.1.3.2: Secure, Path=/, no Domain); plain on http localhost. */
export function bookmarkCookieName(secureCookies: boolean): string {
  return secureCookies ? '__Host-sitewide-d1' : 'sitewide-d1';
}

export function bookmarkCookieOptions(secureCookies: boolean): CookieOptions & { path: '/' } {
  return { path: '/', httpOnly: true, secure: secureCookies, sameSite: 'Lax', maxAge: BOOKMARK_COOKIE_MAX_AGE };
}

// D1's bookmark form: four hex fields, e.g. 0000000a-00000002-00004f5e-<32 hex>.
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/**
 * The bookmark a cookie value carries, or undefined when it is not one:
 * anything else (forged, truncated) is ignored rather than handed to D1,
 * which would fail the request.
 */
export function parseBookmark(value: string | undefined): string | undefined {
  return value !== undefined && BOOKMARK.test(value) ? value : undefined;
}
