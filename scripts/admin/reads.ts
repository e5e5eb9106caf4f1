/** The reads of `npm run admin` (users list, users show, invites list), built with drizzle (statements.ts). */
import { and, count, desc, eq, exists, getTableColumns, gt, inArray, isNotNull, isNull, ne } from 'drizzle-orm';
import type { AuthEvent, Session, User } from '../../src/db/schema.ts';
import { accounts, authEvents, invitations, sessions, userRoles, users } from '../../src/db/schema.ts';
import { recentEvents } from './audit.ts';
import { type Lookup, readLookup, selectUsers, targetId } from './lookup.ts';
import type { Batch } from './rows.ts';
import { batchOf, build } from './statements.ts';
import { OPERATOR, type Role, type UserRef } from './values.ts';

/** The user ids of one user (a lookup's targetId) or of the ones given. */
type UserIds = ReturnType<typeof targetId> | string[];

/** A session is live while unrevoked and unexpired. */
export const live = (now: number) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date(now)));

/** The live sessions of these users in one database (DB, or a session database), last seen first. */
export function liveSessions(userIds: UserIds, now: number) {
  return build
    .select()
    .from(sessions)
    .where(and(inArray(sessions.userId, userIds), live(now)))
    .orderBy(desc(sessions.lastSeenAt));
}

/** Live sessions per user in one database, for `users list` with SESSION_DBS. */
export function liveSessionCounts(now: number) {
  return build.select({ userId: sessions.userId, n: count() }).from(sessions).where(live(now)).groupBy(sessions.userId);
}

export type UserListRow = User & { liveSessions: number; roles: string[] };

export function listUsers(filter: { role?: Role; disabled?: boolean }, now: number): Batch<UserListRow[]> {
  const hasRole = (role: Role) =>
    exists(
      build
        .select({ role: userRoles.role })
        .from(userRoles)
        .where(and(eq(userRoles.userId, users.id), eq(userRoles.role, role))),
    );
  const listed = build
    .select({
      ...getTableColumns(users),
      liveSessions: build.$count(sessions, and(eq(sessions.userId, users.id), live(now))),
    })
    .from(users)
    .where(
      and(filter.role ? hasRole(filter.role) : undefined, filter.disabled ? isNotNull(users.disabledAt) : undefined),
    )
    .orderBy(users.createdAt, users.id);
  const roles = build
    .selectDistinct({ userId: userRoles.userId, role: userRoles.role })
    .from(userRoles)
    .orderBy(userRoles.userId, userRoles.role);
  return batchOf([listed, roles], ([rows, held]) =>
    rows.map((row) => ({ ...row, roles: held.filter((r) => r.userId === row.id).map((r) => r.role) })),
  );
}

export interface UserDetails {
  lookup: Lookup;
  accounts: Array<typeof accounts.$inferSelect>;
  roles: Array<typeof userRoles.$inferSelect>;
  sessions: Session[];
  events: AuthEvent[];
}

/** The user, their accounts, roles, live sessions and last `eventLimit` audit events, in one batch. */
export function showUser(ref: UserRef, now: number, eventLimit = 20): Batch<UserDetails> {
  const id = targetId(ref);
  return batchOf(
    [
      selectUsers(ref),
      build.select().from(accounts).where(inArray(accounts.userId, id)).orderBy(accounts.createdAt, accounts.provider),
      build.select().from(userRoles).where(inArray(userRoles.userId, id)).orderBy(userRoles.role, userRoles.source),
      liveSessions(id, now),
      recentEvents(inArray(authEvents.userId, id), eventLimit),
    ],
    ([found, accounts, roles, sessions, events]) => ({ lookup: readLookup(found), accounts, roles, sessions, events }),
  );
}

export type Invitation = typeof invitations.$inferSelect;

export function listInvites(): Batch<Invitation[]> {
  return batchOf(
    [build.select().from(invitations).orderBy(invitations.invitedAt, invitations.email)],
    ([rows]) => rows,
  );
}

/** The Google groups (sources `group:…`, GROUP_ROLES) that still give the user this role. */
export function groupSources(userId: string, role: Role): Batch<string[]> {
  return batchOf(
    [
      build
        .select({ source: userRoles.source })
        .from(userRoles)
        .where(and(eq(userRoles.userId, userId), eq(userRoles.role, role), ne(userRoles.source, OPERATOR)))
        .orderBy(userRoles.source),
    ],
    ([rows]) => rows.map((row) => row.source),
  );
}
