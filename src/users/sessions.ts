import { and, desc, eq, exists, gt, isNull, sql } from 'drizzle-orm';
import { type AdmissionPolicy, admit, isOpen, refusalDetail } from '../access/admission';
import type { Db } from '../db/client';
import { invitations, sessions, userRoles, users } from '../db/schema';
import { ONE_ROW } from '../db/select-row';
import { insertAuthEvent, type RequestMeta } from './auth-events';
import { invitationAdmits, userAddress } from './invitations';

export interface Lifetimes {
  /** Idle lifetime in seconds: a slide moves expiry to now + this. */
  maxAge: number;
  /** Cap in seconds from the session's creation. */
  absoluteMaxAge: number;
  /**
   * Seconds between slides: a refresh writes the sliding expiry (and
   * `last_seen_at`) only when the last slide is at least this old, so idle
   * expiry comes at most this much earlier than with a slide per refresh.
   */
  slideInterval: number;
}

/** The session lifetimes of a Config. */
export function lifetimesOf(config: {
  sessionMaxAge: number;
  sessionAbsoluteMaxAge: number;
  sessionSlideInterval: number;
}): Lifetimes {
  return {
    maxAge: config.sessionMaxAge,
    absoluteMaxAge: config.sessionAbsoluteMaxAge,
    slideInterval: config.sessionSlideInterval,
  };
}

/** The user's profile as stored (users.email, name, image), for the token. */
export interface StoredProfile {
  email: string | null;
  name: string | null;
  picture: string | null;
}

export type RefreshOutcome =
  | { ok: true; expiresAt: number; roles: string[]; profile: StoredProfile; slid: boolean }
  | { ok: false; code: 'session_revoked' | 'session_expired' | 'user_disabled' | 'user_not_found' }
  /** The user no longer passes the admission policy; `detail` is the audit text (reason and email domain). */
  | { ok: false; code: 'access_denied'; detail: string };

type RefreshInput = { sessionId: string; userId: string; now: Date; lifetimes: Lifetimes; admission: AdmissionPolicy };

/**
 * One SELECT over primary keys (a one-row FROM, left-joined to the user and
 * the session): everything a refresh decides on, the admission inputs, the
 * profile and the roles (as a JSON array).
 */
function refreshState(db: Db, { userId, sessionId }: RefreshInput) {
  const invitation = db
    .select({ email: invitations.email })
    .from(invitations)
    .where(invitationAdmits(userAddress, users.id));
  const roles = sql<string>`(SELECT json_group_array(r.role) FROM (SELECT DISTINCT ${userRoles.role} AS role FROM ${userRoles} WHERE ${userRoles.userId} = ${userId} ORDER BY ${userRoles.role}) AS r)`;
  return db
    .select({
      userId: users.id,
      disabledAt: users.disabledAt,
      email: users.email,
      emailVerified: users.emailVerified,
      hostedDomain: users.hostedDomain,
      name: users.name,
      image: users.image,
      invited: sql<number>`${exists(invitation)}`,
      sessionUserId: sessions.userId,
      revokedAt: sessions.revokedAt,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      roles,
    })
    .from(ONE_ROW)
    .leftJoin(users, eq(users.id, userId))
    .leftJoin(sessions, eq(sessions.id, sessionId));
}

type RefreshState = Awaited<ReturnType<ReturnType<typeof refreshState>['all']>>[number];

/** The refusal the state explains, or the session's effective expiry (idle expiry, never past the cap). */
function judge(
  state: RefreshState | undefined,
  input: RefreshInput,
): Exclude<RefreshOutcome, { ok: true }> | { ok: true; expiresAt: number; lastSeenAt: number } {
  if (!state?.userId) return { ok: false, code: 'user_not_found' };
  if (state.disabledAt !== null) return { ok: false, code: 'user_disabled' };
  if (state.sessionUserId !== input.userId || state.revokedAt !== null) return { ok: false, code: 'session_revoked' };
  const now = input.now.getTime();
  const cap = (state.createdAt?.getTime() ?? 0) + input.lifetimes.absoluteMaxAge * 1000;
  const expiresAt = Math.min(state.expiresAt?.getTime() ?? 0, cap);
  if (!(expiresAt > now)) return { ok: false, code: 'session_expired' };
  if (!isOpen(input.admission)) {
    const claims = {
      email: state.email,
      emailVerified: state.emailVerified === true,
      hostedDomain: state.hostedDomain,
    };
    const decision = admit(claims, input.admission, Number(state.invited) === 1);
    if (!decision.ok) return { ok: false, code: 'access_denied', detail: refusalDetail(decision) };
  }
  return { ok: true, expiresAt, lastSeenAt: state.lastSeenAt?.getTime() ?? 0 };
}

function outcomeOf(state: RefreshState | undefined, input: RefreshInput, slid: boolean): RefreshOutcome {
  const judged = judge(state, input);
  if (!judged.ok || !state) return judged as Exclude<RefreshOutcome, { ok: true }>;
  const roles = (JSON.parse(state.roles ?? '[]') as string[]).sort();
  const profile = { email: state.email, name: state.name, picture: state.image };
  return { ok: true, expiresAt: judged.expiresAt, roles, profile, slid };
}

/**
 * A refresh reads, and rarely writes. One indexed SELECT (one D1 round trip)
 * decides: the session is live, not revoked, within its caps, its user
 * enabled and still admitted by the policy; it also brings the profile and
 * the roles for the new token. Only when the last slide (`last_seen_at`) is
 * `slideInterval` old or more does a second round trip slide the expiry (never
 * past the absolute cap) in a batch that re-reads the state after the write,
 * so a revocation or a disabling between the two is still honoured.
 * A user the policy now refuses gets `access_denied` (their session row is
 * left as it is: relaxing the policy lets it continue).
 */
export async function refreshSession(db: Db, input: RefreshInput): Promise<RefreshOutcome> {
  const { now, sessionId, userId } = input;
  const state = await refreshState(db, input).get();
  const judged = judge(state, input);
  if (!judged.ok) return judged;
  if (now.getTime() - judged.lastSeenAt < input.lifetimes.slideInterval * 1000) {
    return outcomeOf(state, input, false);
  }
  const idleUntil = now.getTime() + input.lifetimes.maxAge * 1000;
  const cap = sql`${sessions.createdAt} + ${input.lifetimes.absoluteMaxAge * 1000}`;
  const enabledUser = db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  const [, [after]] = await db.batch([
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
      ),
    refreshState(db, input),
  ]);
  return outcomeOf(after, input, true);
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

/** "Sign out everywhere": revokes every live session of the user; returns their ids. */
export async function revokeAllSessions(
  db: Db,
  input: { userId: string; sessionId: string; now: Date; meta: RequestMeta },
): Promise<string[]> {
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
  return updated.map((row) => row.id);
}
