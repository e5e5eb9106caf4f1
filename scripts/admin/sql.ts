/**
 * The SQL of `npm run admin`: pure functions that build the statements of one
 * `wrangler d1 execute --command` (one D1 batch) and read its results back.
 *
 * wrangler's CLI has no bind parameters, so values become SQL literals. Only two
 * kinds ever do: integers (checked) and strings that passed a conservative
 * pattern first (the branded types below: the only way to get one is a `parse…`
 * function), quoted with their single quotes doubled all the same. No validated
 * string contains `;`, on which wrangler splits the command into statements.
 *
 * Every change is followed, in the same batch, by its `auth_events` row, written
 * only if the change's statement touched a row (`changes() > 0`) and the state it
 * claims now holds: the row cannot claim a change that did not happen.
 */

import type {
  AccountRow,
  Batch,
  ChangeContext,
  EventRow,
  InvitationRow,
  RoleRow,
  Rows,
  SessionRow,
  UserListRow,
  UserRow,
} from './rows.ts';
import {
  type Actor,
  type AdminKind,
  type Email,
  type Role,
  sqlInt,
  sqlText,
  sqlTextOrNull,
  type UserRef,
  type Uuid,
} from './values.ts';

// --- Finding the user ---

const USER_COLUMNS = [
  'id',
  'email',
  'email_normalized',
  'name',
  'email_verified',
  'created_at',
  'updated_at',
  'disabled_at',
  'disabled_source',
];

function userColumns(alias?: string): string {
  return USER_COLUMNS.map((column) => (alias ? `${alias}.${column}` : column)).join(', ');
}

/**
 * The users `ref` names. An email (ASCII, normalised: values.ts) matches every user whose address
 * folds to it: SQLite's lower() folds A-Z only (D1 loads no ICU), the rule of src/access/address.ts,
 * so a look-alike never matches; and it matches the users that share an address from before one
 * address, one user (users duplicates), whose `email_normalized` is NULL.
 */
function matchUser(ref: UserRef): string {
  return 'email' in ref ? `lower(email) = ${sqlText(ref.email)}` : `id = ${sqlText(ref.id)}`;
}

/** The id of the one user `ref` names: no row when none does, or when several share the email. */
export function targetId(ref: UserRef): string {
  const match = matchUser(ref);
  return `SELECT id FROM users WHERE ${match} AND (SELECT count(*) FROM users WHERE ${match}) = 1`;
}

export function selectUsers(ref: UserRef): string {
  return `SELECT ${userColumns()} FROM users WHERE ${matchUser(ref)} ORDER BY created_at, id`;
}

/** Whom a reference names: nobody, one user, or several (emails are not unique: users are keyed by Google `sub`). */
export type Lookup = { found: 'none' } | { found: 'one'; user: UserRow } | { found: 'many'; users: UserRow[] };

export function readLookup(rows: Rows | undefined): Lookup {
  const users = (rows ?? []) as unknown as UserRow[];
  if (users.length === 0) return { found: 'none' };
  if (users.length === 1) return { found: 'one', user: users[0] as UserRow };
  return { found: 'many', users };
}

export function lookupUser(ref: UserRef): Batch<Lookup> {
  return { statements: [selectUsers(ref)], read: (results) => readLookup(results[0]) };
}

// --- Reads ---

export function listUsers(filter: { role?: Role; disabled?: boolean }, now: number): Batch<UserListRow[]> {
  const where = [
    ...(filter.role
      ? [`EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ${sqlText(filter.role)})`]
      : []),
    ...(filter.disabled ? ['u.disabled_at IS NOT NULL'] : []),
  ];
  const sql = [
    'SELECT u.id, u.email, u.name, u.created_at, u.disabled_at,',
    "(SELECT group_concat(role, ',') FROM (SELECT DISTINCT role FROM user_roles WHERE user_id = u.id ORDER BY role)) AS roles,",
    `(SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > ${sqlInt(now)}) AS live_sessions`,
    'FROM users u',
    ...(where.length ? [`WHERE ${where.join(' AND ')}`] : []),
    'ORDER BY u.created_at, u.id',
  ].join(' ');
  return { statements: [sql], read: (results) => (results[0] ?? []) as unknown as UserListRow[] };
}

