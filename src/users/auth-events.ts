import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { authEvents } from '../db/schema';
import { ONE_ROW, selectRow } from '../db/select-row';

/** Who did it and from where: recorded with every audit event. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** The caller's IP (set by Cloudflare's edge) and user agent, from the request's headers. */
export function requestMetaOf(headers: Headers): RequestMeta {
  return { ip: headers.get('cf-connecting-ip'), userAgent: headers.get('user-agent') };
}

export type AuthEventKind =
  | 'sign_in'
  | 'sign_in_denied'
  /**
   * Refused by the admission policy (ALLOWED_EMAIL_DOMAINS, ALLOWED_EMAILS, invitations), or for an
   * address another user holds (`account_conflict <domain> <sub>`, on the holder: docs/access.md).
   */
  | 'sign_in_refused'
  | 'invitation_accepted'
  | 'refresh_failed'
  | 'session_revoked'
  | 'sessions_revoked_all'
  | 'sign_out'
  /** The user deleted their own account (DELETE /api/me). */
  | 'account_deleted'
  /** Operator changes through `npm run admin`. */
  | 'admin_user_disabled'
  | 'admin_user_enabled'
  | 'admin_user_deleted'
  | 'admin_role_granted'
  | 'admin_role_revoked'
  | 'admin_sessions_revoked'
  | 'admin_invite_added'
  | 'admin_invite_removed'
  /** Service clients (`npm run admin -- clients …`; user_id holds the subject `client:<id>`). */
  | 'admin_client_created'
  | 'admin_client_rotated'
  | 'admin_client_revoked'
  /** The Workspace link (src/workspace): the Directory says suspended, archived or deleted; active again. */
  | 'workspace_user_disabled'
  | 'workspace_user_enabled'
  /** The Workspace link: a GROUP_ROLES group's membership began or ended (detail: role and source). */
  | 'workspace_role_granted'
  | 'workspace_role_revoked'
  /** `npm run admin -- users relink`: the user's Google account replaced by another (detail: the new `sub`). */
  | 'admin_account_relinked';

export interface AuthEventInput {
  kind: AuthEventKind;
  userId: string | null;
  sessionId: string | null;
  detail?: string | null;
  now: Date;
  meta: RequestMeta;
}

/**
 * The INSERT of one `auth_events` row, to run alone (`await`) or inside the
 * same `db.batch` as the change it records (so the audit row and the change
 * land together). With `onlyIfPreviousStatementChangedRows` the row is written
 * only when the batch's previous statement touched a row; with `skip`, never
 * (the statement keeps its place in the batch).
 */
export function insertAuthEvent(
  db: Db,
  event: AuthEventInput,
  options: { onlyIfPreviousStatementChangedRows?: boolean; skip?: boolean } = {},
) {
  const row = selectRow(authEvents, {
    id: crypto.randomUUID(),
    userId: event.userId,
    sessionId: event.sessionId,
    kind: event.kind,
    detail: event.detail ?? null,
    createdAt: event.now,
    ip: event.meta.ip,
    userAgent: event.meta.userAgent,
  });
  // changes() counts the rows the previous statement of this batch (one connection) touched.
  const condition = options.skip ? sql`0` : options.onlyIfPreviousStatementChangedRows ? sql`changes() > 0` : undefined;
  return db.insert(authEvents).select(db.select(row).from(ONE_ROW).where(condition));
}
