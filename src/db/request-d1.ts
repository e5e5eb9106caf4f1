import { createDb, type Db } from './client';
import { sessionDbNameOf } from './shard-of';

/**
 * What a caller needs of D1:
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

/**
 * One request's D1: a drizzle client over one D1 session (`withSession`) per
 * database, so turning on read replication needs no code change. Knows no
 * HTTP: the request's bindings, its SESSION_DBS list and the bookmarks the
 * browser sent (read only when a replica session first needs them) are handed
 * in; the bookmarks to send back come out of `writtenBookmarks()`.
 * src/middleware/request-db.ts makes one on a request's first use of D1.
 */
export class RequestD1 {
  private readonly open = new Map<string, OpenSession>();

  constructor(
    private readonly bindingOf: (name: string) => D1Database,
    private readonly sessionDbs: readonly string[],
    private readonly bookmarksSent: () => ReadonlyMap<string, string>,
  ) {}

  /**
   * The client of `DB` (users, accounts, roles, invitations), or with `userId`
   * of the database that holds that user's sessions (SESSION_DBS; `DB` when
   * unset). The first caller's consistency picks where the session starts; a
   * later `primary` caller marks it for the bookmark.
   */
  db(consistency: Consistency, userId?: string): Db {
    const name = userId === undefined ? 'DB' : sessionDbNameOf(this.sessionDbs, userId);
    const open = this.open.get(name);
    if (open) {
      if (consistency === 'primary') open.primary = true;
      return open.db;
    }
    const bookmark = consistency === 'replica' ? this.bookmarksSent().get(name) : undefined;
    const session = this.bindingOf(name).withSession(
      consistency === 'primary' ? 'first-primary' : (bookmark ?? 'first-unconstrained'),
    );
    this.open.set(name, { session, db: createDb(session), primary: consistency === 'primary' });
    return this.db(consistency, userId);
  }

  /** The bookmarks of the databases a `primary` caller used (the newest write each session made or saw). */
  writtenBookmarks(): Array<[string, string]> {
    const written: Array<[string, string]> = [];
    for (const [name, open] of this.open) {
      const bookmark = open.primary ? open.session.getBookmark() : null;
      if (bookmark !== null) written.push([name, bookmark]);
    }
    return written;
  }
}
