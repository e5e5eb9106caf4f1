import { and, eq, exists, gt, isNull, notExists } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authEvents, invitations, sessions, users } from '../db/schema';
import { ONE_ROW } from '../db/select-row';
import { insertAuthEvent } from './auth-events';

/** How recent the sign-in of the session asking must be (its row's `created_at`) to delete the account. */
export const REAUTH_WINDOW_MS = 10 * 60 * 1000;

export type DeleteAccountOutcome =
  | { ok: true }
  | {
      ok: false;
      code: 'user_not_found' | 'user_disabled' | 'session_revoked' | 'session_expired' | 'reauth_required';
    };

/**
 * Deletes a user in one atomic D1 batch, only if the session asking (`sessionId`)
 * is theirs, live, and signed in less than REAUTH_WINDOW_MS ago, and the user is
 * not disabled:
 *
 * 1. reads the state that explains a refusal (before anything changes);
 * 2. deletes the `users` row; D1 enforces foreign keys, so `ON DELETE CASCADE`
 *    removes their `accounts`, `sessions` and `user_roles` rows in the same statement;
 * 3. writes an `account_deleted` audit row, only if step 2 deleted the user;
 * 4. strips personal data (ip, user agent) from every audit row of the user id,
 *    once the user is gone. The rows and their user id stay: the trail survives;
 * 5. deletes the invitation the user accepted (it holds their address): coming
 *    back takes a new invitation, where the site admits by invitation.
 *
 * The route records the user in the revocation feed: other copies of the
 * user's session cookie, and access tokens, are refused within REVOCATION_POLL
 * (at their next refresh, `user_not_found`, if the feed was unreachable).
 */
export async function deleteAccount(
  db: Db,
  input: { userId: string; sessionId: string; now: Date },
  options: { recordDeletion?: boolean } = {},
): Promise<DeleteAccountOutcome> {
  const { userId, sessionId, now } = input;
  const signedInAfter = new Date(now.getTime() - REAUTH_WINDOW_MS);
  const recentSignIn = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.id, sessionId),
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.createdAt, signedInAfter),
      ),
    );
  const userExists = db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  const [[state], deleted] = await db.batch([
    db
      .select({
        userId: users.id,
        disabledAt: users.disabledAt,
        sessionUserId: sessions.userId,
        revokedAt: sessions.revokedAt,
        expiresAt: sessions.expiresAt,
      })
      .from(ONE_ROW)
      .leftJoin(users, eq(users.id, userId))
      .leftJoin(sessions, eq(sessions.id, sessionId)),
    db
      .delete(users)
      .where(and(eq(users.id, userId), isNull(users.disabledAt), exists(recentSignIn)))
      .returning({ id: users.id }),
    // No ip or user agent: the row outlives the user and keeps no personal data either. With
    // SESSION_DBS this runs in the session database and the row is written by deleteDirectoryUser in DB.
    insertAuthEvent(
      db,
      { kind: 'account_deleted', userId, sessionId, now, meta: { ip: null, userAgent: null } },
      { onlyIfPreviousStatementChangedRows: true, skip: options.recordDeletion === false },
    ),
    db
      .update(authEvents)
      .set({ ip: null, userAgent: null })
      .where(and(eq(authEvents.userId, userId), notExists(userExists))),
    db.delete(invitations).where(and(eq(invitations.acceptedBy, userId), notExists(userExists))),
  ]);
  if (deleted.length === 1) return { ok: true };
  if (!state?.userId) return { ok: false, code: 'user_not_found' };
  if (state.disabledAt !== null) return { ok: false, code: 'user_disabled' };
  if (state.sessionUserId !== userId || state.revokedAt !== null) return { ok: false, code: 'session_revoked' };
  if (state.expiresAt !== null && state.expiresAt.getTime() <= now.getTime()) {
    return { ok: false, code: 'session_expired' };
  }
  return { ok: false, code: 'reauth_required' };
}

/**
 * With SESSION_DBS, after deleteAccount ran in the user's session database
 * (on its copy of the user, where its sessions are): the same removal in `DB`,
 * where the user's originals and accounts are, in one batch (steps 2–5 of
 * deleteAccount, without the session checks, which passed).
 */
export async function deleteDirectoryUser(db: Db, input: { userId: string; sessionId: string; now: Date }) {
  const { userId, sessionId, now } = input;
  const userExists = db.select({ id: users.id }).from(users).where(eq(users.id, userId));
  await db.batch([
    db.delete(users).where(eq(users.id, userId)),
    insertAuthEvent(
      db,
      { kind: 'account_deleted', userId, sessionId, now, meta: { ip: null, userAgent: null } },
      { onlyIfPreviousStatementChangedRows: true },
    ),
    db
      .update(authEvents)
      .set({ ip: null, userAgent: null })
      .where(and(eq(authEvents.userId, userId), notExists(userExists))),
    db.delete(invitations).where(and(eq(invitations.acceptedBy, userId), notExists(userExists))),
  ]);
}
