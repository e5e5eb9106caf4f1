import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { sessions } from '../db/schema';
import { authEventStatement, type RequestMeta } from './auth-events';

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
  | { ok: true; expiresAt: number }
  | { ok: false; code: 'session_revoked' | 'session_expired' | 'user_disabled' | 'user_not_found' };

interface SessionState {
  user_id: string | null;
  disabled_at: number | null;
  session_user_id: string | null;
  revoked_at: number | null;
  expires_at: number | null;
}

/**
 * The one D1 round trip of a refresh: slides the session's expiry (never past
 * its absolute cap) if it is live, not revoked and its user is enabled; in the
 * same batch, reads the state that explains a refusal.
 */
export async function refreshSession(
  db: Db,
  input: { sessionId: string; userId: string; now: Date; lifetimes: Lifetimes },
): Promise<RefreshOutcome> {
  const d1 = db.$client;
  const now = input.now.getTime();
  const { maxAge, absoluteMaxAge } = input.lifetimes;
  const [updated, state] = await d1.batch<{ expires_at: number } | SessionState>([
    d1
      .prepare(
        `UPDATE sessions SET last_seen_at = ?3, expires_at = MIN(?3 + ?4, created_at + ?5)
         WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL AND expires_at > ?3 AND created_at + ?5 > ?3
           AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND disabled_at IS NULL)
         RETURNING expires_at`,
      )
      .bind(input.sessionId, input.userId, now, maxAge * 1000, absoluteMaxAge * 1000),
    d1
      .prepare(
        `SELECT u.id AS user_id, u.disabled_at, s.user_id AS session_user_id, s.revoked_at, s.expires_at
         FROM (SELECT 1) LEFT JOIN users u ON u.id = ?2 LEFT JOIN sessions s ON s.id = ?1`,
      )
      .bind(input.sessionId, input.userId),
  ]);
  const row = updated?.results[0] as { expires_at: number } | undefined;
  if (row) return { ok: true, expiresAt: row.expires_at };
  const s = state?.results[0] as SessionState | undefined;
  if (!s?.user_id) return { ok: false, code: 'user_not_found' };
  if (s.disabled_at !== null) return { ok: false, code: 'user_disabled' };
  if (s.session_user_id !== input.userId || s.revoked_at !== null) return { ok: false, code: 'session_revoked' };
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
  const d1 = db.$client;
  const [updated] = await d1.batch<{ id: string }>([
    d1
      .prepare(`UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?3) WHERE id = ?1 AND user_id = ?2 RETURNING id`)
      .bind(input.sessionId, input.userId, input.now.getTime()),
    authEventStatement(
      d1,
      { kind: input.kind, userId: input.userId, sessionId: input.sessionId, now: input.now, meta: input.meta },
      { onlyIfPreviousStatementChangedRows: true },
    ),
  ]);
  return (updated?.results.length ?? 0) === 1;
}

/** "Sign out everywhere": revokes every live session of the user; returns how many. */
export async function revokeAllSessions(
  db: Db,
  input: { userId: string; sessionId: string; now: Date; meta: RequestMeta },
): Promise<number> {
  const d1 = db.$client;
  const [updated] = await d1.batch<{ id: string }>([
    d1
      .prepare('UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL RETURNING id')
      .bind(input.userId, input.now.getTime()),
    authEventStatement(d1, {
      kind: 'sessions_revoked_all',
      userId: input.userId,
      sessionId: input.sessionId,
      now: input.now,
      meta: input.meta,
    }),
  ]);
  return updated?.results.length ?? 0;
}