export interface UserDetails {
  lookup: Lookup;
  accounts: AccountRow[];
  roles: RoleRow[];
  sessions: SessionRow[];
  events: EventRow[];
}

/** The user, their accounts, roles, live sessions and last `eventLimit` audit events, in one batch. */
export function showUser(ref: UserRef, now: number, eventLimit = 20): Batch<UserDetails> {
  const id = targetId(ref);
  return {
    statements: [
      selectUsers(ref),
      `SELECT provider, provider_account_id, created_at FROM accounts WHERE user_id IN (${id}) ORDER BY created_at, provider`,
      `SELECT role, granted_at, granted_by, source FROM user_roles WHERE user_id IN (${id}) ORDER BY role, source`,
      'SELECT id, created_at, last_seen_at, expires_at, user_agent FROM sessions' +
        ` WHERE user_id IN (${id}) AND revoked_at IS NULL AND expires_at > ${sqlInt(now)} ORDER BY last_seen_at DESC`,
      'SELECT id, kind, session_id, detail, created_at, ip, user_agent FROM auth_events' +
        ` WHERE user_id IN (${id}) ORDER BY created_at DESC, id LIMIT ${sqlInt(eventLimit)}`,
    ],
    read: (results) => ({
      lookup: readLookup(results[0]),
      accounts: (results[1] ?? []) as unknown as AccountRow[],
      roles: (results[2] ?? []) as unknown as RoleRow[],
      sessions: (results[3] ?? []) as unknown as SessionRow[],
      events: (results[4] ?? []) as unknown as EventRow[],
    }),
  };
}

export function listInvites(): Batch<InvitationRow[]> {
  return {
    statements: ['SELECT email, invited_at, invited_by, accepted_at FROM invitations ORDER BY invited_at, email'],
    read: (results) => (results[0] ?? []) as unknown as InvitationRow[],
  };
}

// --- Changes ---

/** `json_object(…)` of the detail fields (each a SQL expression), or NULL when there are none. */
export function detailJson(fields: Record<string, string>): string {
  const pairs = Object.entries(fields).flatMap(([key, value]) => [`'${key}'`, value]);
  return pairs.length ? `json_object(${pairs.join(', ')})` : 'NULL';
}

export function byField(by: Actor | null): Record<string, string> {
  return by === null ? {} : { by: sqlText(by) };
}

/**
 * The audit row of the change just before it in the batch, selected FROM `from`
 * (which may supply `user_id`): written only if that change touched a row
 * (changes() counts the rows the batch's previous statement changed) and every
 * `where` condition, the state the row claims, holds.
 */
export function insertAudit(
  ctx: ChangeContext,
  audit: { kind: AdminKind; userId: string; detail: string; from: string; where: string[] },
): string {
  return [
    'INSERT INTO auth_events (id, user_id, session_id, kind, detail, created_at, ip, user_agent)',
    `SELECT ${sqlText(ctx.auditId)}, ${audit.userId}, NULL, ${sqlText(audit.kind)}, ${audit.detail}, ${sqlInt(ctx.now)}, NULL, NULL`,
    `FROM ${audit.from} WHERE ${['changes() > 0', ...audit.where].join(' AND ')}`,
    'RETURNING id',
  ].join(' ');
}

/** The outcome of a change to one user named by email or id. */
export interface UserChange {
  lookup: Lookup;
  /** The rows the change statement returned (RETURNING). */
  changed: Rows;
  /** The audit row's id when it was written (exactly when something changed). */
  auditId: string | null;
}

/**
 * [who `ref` names (before), the change (on the one user `ref` names, RETURNING),
 * its audit row (FROM that user, as `u`)].
 */
function userChange(
  ref: UserRef,
  ctx: ChangeContext,
  spec: {
    change: (id: string) => string;
    kind: AdminKind;
    detail: Record<string, string>;
    holds: (id: string) => string;
  },
): Batch<UserChange> {
  const id = targetId(ref);
  return {
    statements: [
      selectUsers(ref),
      spec.change(id),
      insertAudit(ctx, {
        kind: spec.kind,
        userId: 'u.id',
        detail: detailJson({ ...spec.detail, ...byField(ctx.by) }),
        from: 'users AS u',
        where: [`u.id IN (${id})`, spec.holds(id)],
      }),
    ],
    read: (results) => ({
      lookup: readLookup(results[0]),
      changed: results[1] ?? [],
      auditId: ((results[2] ?? [])[0]?.id as string | undefined) ?? null,
    }),
  };
}

