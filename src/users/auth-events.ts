import { type SQLWrapper, sql } from 'drizzle-orm';
import { authEvents } from '../db/schema.ts';
import { ONE_ROW, PREVIOUS_CHANGED, selectRow } from '../db/select-row.ts';
import type { StatementDb } from '../db/statement-db.ts';

// `npm run admin` loads this file with Node as is (type stripping): its imports name their `.ts`
// files, and those import only packages.

/** Who did it and from where: recorded with every audit event. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The caller's IP (set by Cloudflare's edge) and user agent, from the request's headers. */
export function requestMetaOf(headers: Headers): RequestMeta {
  return { ip: headers.get('cf-connecting-ip'), userAgent: headers.get('user-agent') };
}

/**
 * Every kind of `auth_events` row, the Worker's and `npm run admin`'s (scripts/admin derives its
 * `admin_*` kinds from this list).
 */
export const AUTH_EVENT_KINDS = [
  'sign_in',
  'sign_in_denied',
  /**
   * Refused by the admission policy (ALLOWED_EMAIL_DOMAINS, ALLOWED_EMAILS, invitations), or for an
   * address another user holds (`account_conflict <domain> <sub>`, on the holder: docs/access.md).
   */
  'sign_in_refused',
  'invitation_accepted',
  'refresh_failed',
  'session_revoked',
  'sessions_revoked_all',
  'sign_out',
  /** The user deleted their own account (DELETE /api/me). */
  'account_deleted',
  /** Operator changes through `npm run admin`. */
  'admin_user_disabled',
  'admin_user_enabled',
  'admin_user_deleted',
  'admin_role_granted',
  'admin_role_revoked',
  'admin_sessions_revoked',
  'admin_invite_added',
  'admin_invite_removed',
  /** Service clients (`npm run admin -- clients …`; user_id holds the subject `client:<id>`). */
  'admin_client_created',
  'admin_client_rotated',
  'admin_client_revoked',
  /** `npm run admin -- users relink`: the user's Google account replaced by another (detail: the new `sub`). */
  'admin_account_relinked',
  /** The Workspace link (src/workspace): the Directory says suspended, archived or deleted; active again. */
  'workspace_user_disabled',
  'workspace_user_enabled',
  /** The Workspace link: a GROUP_ROLES group's membership began or ended (detail: role and source). */
  'workspace_role_granted',
  'workspace_role_revoked',
] as const;

export type AuthEventKind = (typeof AUTH_EVENT_KINDS)[number];

export interface AuthEventInput {
  kind: AuthEventKind;
  /** A value, or SQL over the FROM of an `INSERT … SELECT` (authEventRow). */
  userId: string | null | SQLWrapper;
  sessionId: string | null;
  detail?: string | null | SQLWrapper;
  now: Date;
  meta: RequestMeta;
}

/**
 * One `auth_events` row as the select list of `INSERT INTO auth_events SELECT …` (db/select-row):
 * the Worker's rows (insertAuthEvent) and `npm run admin`'s, which takes the user id from the row
 * it changed and builds the detail with `json_object(…)`.
 */
export function authEventRow(id: string, event: AuthEventInput) {
  return selectRow(authEvents, {
    id,
    userId: event.userId,
    sessionId: event.sessionId,
    kind: event.kind,
    detail: event.detail ?? null,
    createdAt: event.now,
    ip: event.meta.ip,
    userAgent: event.meta.userAgent,
  });
}

/**
 * The INSERT of one `auth_events` row, to run alone (`await`) or inside the
 * same `db.batch` as the change it records (so the audit row and the change
 * land together). With `onlyIfPreviousStatementChangedRows` the row is written
 * only when the batch's previous statement touched a row; with `skip`, never
 * (the statement keeps its place in the batch).
 */
export function insertAuthEvent(
  db: StatementDb,
  event: AuthEventInput,
  options: { onlyIfPreviousStatementChangedRows?: boolean; skip?: boolean } = {},
) {
  const row = authEventRow(crypto.randomUUID(), event);
  const condition = options.skip ? sql`0` : options.onlyIfPreviousStatementChangedRows ? PREVIOUS_CHANGED : undefined;
  return db.insert(authEvents).select(db.select(row).from(ONE_ROW).where(condition));
}
