import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env';
import { bookmarkCookieName, bookmarkCookieOptions, formatBookmarks, parseBookmarks } from '../db/bookmark';
import type { Db } from '../db/client';
import { type Consistency, RequestD1 } from '../db/request-d1';

/**
 * The request's drizzle client for a database (db/request-d1: one D1 session
 * per database and request). Made on the first call, never before: a request
 * that does not touch D1 (a fresh token) constructs nothing and reads no
 * cookie.
 *
 * @example await listActiveSessions(requestDb(c, 'replica', sub), sub, now)
 */
export function requestDb<E extends AppEnv>(c: Context<E>, consistency: Consistency, userId?: string): Db {
  let d1 = c.get('d1') as RequestD1 | undefined;
  if (!d1) {
    const { config } = c.var;
    const bindings = c.env as unknown as Record<string, D1Database>;
    d1 = new RequestD1(
      (name) => bindings[name] as D1Database,
      config.sessionDbs,
      () => parseBookmarks(getCookie(c, bookmarkCookieName(config.secureCookies))),
    );
    c.set('d1', d1);
  }
  return d1.db(consistency, userId);
}

/**
 * After a request that used D1 as `primary`: sets the bookmark cookie to the
 * bookmarks of the databases it wrote, for the browser's next reads. Nothing
 * for a request that did not.
 */
export function setBookmarkCookie<E extends AppEnv>(c: Context<E>): void {
  const written = (c.get('d1') as RequestD1 | undefined)?.writtenBookmarks();
  if (!written?.length) return;
  const { secureCookies } = c.var.config;
  setCookie(c, bookmarkCookieName(secureCookies), formatBookmarks(written), bookmarkCookieOptions(secureCookies));
}
