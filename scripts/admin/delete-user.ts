/** `users delete`: one D1 batch built with drizzle (statements.ts), with its audit row (audit.ts). */
import { and, eq, getTableColumns, notExists } from 'drizzle-orm';
import { accounts, authEvents, invitations, sessions, type User, userRoles, users } from '../../src/db/schema.ts';
import { ONE_ROW } from '../../src/db/select-row.ts';
import { byField, detailJson, insertAudit } from './audit.ts';
import type { Batch, ChangeContext } from './rows.ts';
import { batchOf, build } from './statements.ts';
import type { Uuid } from './values.ts';

/** How many rows of a user's the delete cascades to (the user id: a value, or the FROM's `users.id`). */
function cascades(userId: string | typeof users.id) {
  return {
    accounts: build.$count(accounts, eq(accounts.userId, userId)),
    sessions: build.$count(sessions, eq(sessions.userId, userId)),
    roles: build.$count(userRoles, eq(userRoles.userId, userId)),
  };
}

type Cascades = { accounts: number; sessions: number; roles: number };

export interface UserDeletion {
  /** The user and how many rows of theirs the delete cascades to, before it. */
  before: (User & Cascades) | null;
  deleted: boolean;
  auditId: string | null;
  /** Their audit events, kept with ip and user agent removed. */
  eventsKept: number;
  /** Rows still naming the user after the delete: all 0 when D1 enforced the foreign keys' ON DELETE CASCADE. */
  left: Cascades;
  /** The invitations the user had accepted, deleted with them (they hold the address), as DELETE /api/me does. */
  invitationsRemoved: number;
}

/**
 * Deletes one user by id (look the id up first: lookupUser). The users row goes;
 * D1 enforces foreign keys, so ON DELETE CASCADE removes their accounts, sessions
 * and user_roles in the same statement. Their auth_events stay (no foreign key),
 * with ip and user agent removed once the user is gone, plus the audit row; the
 * invitation they accepted goes (it holds their address), as with DELETE /api/me.
 */
export function deleteUser(id: Uuid, ctx: ChangeContext): Batch<UserDeletion> {
  const gone = notExists(build.select({ id: users.id }).from(users).where(eq(users.id, id)));
  return batchOf(
    [
      build
        .select({ ...getTableColumns(users), ...cascades(users.id) })
        .from(users)
        .where(eq(users.id, id)),
      build.delete(users).where(eq(users.id, id)).returning({ id: users.id }),
      insertAudit(ctx, {
        kind: 'admin_user_deleted',
        from: 'none',
        userId: id,
        detail: detailJson(byField(ctx.by)),
        where: [gone],
      }),
      build
        .update(authEvents)
        .set({ ip: null, userAgent: null })
        .where(and(eq(authEvents.userId, id), gone))
        .returning({ id: authEvents.id }),
      build.select(cascades(id)).from(ONE_ROW),
      build
        .delete(invitations)
        .where(and(eq(invitations.acceptedBy, id), gone))
        .returning({ email: invitations.email }),
    ],
    ([before, deleted, [audit], scrubbed, [left], invitationsRemoved]) => ({
      before: before[0] ?? null,
      deleted: deleted.length === 1,
      auditId: audit?.id ?? null,
      eventsKept: scrubbed.length,
      left: left ?? { accounts: 0, sessions: 0, roles: 0 },
      invitationsRemoved: invitationsRemoved.length,
    }),
  );
}