/**
 * Disables the user as an operator (`disabled_source` admin). A user the Workspace link disabled is
 * taken over (their disable keeps its time, but only an operator lifts it now).
 */
export function disableUser(ref: UserRef, ctx: ChangeContext): Batch<UserChange> {
  const now = sqlInt(ctx.now);
  return userChange(ref, ctx, {
    change: (id) =>
      `UPDATE users SET disabled_at = coalesce(disabled_at, ${now}), disabled_source = 'admin'` +
      ` WHERE id IN (${id}) AND (disabled_at IS NULL OR disabled_source IS NOT 'admin') RETURNING id`,
    kind: 'admin_user_disabled',
    detail: {},
    holds: (id) =>
      `EXISTS (SELECT 1 FROM users WHERE id IN (${id}) AND disabled_at IS NOT NULL AND disabled_source = 'admin')`,
  });
}

export function enableUser(ref: UserRef, ctx: ChangeContext): Batch<UserChange> {
  return userChange(ref, ctx, {
    change: (id) =>
      `UPDATE users SET disabled_at = NULL, disabled_source = NULL WHERE id IN (${id}) AND disabled_at IS NOT NULL RETURNING id`,
    kind: 'admin_user_enabled',
    detail: {},
    holds: (id) => `EXISTS (SELECT 1 FROM users WHERE id IN (${id}) AND disabled_at IS NULL)`,
  });
}

export function grantRole(ref: UserRef, role: Role, ctx: ChangeContext): Batch<UserChange> {
  const now = sqlInt(ctx.now);
  const r = sqlText(role);
  return userChange(ref, ctx, {
    change: (id) =>
      'INSERT INTO user_roles (user_id, role, granted_at, granted_by)' +
      ` SELECT id, ${r}, ${now}, ${sqlTextOrNull(ctx.by)} FROM users WHERE id IN (${id})` +
      ' ON CONFLICT DO NOTHING RETURNING role',
    kind: 'admin_role_granted',
    detail: { role: r },
    holds: (id) =>
      `EXISTS (SELECT 1 FROM user_roles WHERE user_id IN (${id}) AND role = ${r} AND source = 'admin' AND granted_at = ${now})`,
  });
}

export function revokeRole(ref: UserRef, role: Role, ctx: ChangeContext): Batch<UserChange> {
  const r = sqlText(role);
  return userChange(ref, ctx, {
    // Only the operator's grant: a role a Google group gives (source group:…) is the Workspace link's.
    change: (id) =>
      `DELETE FROM user_roles WHERE user_id IN (${id}) AND role = ${r} AND source = 'admin' RETURNING role`,
    kind: 'admin_role_revoked',
    detail: { role: r },
    holds: (id) =>
      `NOT EXISTS (SELECT 1 FROM user_roles WHERE user_id IN (${id}) AND role = ${r} AND source = 'admin')`,
  });
}

/** Revokes every live (unrevoked, unexpired) session of the user; the audit detail counts them. */
export function revokeSessions(ref: UserRef, ctx: ChangeContext): Batch<UserChange> {
  const now = sqlInt(ctx.now);
  return userChange(ref, ctx, {
    change: (id) =>
      `UPDATE sessions SET revoked_at = ${now}` +
      ` WHERE user_id IN (${id}) AND revoked_at IS NULL AND expires_at > ${now} RETURNING id`,
    kind: 'admin_sessions_revoked',
    // changes(): the number of sessions the UPDATE just before revoked.
    detail: { sessions: 'changes()' },
    holds: (id) => `EXISTS (SELECT 1 FROM sessions WHERE user_id IN (${id}) AND revoked_at = ${now})`,
  });
}

