import { and, asc, desc, eq, exists, gt, isNull, sql } from 'drizzle-orm';
import { type AdmissionPolicy, admit, isOpen, refusalDetail } from '../auth/admission';
import type { Db } from '../db/client';
import { invitations, sessions, userRoles, users } from '../db/schema';
import { ONE_ROW } from '../db/select-row';
import { invitationAdmits, userAddress } from './admission';
import { insertAuthEvent, type RequestMeta } from './auth-events';

export interface Lifetimes {
  /** Idle lifetime in seconds: a refresh moves expiry to now + this. */
  maxAge: number;
  /** Cap in seconds from the session's creation. */
  absoluteMaxAge: number;
}

/** The session lifetimes of a Config. */
export function lifetimesOf(config: { sessionMaxAge: number; sessionAbsoluteMaxAge: number }): Lifetimes {
  return { maxAge: config.sessionMaxAge, absoluteMaxAge: config.sessionAbsoluteMaxAge };
}

export type RefreshOutcome =
  | { ok: true; expiresAt: number; roles: string[] }
  | { ok: false; code: 'session_revoked' | 'session_expired' | 'user_disabled' | 'user_not_found' }
  /** The user no longer passes the admission policy; `detail` is the audit text (reason and email domain). */
  | { ok: false; code: 'access_denied'; detail: string };

/**
 * The one D1 round trip of a refresh: slides the session's expiry (never past
 * its absolute cap) if it is live, not revoked and its user is enabled; in the
 * same batch, reads the state that explains a refusal, what the admission
 * policy needs (the user's email, whether Google verified it, the stored `hd`,
 * an invitation that admits them) and the user's roles for the new token.
 * A user the policy now refuses gets `access_denied` (their session row is
 * left as it is: relaxing the policy lets it continue).
 */
export async function refreshSession(
  db: Db,
  input: { sessionId: string; userId: string; now: Date; lifetimes: Lifetimes; admission: AdmissionPolicy },
): Promise<RefreshOutcome> {
  const { now, sessionId, userId } = input;
  const idleUntil = now.getTime() + input.lifetimes.maxAge * 1000;
  const cap = sql`${sessions.createdAt} + ${input.lifetimes.absoluteMaxAge * 1000}`;
  const enabledUser = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  const invitation = db
    .select({ email: invitations.email })
    .from(invitations)
    .where(invitationAdmits(userAddress, users.id));
  const [updated, [state], roleRows] = await db.batch([
    db
      .update(sessions)
      .set({ lastSeenAt: now, expiresAt: sql`min(${idleUntil}, ${cap})` })
      .where(
        and(
          eq(sessions.id, sessionId),
          eq(sessions.userId, userId),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
          gt(cap, now.getTime()),
          exists(enabledUser),
        ),
      )
      .returning({ expiresAt: sessions.expiresAt }),
    db
      .select({
        userId: users.id,
        disabledAt: users.disabledAt,
        email: users.email,
        emailVerified: users.emailVerified,
        hostedDomain: users.hostedDomain,
        invited: sql<number>`${exists(invitation)}`,
        sessionUserId: sessions.userId,
        revokedAt: sessions.revokedAt,
      })
      .from(ONE_ROW)
      .leftJoin(users, eq(users.id, userId))
      .leftJoin(sessions, eq(sessions.id, sessionId)),
    db
      .select({ role: userRoles.role })
      .from(userRoles)
      .where(eq(userRoles.userId, userId))
      .orderBy(asc(userRoles.role)),
  ]);
  const row = updated[0];
  if (row && state) {
    if (!isOpen(input.admission)) {
      const claims = {
        email: state.email,
        emailVerified: state.emailVerified === true,
        hostedDomain: state.hostedDomain,
      };
      const decision = admit(claims, input.admission, Number(state.invited) === 1);
      if (!decision.ok) return { ok: false, code: 'access_denied', detail: refusalDetail(decision) };
    }
    return { ok: true, expiresAt: row.expiresAt.getTime(), roles: roleRows.map((r) => r.role) };
  }
  if (!state?.userId) return { ok: false, code: 'user_not_found' };
  if (state.disabledAt !== null) return { ok: false, code: 'user_disabled' };
  if (state.sessionUserId !== userId || state.revokedAt !== null) return { ok: false, code: 'session_revoked' };
  return { ok: false, code: 'session_expired' };
}

export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/** The user's live sessions (not revoked, not expired), most recently seen first. */
export async function listActiveSessions(db: Db, userId: string, now: Date): Promise<SessionView[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt))
    .all();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    userAgent: r.userAgent,
  }));
}

/**
 * Revokes one session of `userId` and records why, in one batch. Idempotent;
 * answers false when no such session belongs to the user.
 */
export async function revokeSession(
  db: Db,
  input: { userId: string; sessionId: string; now: Date; meta: RequestMeta; kind: 'session_revoked' | 'sign_out' },
): Promise<boolean> {
  const [updated] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: sql`coalesce(${sessions.revokedAt}, ${input.now.getTime()})` })
      .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)))
      .returning({ id: sessions.id }),
    insertAuthEvent(
      db,
      { kind: input.kind, userId: input.userId, sessionId: input.sessionId, now: input.now, meta: input.meta },
      { onlyIfPreviousStatementChangedRows: true },
    ),
  ]);
  return updated.length === 1;
}

/** "Sign out everywhere": revokes every live session of the user; returns how many. */
export async function revokeAllSessions(
  db: Db,
  input: { userId: string; sessionId: string; now: Date; meta: RequestMeta },
): Promise<number> {
  const [updated] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: input.now })
      .where(and(eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id }),
    insertAuthEvent(db, {
      kind: 'sessions_revoked_all',
      userId: input.userId,
      sessionId: input.sessionId,
      now: input.now,
      meta: input.meta,
    }),
  ]);
  return updated.length;
}
