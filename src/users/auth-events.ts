/** Who did it and from where: recorded with every audit event. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export type AuthEventKind =
  | 'sign_in'
  | 'sign_in_denied'
  | 'refresh_failed'
  | 'session_revoked'
  | 'sessions_revoked_all'
  | 'sign_out';

export interface AuthEventInput {
  kind: AuthEventKind;
  userId: string | null;
  sessionId: string | null;
  detail?: string | null;
  now: Date;
  meta: RequestMeta;
}

/**
 * A prepared INSERT into `auth_events`, to run alone or inside the same
 * `d1.batch` as the change it records (so the audit row and the change land together).
 */
export function authEventStatement(
  d1: D1Database,
  event: AuthEventInput,
  options: { onlyIfPreviousStatementChangedRows?: boolean } = {},
): D1PreparedStatement {
  // changes() counts the rows the previous statement of this batch (one connection) touched.
  const condition = options.onlyIfPreviousStatementChangedRows ? 'WHERE changes() > 0' : '';
  return d1
    .prepare(
      `INSERT INTO auth_events (id, user_id, session_id, kind, detail, created_at, ip, user_agent)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 ${condition}`,
    )
    .bind(
      crypto.randomUUID(),
      event.userId,
      event.sessionId,
      event.kind,
      event.detail ?? null,
      event.now.getTime(),
      event.meta.ip,
      event.meta.userAgent,
    );
}
