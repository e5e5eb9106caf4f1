import { DurableObject } from 'cloudflare:workers';

/**
 * What one revocation records: session ids (sign-out, revoke, revoke-all) and
 * per-user times (revoke-all, account deletion): a token of that user whose
 * `iat` (seconds) is before `before` is refused.
 */
export interface RevocationEntries {
  sessions?: readonly string[];
  users?: ReadonlyArray<{ id: string; before: number }>;
}

/**
 * The feed since a cursor, as `GET /.well-known/sitewide-revocations` serves
 * it. Times are seconds since the epoch. `cursor` is the value to pass next
 * time; `more` means the page was cut at FEED_PAGE entries: ask again at once.
 */
export interface RevocationPage {
  cursor: number;
  sessions: Array<{ id: string; at: number }>;
  users: Array<{ id: string; before: number }>;
  more: boolean;
  /** Seconds an entry is kept: past it, every token it could refuse has expired. */
  retention: number;
}

/** Entries per page of `since`. */
export const FEED_PAGE = 2000;

type Row = { seq: number; kind: string; subject: string; value: number };

/**
 * The revocation feed: one strongly consistent Durable Object (SQLite storage,
 * `idFromName('global')`) holding the revocations of the last `retention`
 * seconds, each with a monotonic sequence number (AUTOINCREMENT never reuses
 * one, even after pruning). Pruned entries cannot matter: every token they
 * could refuse has expired, and the refresh path reads D1.
 */
export class RevocationFeed extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS revocations (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL,
      subject TEXT NOT NULL,
      value INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL
    )`);
    this.sql.exec('CREATE INDEX IF NOT EXISTS revocations_recorded_at ON revocations (recorded_at)');
  }

  /** Records revocations (and prunes what is older than `retention` seconds); answers the new cursor. */
  record(entries: RevocationEntries, retention: number): number {
    const now = Date.now();
    this.sql.exec('DELETE FROM revocations WHERE recorded_at < ?', now - retention * 1000);
    const at = Math.floor(now / 1000);
    for (const id of entries.sessions ?? []) {
      this.sql.exec(
        "INSERT INTO revocations (kind, subject, value, recorded_at) VALUES ('s', ?, ?, ?)",
        String(id),
        at,
        now,
      );
    }
    for (const user of entries.users ?? []) {
      this.sql.exec(
        "INSERT INTO revocations (kind, subject, value, recorded_at) VALUES ('u', ?, ?, ?)",
        String(user.id),
        Math.floor(user.before),
        now,
      );
    }
    return this.head();
  }

  /**
   * The entries after `cursor` recorded in the last `retention` seconds. A
   * cursor ahead of the feed (another feed's, or made up) starts over from 0.
   */
  since(cursor: number, retention: number): RevocationPage {
    const head = this.head();
    const from = Number.isSafeInteger(cursor) && cursor >= 0 && cursor <= head ? cursor : 0;
    const rows = this.sql
      .exec<Row>(
        'SELECT seq, kind, subject, value FROM revocations WHERE seq > ? AND recorded_at >= ? ORDER BY seq LIMIT ?',
        from,
        Date.now() - retention * 1000,
        FEED_PAGE,
      )
      .toArray();
    const more = rows.length === FEED_PAGE;
    const page: RevocationPage = {
      cursor: more ? (rows.at(-1)?.seq ?? head) : head,
      sessions: [],
      users: [],
      more,
      retention,
    };
    for (const row of rows) {
      if (row.kind === 's') page.sessions.push({ id: row.subject, at: row.value });
      else page.users.push({ id: row.subject, before: row.value });
    }
    return page;
  }

  private head(): number {
    return this.sql.exec<{ seq: number | null }>('SELECT max(seq) AS seq FROM revocations').one().seq ?? 0;
  }
}
