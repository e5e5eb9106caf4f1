import { DurableObject } from 'cloudflare:workers';
import { dbFor } from '../db/client';
import { bindingOf, sessionDatabaseNames } from '../db/session-databases';
import { describeCause, log } from '../log';
import { copyDisables } from './copy-disables';
import { clampMarks, DEFAULT_SCAN_EVERY_MS, initialMarks, type ScanMarks, scanRevocations } from './d1-scan';
import type { RevocationEntries, RevocationPage } from './types';

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
    this.sql.exec('CREATE INDEX IF NOT EXISTS revocations_subject ON revocations (kind, subject, value)');
  }

  /** Where the next D1 scan starts (kept in memory: after a restart, a scan over the retention re-finds it all). */
  private marks: ScanMarks | undefined;
  private scannedAt = 0;
  private scanning: Promise<void> | undefined;

  /** Records revocations (and prunes what is older than `retention` seconds); answers the new cursor. */
  record(entries: RevocationEntries, retention: number): number {
    const now = Date.now();
    this.sql.exec('DELETE FROM revocations WHERE recorded_at < ?', now - retention * 1000);
    const at = Math.floor(now / 1000);
    // An entry the feed already holds (the Worker recorded it, then the D1 scan found it) is not repeated.
    for (const id of entries.sessions ?? []) {
      this.sql.exec(
        `INSERT INTO revocations (kind, subject, value, recorded_at) SELECT 's', ?1, ?2, ?3
         WHERE NOT EXISTS (SELECT 1 FROM revocations WHERE kind = 's' AND subject = ?1)`,
        String(id),
        at,
        now,
      );
    }
    for (const user of entries.users ?? []) {
      this.sql.exec(
        `INSERT INTO revocations (kind, subject, value, recorded_at) SELECT 'u', ?1, ?2, ?3
         WHERE NOT EXISTS (SELECT 1 FROM revocations WHERE kind = 'u' AND subject = ?1 AND value >= ?2)`,
        String(user.id),
        Math.floor(user.before),
        now,
      );
    }
    return this.head();
  }

  /** Disables already written onto the users' copies (id -> disabled_at ms): each read re-finds the last minute's. */
  private readonly copied = new Map<string, number>();

  /** copyDisables for the disables this feed has not copied yet; a failure is logged, and retried at the next read. */
  private async copyNewDisables(disabled: ReadonlyArray<{ id: string; at: Date }>, now: number, retention: number) {
    for (const [id, at] of this.copied) if (at < now - retention * 1000) this.copied.delete(id);
    const fresh = disabled.filter(({ id, at }) => this.copied.get(id) !== at.getTime());
    if (fresh.length === 0) return;
    try {
      await copyDisables(this.env, fresh);
      for (const { id, at } of fresh) this.copied.set(id, at.getTime());
    } catch (cause) {
      log('warn', "revocation feed: writing a disable onto the user's session-database copy failed; retried", {
        cause: describeCause(cause),
        users: fresh.length,
      });
    }
  }

  /**
   * Brings in what D1 says was revoked since the last scan (src/revocation/d1-scan.ts):
   * revocations written outside the Worker (`npm run admin`, SQL) reach the
   * feed this way. At most one scan per `scanEveryMs`, whatever the number of
   * isolates polling; concurrent polls share one. A D1 failure is logged and
   * the feed answers with what it holds.
   */
  private scanIfDue(retention: number, scanEveryMs: number): Promise<void> | undefined {
    if (this.scanning) return this.scanning;
    const now = Date.now();
    if (now - this.scannedAt < scanEveryMs || !this.env.DB) return undefined;
    this.scannedAt = now;
    this.scanning = Promise.resolve()
      .then(() => {
        const databases = sessionDatabaseNames(this.env).map((name) => ({
          name,
          db: dbFor(bindingOf(this.env, name)),
        }));
        const names = databases.map((d) => d.name);
        const marks = this.marks ? clampMarks(this.marks, names, now, retention) : initialMarks(names, now, retention);
        return scanRevocations(databases, marks, now);
      })
      .then(async ({ entries, disabled, next }) => {
        this.record(entries, retention);
        this.marks = next;
        await this.copyNewDisables(disabled, now, retention);
      })
      .catch((cause) => {
        log('warn', 'revocation feed: reading D1 for revocations failed; the feed serves what it holds', {
          cause: describeCause(cause),
        });
      })
      .finally(() => {
        this.scanning = undefined;
      });
    return this.scanning;
  }

  /**
   * The entries after `cursor` recorded in the last `retention` seconds, after
   * a D1 scan when the last one is `scanEveryMs` old or more. A cursor ahead of
   * the feed (another feed's, or made up) starts over from 0.
   */
  async since(cursor: number, retention: number, scanEveryMs = DEFAULT_SCAN_EVERY_MS): Promise<RevocationPage> {
    await this.scanIfDue(retention, scanEveryMs);
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
