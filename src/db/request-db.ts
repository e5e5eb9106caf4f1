import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env';
import { bookmarkCookieName, bookmarkCookieOptions, parseBookmark } from './bookmark';
import { createDb, type Db } from './client';

/**
 * What a route needs of D1:
 * - `primary`: it writes, or reads what must be the newest (sign-in, sign-out,
 *   revocations, account deletion): the session starts `first-primary`, and
 *   the response carries the bookmark cookie (db/bookmark) after it.
 * - `replica`: it reads (the refresh SELECT, GET /api/sessions, the export):
 *   the session starts at the browser's bookmark cookie when it sent one (so it
 *   sees its own writes), else `first-unconstrained` (any replica). A write
 *   later in the same session (a slide) still goes to the primary, and what the
 *   session reads after it sees it (D1 sessions are sequentially consistent).
 */
export type Consistency = 'primary' | 'replica';

/** The request's D1 session and its drizzle client, opened on first use. */
export interface RequestD1 {
  session: D1DatabaseSession;
  db: Db;
  /** A `primary` caller used it: the response gets the bookmark cookie. */
  primary: boolean;
}

/**
 * The request's drizzle client over one D1 session of `env.DB`
 * (`withSession`), so turning on read replication needs no code change. Made
 * on the first call, never before: a request that does not touch D1 (a fresh
 * token) constructs nothing and reads no cookie. The first caller's
 * consistency picks the session's start; a later `primary` caller marks it for
 * the bookmark cookie.
 *
 * @example await listActiveSessions(requestDb(c, 'replica'), sub, now)
 */
export function requestDb<E extends AppEnv>(c: Context<E>, consistency: Consistency): Db {
  const open = c.get('d1');
  if (open) {
    if (consistency === 'primary') open.primary = true;
    return open.db;
  }
  const constraint =
    consistency === 'primary'
      ? 'first-primary'
      : (parseBookmark(getCookie(c, bookmarkCookieName(c.var.config.secureCookies))) ?? 'first-unconstrained');
  const session = c.env.DB.withSession(constraint);
  const d1: RequestD1 = { session, db: createDb(session), primary: consistency === 'primary' };
  c.set('d1', d1);
  return d1.db;
}

/**
 * After a request that used D1 as `primary`: sets the bookmark cookie to the
 * session's bookmark (the newest write it made or saw), for the browser's next
 * reads. Nothing for a request that did not.
 */
export function setBookmarkCookie<E extends AppEnv>(c: Context<E>): void {
  const open = c.get('d1');
  if (!open?.primary) return;
  const bookmark = open.session.getBookmark();
  if (bookmark === null) return;
  const { secureCookies } = c.var.config;
  setCookie(c, bookmarkCookieName(secureCookies), bookmark, bookmarkCookieOptions(secureCookies));
}
