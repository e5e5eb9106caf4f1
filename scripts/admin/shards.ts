/**
 * `npm run admin` with SESSION_DBS (docs/database.md#session-databases-session_dbs): sessions, and a copy of each user's
 * rows (users, user_roles, the invitation of its address), live in the user's session database, the
 * one src/db/shard-of.ts names (imported as is: a file without imports, run by Node type stripping).
 * After a change in DB, the admin writes the user's copy there (what a refresh reads); session
 * revocations run there; reads of sessions ask there.
 */
import { shardOf } from '../../src/db/shard-of.ts';
import type { Rows, RunD1 } from './rows.ts';

export interface SessionDbs {
  /** SESSION_DBS, in order (the hash indexes into it). */
  names: string[];
  /** Runs a batch in the database of that binding. */
  runIn(name: string): RunD1;
}

/** The binding name of the session database that holds `userId`'s sessions and copy. */
export function sessionDbNameOf(dbs: SessionDbs, userId: string): string {
  return dbs.names[shardOf(userId, dbs.names.length)] as string;
}

/**
 * A SQL literal of any value read from D1: text as a hex blob cast to text (no quote or `;` can
 * reach the command wrangler splits on `;`), integers as digits, null as NULL.
 */
export function sqlValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') return `CAST(X'${hex(value)}' AS TEXT)`;
  throw new TypeError(`not a D1 value: ${JSON.stringify(value)}`);
}

function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('');
}

const USER =
  'id, email, email_normalized, email_verified, name, image, hosted_domain, created_at, updated_at, disabled_at, disabled_source';
const ROLE = 'user_id, role, granted_at, granted_by, source';
const INVITATION = 'email, invited_at, invited_by, accepted_at, accepted_by';

/** The statements that read a user's copy from DB (users row, roles, its address's invitation). */
export function readCopyStatements(userId: string): string[] {
  const id = sqlValue(userId);
  return [
    `SELECT ${USER} FROM users WHERE id = ${id}`,
    `SELECT ${ROLE} FROM user_roles WHERE user_id = ${id} ORDER BY role, source`,
    `SELECT ${INVITATION} FROM invitations WHERE email = (SELECT email_normalized FROM users WHERE id = ${id})`,
  ];
}

const values = (row: Record<string, unknown>, columns: string) =>
  columns
    .split(', ')
    .map((c) => sqlValue(row[c]))
    .join(', ');

/**
 * The statements that write the copy read by readCopyStatements into the session database: the
 * users row upserted in place (a replace would delete it, and the delete cascade to the sessions),
 * roles and invitation replaced; the user gone from DB: its copy deleted (sessions cascade). A stale
 * copy still holding the user's address lets go of it first (the address is unique there too:
 * src/users/user-copy.ts, writeUserCopy).
 */
export function writeCopyStatements(userId: string, [users, roles, invitations]: Rows[]): string[] {
  const id = sqlValue(userId);
  const user = users?.[0];
  if (!user) return [`DELETE FROM users WHERE id = ${id}`, `DELETE FROM invitations WHERE accepted_by = ${id}`];
  const update = USER.split(', ')
    .filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  const address = sqlValue(typeof user.email_normalized === 'string' ? user.email_normalized : '');
  return [
    `UPDATE users SET email_normalized = NULL WHERE email_normalized = ${address} AND id <> ${id}`,
    `INSERT INTO users (${USER}) VALUES (${values(user, USER)}) ON CONFLICT (id) DO UPDATE SET ${update}`,
    `DELETE FROM user_roles WHERE user_id = ${id}`,
    ...(roles ?? []).map((r) => `INSERT INTO user_roles (${ROLE}) VALUES (${values(r, ROLE)})`),
    `DELETE FROM invitations WHERE accepted_by = ${id} OR email = ${address}`,
    ...(invitations ?? []).map((i) => `INSERT INTO invitations (${INVITATION}) VALUES (${values(i, INVITATION)})`),
  ];
}

/** Writes the copies of these users (read from DB after the change) into their session databases. */
export async function copyUsers(dbs: SessionDbs, runDb: RunD1, userIds: string[]): Promise<void> {
  for (const userId of new Set(userIds)) {
    const target = sessionDbNameOf(dbs, userId);
    // SESSION_DBS may list DB itself: there the rows are the originals, not a copy.
    if (target === 'DB') continue;
    const read = await runDb(readCopyStatements(userId));
    await dbs.runIn(target)(writeCopyStatements(userId, read));
  }
}

/** The users whose copy an invitation of `email` (normalised) is part of. */
export function usersOfAddress(email: string): string {
  const e = sqlValue(email);
  return `SELECT id FROM users WHERE email_normalized = ${e} OR id IN (SELECT accepted_by FROM invitations WHERE email = ${e})`;
}

/** Live sessions per user in one session database, for `users list`. */
export function liveSessionCounts(now: number): string {
  return (
    'SELECT user_id, count(*) AS n FROM sessions' +
    ` WHERE revoked_at IS NULL AND expires_at > ${sqlValue(now)} GROUP BY user_id`
  );
}
