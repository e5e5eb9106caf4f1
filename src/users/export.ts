import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  type AuthEvent,
  accounts,
  authEvents,
  invitations,
  type Session,
  sessions,
  type User,
  userRoles,
  users,
} from '../db/schema';

type Account = typeof accounts.$inferSelect;
type UserRole = typeof userRoles.$inferSelect;
type Invitation = typeof invitations.$inferSelect;

/** A row as JSON carries it: its dates as ISO 8601 strings. */
export type JsonRow<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/**
 * Everything Sitewide holds about one user, as `GET /api/me/export` answers it:
 * every column of the `users` row, and every column of each row keyed by the
 * user id (but that id), so a column added to these tables is exported
 * without a change here.
 */
export interface UserDataExport {
  exportedAt: string;
  user: JsonRow<User>;
  /** The identities linked to the user: the provider and its stable subject (Google `sub`). */
  accounts: Array<JsonRow<Omit<Account, 'userId'>>>;
  /** Roles from `user_roles`, with when and by whom (an operator) each was granted. */
  roles: Array<JsonRow<Omit<UserRole, 'userId'>>>;
  /** The operator's invitation this user's first sign-in accepted, if any (`npm run admin -- invites`). */
  invitations: Array<JsonRow<Invitation>>;
  /** Every session, revoked and expired ones included; `current` marks the one that asked. */
  sessions: Array<JsonRow<Omit<Session, 'userId'>> & { current: boolean }>;
  /** The user's audit trail (`auth_events` carrying their user id), oldest first. */
  events: Array<JsonRow<Omit<AuthEvent, 'userId'>>>;
}

/** The row with its dates as ISO 8601 strings. */
function jsonRow<T extends object>(row: T): JsonRow<T> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value]),
  ) as JsonRow<T>;
}

/** The row as JSON, without its `userId` (the export's `user.id` already says whose it is). */
function ownedRow<T extends { userId: unknown }>(row: T): JsonRow<Omit<T, 'userId'>> {
  const { userId: _owner, ...rest } = row;
  return jsonRow(rest);
}

/**
 * Reads everything about `userId` in one D1 round trip (one batch of selects,
 * one snapshot). Undefined when the user no longer exists. With SESSION_DBS,
 * `sessionDb` (the user's session database, which holds its sessions and
 * their events) is read in parallel, and the events of both merged by time.
 */
export async function exportUserData(
  db: Db,
  input: { userId: string; currentSessionId: string; now: Date },
  sessionDb: Db = db,
): Promise<UserDataExport | undefined> {
  const { userId } = input;
  const [[userRows, accountRows, roleRows, invitationRows, sessionRows, eventRows], sharded] = await Promise.all([
    db.batch([
      db.select().from(users).where(eq(users.id, userId)),
      db
        .select()
        .from(accounts)
        .where(eq(accounts.userId, userId))
        .orderBy(asc(accounts.createdAt), asc(accounts.provider)),
      db.select().from(userRoles).where(eq(userRoles.userId, userId)).orderBy(asc(userRoles.role)),
      db.select().from(invitations).where(eq(invitations.acceptedBy, userId)).orderBy(asc(invitations.email)),
      sessionsOf(db, userId),
      eventsOf(db, userId),
    ]),
    sessionDb === db ? undefined : sessionDb.batch([sessionsOf(sessionDb, userId), eventsOf(sessionDb, userId)]),
  ]);
  const user = userRows[0];
  if (!user) return undefined;
  return {
    exportedAt: input.now.toISOString(),
    user: jsonRow(user),
    accounts: accountRows.map(ownedRow),
    roles: roleRows.map(ownedRow),
    invitations: invitationRows.map(jsonRow),
    sessions: (sharded?.[0] ?? sessionRows).map((s) => ({ ...ownedRow(s), current: s.id === input.currentSessionId })),
    events: (sharded ? mergeByTime(eventRows, sharded[1]) : eventRows).map(ownedRow),
  };
}

const sessionsOf = (db: Db, userId: string) =>
  db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(asc(sessions.createdAt), asc(sessions.id));

const eventsOf = (db: Db, userId: string) =>
  db
    .select()
    .from(authEvents)
    .where(eq(authEvents.userId, userId))
    .orderBy(asc(authEvents.createdAt), asc(authEvents.id));

function mergeByTime(a: AuthEvent[], b: AuthEvent[]): AuthEvent[] {
  const order = (x: AuthEvent, y: AuthEvent) =>
    x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  return [...a, ...b].sort(order);
}