export interface UserDeletion {
  /** The user and how many rows of theirs the delete cascades to, before it. */
  before: (UserRow & { accounts: number; sessions: number; roles: number }) | null;
  deleted: boolean;
  auditId: string | null;
  /** Their audit events, kept with ip and user agent removed. */
  eventsKept: number;
  /** Rows still naming the user after the delete: all 0 when D1 enforced the foreign keys' ON DELETE CASCADE. */
  left: { accounts: number; sessions: number; roles: number };
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
  const user = sqlText(id);
  const gone = `NOT EXISTS (SELECT 1 FROM users WHERE id = ${user})`;
  const counts = (prefix: string) =>
    `(SELECT count(*) FROM accounts WHERE user_id = ${prefix}) AS accounts,` +
    ` (SELECT count(*) FROM sessions WHERE user_id = ${prefix}) AS sessions,` +
    ` (SELECT count(*) FROM user_roles WHERE user_id = ${prefix}) AS roles`;
  return {
    statements: [
      `SELECT ${userColumns('u')}, ${counts('u.id')} FROM users u WHERE u.id = ${user}`,
      `DELETE FROM users WHERE id = ${user} RETURNING id`,
      insertAudit(ctx, {
        kind: 'admin_user_deleted',
        userId: user,
        detail: detailJson(byField(ctx.by)),
        from: '(SELECT 1)',
        where: [gone],
      }),
      `UPDATE auth_events SET ip = NULL, user_agent = NULL WHERE user_id = ${user} AND ${gone} RETURNING id`,
      `SELECT ${counts(user)}`,
      `DELETE FROM invitations WHERE accepted_by = ${user} AND ${gone} RETURNING email`,
    ],
    read: (results) => {
      const before = (results[0] ?? [])[0] as UserDeletion['before'] | undefined;
      const left = ((results[4] ?? [])[0] ?? {}) as Partial<UserDeletion['left']>;
      return {
        before: before ?? null,
        deleted: (results[1] ?? []).length === 1,
        auditId: ((results[2] ?? [])[0]?.id as string | undefined) ?? null,
        eventsKept: (results[3] ?? []).length,
        left: { accounts: left.accounts ?? 0, sessions: left.sessions ?? 0, roles: left.roles ?? 0 },
        invitationsRemoved: (results[5] ?? []).length,
      };
    },
  };
}

export interface InviteChange {
  /** The invitation after the batch (add) or before it (remove). */
  invitation: InvitationRow | null;
  changed: boolean;
  auditId: string | null;
}

/** Invites `email` (already lower-cased); an existing invitation is left as it is. */
export function addInvite(email: Email, ctx: ChangeContext): Batch<InviteChange> {
  const e = sqlText(email);
  const now = sqlInt(ctx.now);
  return {
    statements: [
      'INSERT INTO invitations (email, invited_at, invited_by, accepted_at)' +
        ` VALUES (${e}, ${now}, ${sqlTextOrNull(ctx.by)}, NULL) ON CONFLICT DO NOTHING RETURNING email`,
      insertAudit(ctx, {
        kind: 'admin_invite_added',
        userId: 'NULL',
        detail: detailJson({ email: e, ...byField(ctx.by) }),
        from: '(SELECT 1)',
        where: [`EXISTS (SELECT 1 FROM invitations WHERE email = ${e} AND invited_at = ${now})`],
      }),
      `SELECT email, invited_at, invited_by, accepted_at FROM invitations WHERE email = ${e}`,
    ],
    read: (results) => ({
      changed: (results[0] ?? []).length === 1,
      auditId: ((results[1] ?? [])[0]?.id as string | undefined) ?? null,
      invitation: ((results[2] ?? [])[0] as InvitationRow | undefined) ?? null,
    }),
  };
}

export function removeInvite(email: Email, ctx: ChangeContext): Batch<InviteChange> {
  const e = sqlText(email);
  return {
    statements: [
      `SELECT email, invited_at, invited_by, accepted_at FROM invitations WHERE email = ${e}`,
      `DELETE FROM invitations WHERE email = ${e} RETURNING email`,
      insertAudit(ctx, {
        kind: 'admin_invite_removed',
        userId: 'NULL',
        detail: detailJson({ email: e, ...byField(ctx.by) }),
        from: '(SELECT 1)',
        where: [`NOT EXISTS (SELECT 1 FROM invitations WHERE email = ${e})`],
      }),
    ],
    read: (results) => ({
      invitation: ((results[0] ?? [])[0] as InvitationRow | undefined) ?? null,
      changed: (results[1] ?? []).length === 1,
      auditId: ((results[2] ?? [])[0]?.id as string | undefined) ?? null,
    }),
  };
}
