import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env';
import { bookmarkCookieName, bookmarkCookieOptions, formatBookmarks, parseBookmarks } from './bookmark';
import { createDb, type Db } from './client';
import { sessionDbNameOf } from './session-dbs';

/**
 * What a route needs of D1:
 * - `primary`: it writes, or reads what must be the newest (sign-in, sign-out,
 *   revocations, account deletion): the D1 session starts `first-primary`, and
 *   the response carries the bookmark cookie (db/bookmark) after it.
 * - `replica`: it reads (the refresh SELECT, GET /api/sessions, the export):
 *   the D1 session starts at the browser's bookmark for that database when it
 *   sent one (so it sees its own writes), else `first-unconstrained` (any
 *   replica). A write later in the same session (a slide) still goes to the
 *   primary, and what the session reads after it sees it (D1 sessions are
 *   sequentially consistent).
 */
export type Consistency = 'primary' | 'replica';

/** One database's D1 session in this request, and its drizzle client. */
interface OpenSession {
  session: D1DatabaseSession;
  db: Db;
  /** A `primary` caller used it: the response gets its bookmark. */
  primary: boolean;
}

/** The request's D1 sessions by binding name (`DB`, or a SESSION_DBS name), opened on first use. */
export type RequestD1 = Map<string, OpenSession>;

/**
 * The request's drizzle client over one D1 session (`withSession`) of a
 * database, so turning on read replication needs no code change: `DB` (users,
 * accounts, roles, invitations), or with `userId` the database that holds that
 * user's sessions (SESSION_DBS, db/session-dbs; `DB` when unset). Made on the
 * first call, never before: a request that does not touch D1 (a fresh token)
 * constructs nothing and reads no cookie. The first caller's consistency picks
 * where the session starts; a later `primary` caller marks it for the bookmark.
 *
 * @example await listActiveSessions(requestDb(c, 'replica', sub), sub, now)
 */
export function requestDb<E extends AppEnv>(c: Context<E>, consistency: Consistency, userId?: string): Db {
  const name = userId === undefined ? 'DB' : sessionDbNameOf(c.var.config.sessionDbs, userId);
  let sessions = c.get('d1') as RequestD1 | undefined;
  const open = sessions?.get(name);
  if (open) {
    if (consistency === 'primary') open.primary = true;
    return open.db;
  }
  const bookmark =
    consistency === 'replica'
      ? parseBookmarks(getCookie(c, bookmarkCookieName(c.var.config.secureCookies))).get(name)
      : undefined;
  const binding = (c.env as unknown as Record<string, D1Database>)[name] as D1Database;
  const session = binding.withSession(
    consistency === 'primary' ? 'first-primary' : (bookmark ?? 'first-unconstrained'),
  );
  const opened: OpenSession = { session, db: createDb(session), primary: consistency === 'primary' };
  if (!sessions) {
    sessions = new Map();
    c.set('d1', sessions);
  }
  sessions.set(name, opened);
  return opened.db;
}

/**
 * After a request that used D1 as `primary`: sets the bookmark cookie to the
 * bookmarks of the databases it wrote (the newest write each session made or
 * saw), for the browser's next reads. Nothing for a request that did not.
 */
export function setBookmarkCookie<E extends AppEnv>(c: Context<E>): void {
  const sessions = c.get('d1') as RequestD1 | undefined;
  if (!sessions) return;
  const written: Array<[string, string]> = [];
  for (const [name, open] of sessions) {
    const bookmark = open.primary ? open.session.getBookmark() : null;
    if (bookmark !== null) written.push([name, bookmark]);
  }
  if (written.length === 0) return;
  const { secureCookies } = c.var.config;
  setCookie(c, bookmarkCookieName(secureCookies), formatBookmarks(written), bookmarkCookieOptions(secureCookies));
}
