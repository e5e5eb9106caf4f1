import { asc, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authEvents, sessions, users } from '../db/schema';
import type { RevocationEntries } from './feed';

/** Rows read per kind per scan at most; a scan that reaches it goes on from the last row next time. */
export const SCAN_LIMIT = 2000;
/**
 * Each scan reads again this far back before where the last one stopped: a row
 * written with an earlier clock (a request that took its time between `now` and
 * its D1 write, or `npm run admin` on a machine whose clock is behind) is still
 * found. Re-read rows are recorded once (the feed dedupes them).
 */
export const SCAN_OVERLAP_MS = 60_000;

/** Where each kind of scan starts next time (ms since the epoch, D1 timestamps). */
export interface ScanMarks {
  sessions: number;
  disabled: number;
  deleted: number;
}

export interface ScanResult {
  entries: Required<RevocationEntries>;
  /** The marks to start the next scan from. */
  next: ScanMarks;
}

/** The account-deletion audit kinds the partial index `auth_events_deletions` covers (verbatim: SQLite matches it). */
const DELETIONS = sql`${authEvents.kind} IN ('account_deleted', 'admin_user_deleted')`;

/**
 * A token of a user disabled or deleted at `atMs` has `iat` <= that second:
 * refusing every `iat` before the next second covers it (no token is signed for
 * them after it: the refresh and the sign-in read D1).
 */
function userBefore(atMs: number): number {
  return Math.floor(atMs / 1000) + 1;
}

/** The scan's three reads, each an indexed range on a partial index (test/revocation-d1-scan.test.ts checks the plans). */
export function scanQueries(db: Db, marks: ScanMarks) {
  return [
    db
      .select({ id: sessions.id, at: sessions.revokedAt })
      .from(sessions)
      .where(gte(sessions.revokedAt, new Date(marks.sessions)))
      .orderBy(asc(sessions.revokedAt))
      .limit(SCAN_LIMIT),
    db
      .select({ id: users.id, at: users.disabledAt })
      .from(users)
      .where(gte(users.disabledAt, new Date(marks.disabled)))
      .orderBy(asc(users.disabledAt))
      .limit(SCAN_LIMIT),
    db
      .select({ id: authEvents.userId, at: authEvents.createdAt })
      .from(authEvents)
      .where(sql`${DELETIONS} AND ${authEvents.createdAt} >= ${marks.deleted}`)
      .orderBy(asc(authEvents.createdAt))
      .limit(SCAN_LIMIT),
  ] as const;
}

/**
 * Reads what D1 says was revoked since the marks, in one round trip (three
 * indexed range reads in a batch, on partial indexes that hold only revoked
 * sessions, disabled users and deletion audit rows): sessions with
 * `revoked_at`, users with `disabled_at`, and users deleted (their rows are
 * gone; the audit row stays). This is how revocations written outside the
 * Worker — `npm run admin`, SQL in the dashboard, another deployment — reach
 * the feed; the Worker's own are recorded directly, in the request.
 */
export async function scanRevocations(db: Db, marks: ScanMarks, startedAt: number): Promise<ScanResult> {
  const [revoked, disabled, deleted] = await db.batch(scanQueries(db, marks));
  const resume = startedAt - SCAN_OVERLAP_MS;
  const nextMark = (rows: ReadonlyArray<{ at: Date | null }>, from: number) =>
    rows.length === SCAN_LIMIT ? Math.max(from, rows.at(-1)?.at?.getTime() ?? from) : Math.max(from, resume);
  const entries: Required<RevocationEntries> = {
    sessions: revoked.map((row) => row.id),
    users: [...disabled, ...deleted]
      .filter((row): row is { id: string; at: Date } => row.id !== null && row.at !== null)
      .map((row) => ({ id: row.id, before: userBefore(row.at.getTime()) })),
  };
  return {
    entries,
    next: {
      sessions: nextMark(revoked, marks.sessions),
      disabled: nextMark(disabled, marks.disabled),
      deleted: nextMark(deleted, marks.deleted),
    },
  };
}

/** Marks for a feed that never scanned: everything a live token could still be refused for. */
export function initialMarks(now: number, retentionSeconds: number): ScanMarks {
  const from = now - retentionSeconds * 1000;
  return { sessions: from, disabled: from, deleted: from };
}

/** Marks never older than the retention: what is older cannot refuse a live token. */
export function clampMarks(marks: ScanMarks, now: number, retentionSeconds: number): ScanMarks {
  const floor = now - retentionSeconds * 1000;
  return {
    sessions: Math.max(marks.sessions, floor),
    disabled: Math.max(marks.disabled, floor),
    deleted: Math.max(marks.deleted, floor),
  };
}
