/**
 * The SQL of `users relink` and `users duplicates` (docs/access.md): one verified address, one user.
 * Pure builders and readers, as in sql.ts (whose helpers they use): values become SQL literals only
 * after a `parse…` function validated them.
 */

import type { Batch, ChangeContext, Rows } from './rows.ts';
import { byField, detailJson, insertAudit, type Lookup, readLookup, selectUsers, targetId } from './sql.ts';
import { type Subject, sqlInt, sqlText, type UserRef } from './values.ts';

/** The provider of every account row (Auth.js's id of the Google provider). */
const GOOGLE = "'google'";

/** A Google account refused for the user's address (`sign_in_refused`, `account_conflict <domain> <sub>`). */
export interface ConflictRow {
  detail: string;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
}

/** The user, and the Google accounts refused for their address lately (newest first). */
export function recentConflicts(ref: UserRef, limit = 10): Batch<{ lookup: Lookup; conflicts: ConflictRow[] }> {
  return {
    statements: [
      selectUsers(ref),
      'SELECT detail, created_at, ip, user_agent FROM auth_events' +
        ` WHERE kind = 'sign_in_refused' AND detail LIKE 'account_conflict %' AND user_id IN (${targetId(ref)})` +
        ` ORDER BY created_at DESC, id LIMIT ${sqlInt(limit)}`,
    ],
    read: (results) => ({
      lookup: readLookup(results[0]),
      conflicts: (results[1] ?? []) as unknown as ConflictRow[],
    }),
  };
}

/** The `sub` an `account_conflict` audit detail names (its last word). */
export function subjectOfConflict(detail: string): string {
  return detail.split(' ').at(-1) ?? '';
}

export interface Relink {
  lookup: Lookup;
  /** Who the Google account `sub` signs in as before the batch, if anyone. */
  takenBy: { user_id: string; email: string | null } | null;
  /** The account row was written for the user (false: taken by someone, or already theirs). */
  linked: boolean;
  /** The user's previous Google accounts, removed. */
  replaced: string[];
  auditId: string | null;
}

/**
 * Links Google account `sub` to the one user `ref` names, in place of their
 * previous one(s): the account row inserted (only while no user has `sub`),
 * its audit row (`admin_account_relinked`, detail: the new sub, the replaced
 * ones, who), then the previous rows deleted (only once the new one is theirs).
 * The user keeps their id, roles and address; `sub` signs in as them.
 */
export function relinkAccount(ref: UserRef, sub: Subject, ctx: ChangeContext): Batch<Relink> {
  const id = targetId(ref);
  const s = sqlText(sub);
  const now = sqlInt(ctx.now);
  const taken = `EXISTS (SELECT 1 FROM accounts WHERE provider = ${GOOGLE} AND provider_account_id = ${s})`;
  const linkedNow =
    `EXISTS (SELECT 1 FROM accounts WHERE provider = ${GOOGLE} AND provider_account_id = ${s}` +
    ` AND user_id IN (${id}) AND created_at = ${now})`;
  const previous = (user: string) =>
    `json((SELECT json_group_array(provider_account_id) FROM accounts WHERE provider = ${GOOGLE}` +
    ` AND user_id = ${user} AND provider_account_id <> ${s}))`;
  return {
    statements: [
      selectUsers(ref),
      'SELECT a.user_id, u.email FROM accounts a LEFT JOIN users u ON u.id = a.user_id' +
        ` WHERE a.provider = ${GOOGLE} AND a.provider_account_id = ${s}`,
      'INSERT INTO accounts (provider, provider_account_id, user_id, created_at)' +
        ` SELECT ${GOOGLE}, ${s}, id, ${now} FROM users WHERE id IN (${id}) AND NOT ${taken}` +
        ' RETURNING provider_account_id',
      insertAudit(ctx, {
        kind: 'admin_account_relinked',
        userId: 'u.id',
        detail: detailJson({ sub: s, replaced: previous('u.id'), ...byField(ctx.by) }),
        from: 'users AS u',
        where: [`u.id IN (${id})`, linkedNow],
      }),
      `DELETE FROM accounts WHERE provider = ${GOOGLE} AND user_id IN (${id}) AND provider_account_id <> ${s}` +
        ` AND ${linkedNow} RETURNING provider_account_id`,
    ],
    read: (results) => {
      const takenBy = ((results[1] ?? [])[0] as Relink['takenBy'] | undefined) ?? null;
      return {
        lookup: readLookup(results[0]),
        takenBy,
        linked: (results[2] ?? []).length === 1,
        auditId: ((results[3] ?? [])[0]?.id as string | undefined) ?? null,
        replaced: (results[4] ?? []).map((r) => String(r.provider_account_id)),
      };
    },
  };
}

/** A user that shares a verified address with others; `email_normalized` set on the one that holds it. */
export interface DuplicateRow {
  address: string;
  id: string;
  email: string;
  email_normalized: string | null;
  created_at: number;
  disabled_at: number | null;
}

/**
 * Users whose verified addresses are one address (A-Z folded: SQLite's lower()), grouped by it: what
 * the migration to one address, one user found and left working (migrations/0005_…; docs/access.md).
 */
export function listDuplicates(): Batch<DuplicateRow[]> {
  const verified = (t: string) => `${t}email_verified = 1 AND coalesce(${t}email, '') <> ''`;
  return {
    statements: [
      'SELECT lower(u.email) AS address, u.id, u.email, u.email_normalized, u.created_at, u.disabled_at FROM users u' +
        ` WHERE ${verified('u.')} AND lower(u.email) IN` +
        ` (SELECT lower(email) FROM users WHERE ${verified('')} GROUP BY lower(email) HAVING count(*) > 1)` +
        ' ORDER BY address, u.created_at, u.id',
    ],
    read: (results: Rows[]) => (results[0] ?? []) as unknown as DuplicateRow[],
  };
}
