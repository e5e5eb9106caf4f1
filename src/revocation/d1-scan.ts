import { asc, gte, sql } from 'drizzle-orm';
import { clientRevocationEntry, revokedClientsQuery } from '../clients/revocation-scan';
import type { Db } from '../db/client';
import { authEvents, sessions, users } from '../db/schema';
import type { RevocationEntries } from './types';

/** The feed reads D1 for revocations written elsewhere at most this often (whatever the number of pollers). */
export const DEFAULT_SCAN_EVERY_MS = 1000;

/** Rows read per kind per scan at most; a scan that reaches it goes on from the last row next time. */
export const SCAN_LIMIT = 2000;
/**
 * Each scan reads again this far back before where the last one stopped: a row
 * written with an earlier clock (a request that took its time between `now` and
 * its D1 write, or `npm run admin` on a machine whose clock is behind) is still
 * found. Re-read rows are recorded once (the feed dedupes them).
 */
export const SCAN_OVERLAP_MS = 60_000;

/** Where each kind of scan starts next time (ms since the epoch, D1 timestamps); sessions per database. */
export interface ScanMarks {
  sessions: Record<string, number>;
  disabled: number;
  deleted: number;
  /** Service clients revoked or rotated without overlap (src/clients/revocation-scan.ts). */
  clients: number;
}

/** A database to read, by binding name: `DB` first (users, audit rows, and sessions), then the session databases. */
export interface ScannedDatabase {
  name: string;
  db: Db;
}

export interface ScanResult {
  entries: Required<RevocationEntries>;
  /** The disabled users found in `DB`, with when (for their copies in the session databases: copy-disables.ts). */
  disabled: Array<{ id: string; at: Date }>;
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

/** Revoked sessions since `from` in one database: a range on the partial index `sessions_revoked_at`. */
export function revokedSessionsQuery(db: Db, from: number) {
  return db
    .select({ id: sessions.id, at: sessions.revokedAt })
    .from(sessions)
    .where(gte(sessions.revokedAt, new Date(from)))
    .orderBy(asc(sessions.revokedAt))
    .limit(SCAN_LIMIT);
}

/**
 * The scan's four reads of `DB`, each an indexed range on a partial index
 * (test/revocation-d1-scan.test.ts checks the plans): revoked sessions,
 * disabled users, account deletions, revoked service clients.
 */
export function scanQueries(db: Db, marks: Omit<ScanMarks, 'sessions'> & { sessions: number }) {
  return [
    revokedSessionsQuery(db, marks.sessions),
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
    revokedClientsQuery(db, marks.clients, SCAN_LIMIT),
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
export async function scanRevocations(
  databases: readonly ScannedDatabase[],
  marks: ScanMarks,
  startedAt: number,
): Promise<ScanResult> {
  const [main, ...others] = databases;
  if (!main) throw new Error('no database to scan');
  const from = (name: string) => marks.sessions[name] ?? startedAt - SCAN_OVERLAP_MS;
  const [[revoked, disabled, deleted, clients], ...elsewhere] = await Promise.all([
    main.db.batch(
      scanQueries(main.db, {
        sessions: from(main.name),
        disabled: marks.disabled,
        deleted: marks.deleted,
        clients: marks.clients,
      }),
    ),
    ...others.map(({ name, db }) => revokedSessionsQuery(db, from(name)).all()),
  ]);
  const resume = startedAt - SCAN_OVERLAP_MS;
  const nextMark = (rows: ReadonlyArray<{ at: Date | null }>, from: number) =>
    rows.length === SCAN_LIMIT ? Math.max(from, rows.at(-1)?.at?.getTime() ?? from) : Math.max(from, resume);
  const sessionRows = [revoked, ...elsewhere];
  const entries: Required<RevocationEntries> = {
    sessions: sessionRows.flat().map((row) => row.id),
    users: [
      ...[...disabled, ...deleted]
        .filter((row): row is { id: string; at: Date } => row.id !== null && row.at !== null)
        .map((row) => ({ id: row.id, before: userBefore(row.at.getTime()) })),
      ...clients.filter((row): row is { id: string; at: Date } => row.at !== null).map(clientRevocationEntry),
    ],
  };
  const sessionMarks: Record<string, number> = {};
  databases.forEach(({ name }, i) => {
    sessionMarks[name] = nextMark(sessionRows[i] ?? [], from(name));
  });
  return {
    entries,
    disabled: disabled.filter((row): row is { id: string; at: Date } => row.at !== null),
    next: {
      sessions: sessionMarks,
      disabled: nextMark(disabled, marks.disabled),
      deleted: nextMark(deleted, marks.deleted),
      clients: nextMark(clients, marks.clients),
    },
  };
}

/** Marks for a feed that never scanned: everything a live token could still be refused for. */
export function initialMarks(names: readonly string[], now: number, retentionSeconds: number): ScanMarks {
  const from = now - retentionSeconds * 1000;
  return {
    sessions: Object.fromEntries(names.map((name) => [name, from])),
    disabled: from,
    deleted: from,
    clients: from,
  };
}

/** Marks never older than the retention: what is older cannot refuse a live token. */
export function clampMarks(
  marks: ScanMarks,
  names: readonly string[],
  now: number,
  retentionSeconds: number,
): ScanMarks {
  const floor = now - retentionSeconds * 1000;
  return {
    // A database new to the list (SESSION_DBS changed) starts at the floor.
    sessions: Object.fromEntries(names.map((name) => [name, Math.max(marks.sessions[name] ?? floor, floor)])),
    disabled: Math.max(marks.disabled, floor),
    deleted: Math.max(marks.deleted, floor),
    clients: Math.max(marks.clients ?? floor, floor),
  };
}
