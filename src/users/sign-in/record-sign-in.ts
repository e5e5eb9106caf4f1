import { and, asc, eq, exists, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { authEvents, invitations, sessions, userRoles, users } from '../../db/schema';
import { ONE_ROW, PREVIOUS_CHANGED, selectRow } from '../../db/select-row';
import { recordShardedSignIn } from './sharded';
import { insertSessionOfEnabledUser, signInAudit, userUpsert } from './statements';
import type { NewSession, ProviderProfile, SignInResult } from './types';

/**
 * Records a sign-in in one atomic D1 batch (one round trip, no interactive
 * transaction): creates the user and account on first sign-in, refreshes the
 * profile on later ones, refuses a verified address another user holds (one
 * address, one user: users/sign-in/statements), opens a session row unless
 * the user is disabled or refused,
 * writes the audit event, accepts a pending invitation of a verified address
 * (with its own audit row) and reads the user's roles; the profile it stored
 * comes back with them, for the token.
 * The admission policy has been checked before (access/admission).
 * Concurrent first sign-ins of one account yield one user: D1 serialises
 * batches, and the user is only inserted while no account row exists.
 * With `sessionDbOf` (SESSION_DBS set) the session goes to the user's session
 * database instead: users/sign-in/sharded.
 */
export async function recordSignIn(
  db: Db,
  profile: ProviderProfile,
  session: NewSession,
  sessionDbOf?: (userId: string) => Db,
): Promise<SignInResult> {
  if (sessionDbOf) return recordShardedSignIn(db, sessionDbOf, profile, session);
  const at = session.now;
  const upsert = userUpsert(db, profile, at);
  const { ownerOfAccount, ownerHoldsAddress, statements: upsertUser, invitedAddress } = upsert;
  // The audit kind, from whether the batch's session INSERT produced a row (joined below).
  const audit = signInAudit(profile, upsert, sql`${sessions.id} IS NOT NULL`);
  const openedSession = db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, session.id));
  const [, , updated, opened, , accepted, , roleRows] = await db.batch([
    ...upsertUser,
    // A session only for an enabled user whose sign-in was not refused.
    insertSessionOfEnabledUser(db, inArray(users.id, upsert.admittedOwner), session),
    // The audit row: a sign-in, a disabled user's, or one refused for its address.
    db.insert(authEvents).select(
      db
        .select(
          selectRow(authEvents, {
            id: crypto.randomUUID(),
            userId: audit.userId,
            sessionId: sessions.id,
            kind: audit.kind,
            detail: audit.detail,
            createdAt: at,
            ip: session.meta.ip,
            userAgent: session.meta.userAgent,
          }),
        )
        .from(ONE_ROW)
        .leftJoin(sessions, eq(sessions.id, session.id)),
    ),
    // The first admitted sign-in of an invited address accepts its invitation, for this user only.
    db
      .update(invitations)
      .set({ acceptedAt: at, acceptedBy: sql`${ownerOfAccount}` })
      .where(
        and(
          eq(invitations.email, invitedAddress),
          isNull(invitations.acceptedAt),
          exists(openedSession),
          ownerHoldsAddress,
        ),
      )
      .returning({ email: invitations.email }),
    db.insert(authEvents).select(
      db
        .select(
          selectRow(authEvents, {
            id: crypto.randomUUID(),
            userId: ownerOfAccount,
            sessionId: session.id,
            kind: 'invitation_accepted',
            detail: null,
            createdAt: at,
            ip: session.meta.ip,
            userAgent: session.meta.userAgent,
          }),
        )
        .from(ONE_ROW)
        .where(PREVIOUS_CHANGED),
    ),
    // A role held from several sources (npm run admin, a Google group) is one role.
    db
      .selectDistinct({ role: userRoles.role })
      .from(userRoles)
      .where(inArray(userRoles.userId, ownerOfAccount))
      .orderBy(asc(userRoles.role)),
  ]);
  const user = updated[0];
  // No row updated: the address belongs to another user (no user, account or session was written).
  if (!user) return { kind: 'conflict' };
  const userId = user.id;
  if (opened.length !== 1) return { kind: 'disabled', userId };
  return {
    kind: 'signed_in',
    userId,
    roles: roleRows.map((r) => r.role),
    profile: { email: user.email, name: user.name, picture: user.image },
    acceptedInvitation: accepted.length > 0,
  };
}
