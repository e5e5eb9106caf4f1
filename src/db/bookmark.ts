import type { CookieOptions } from 'hono/utils/cookie';

/**
 * The D1 bookmark cookie: after a request that wrote to D1, the browser gets
 * the bookmark of that write (D1 Sessions API, `getBookmark()`) for each
 * database written (`DB`, or a session database of SESSION_DBS), and its next
 * requests open their D1 session of that database at that bookmark, so a read
 * replica that has not caught up with the write is never read
 * (read-after-write for one browser). Host-only on the API host; short-lived:
 * replica lag is far below it.
 *
 * Value: `NAME.bookmark` entries joined by `~` (cookie-octets, RFC 6265 §4.1.1,
 * that hono's setCookie does not percent-encode), e.g.
 * `DB.00000000-00000008-00000000-000…0`.
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
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_ENTRIES = 8;

/**
 * The bookmarks a cookie value carries, by database name. Anything that is
 * not one (forged, truncated) is dropped rather than handed to D1, which
 * would fail the request.
 */
export function parseBookmarks(value: string | undefined): Map<string, string> {
  const bookmarks = new Map<string, string>();
  if (!value) return bookmarks;
  for (const entry of value.split('~').slice(0, MAX_ENTRIES)) {
    const dot = entry.indexOf('.');
    const name = entry.slice(0, dot);
    const bookmark = entry.slice(dot + 1);
    if (dot > 0 && NAME.test(name) && BOOKMARK.test(bookmark)) bookmarks.set(name, bookmark);
  }
  return bookmarks;
}

/** The cookie value of these bookmarks (parseBookmarks' inverse). */
export function formatBookmarks(bookmarks: Iterable<[name: string, bookmark: string]>): string {
  return [...bookmarks].map(([name, bookmark]) => `${name}.${bookmark}`).join('~');
}
