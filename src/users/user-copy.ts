import { and, eq, getTableColumns, ne, or, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { invitations, type User, userRoles, users } from '../db/schema.ts';
import type { StatementDb } from '../db/statement-db.ts';

/**
 * With SESSION_DBS, a user's sessions live in one session database (the hash
 * of the user id), and so does a copy of what a refresh decides on about the
 * user: the `users` row (disabled, the admission inputs, the profile), its
 * `user_roles` rows and the `invitations` row of its address. The refresh is
 * then the same one SELECT as with one database (users/sessions), run against
 * the session database: one round trip to one database. `DB` keeps the
 * originals (and accounts, which sign-in needs before it knows the user).
 *
 * Whoever changes the originals copies them afterwards (sign-in here,
 * `npm run admin` in scripts/admin): read the user's rows from `DB` after the
 * change, then write them to the session database. A copy is the whole state
 * read after the change, so the last copy written after the last change is
 * right; sign-in re-reads once after its copy to close the race with a change
 * made in between (users/sign-in/sharded).
 *
 * `npm run admin` loads this file with Node as is (type stripping), so its
 * imports name their `.ts` files, and those import only packages.
 */
export interface UserCopy {
  user: User;
  roles: Array<typeof userRoles.$inferSelect>;
  invitation: typeof invitations.$inferSelect | null;
}

/** The batch items that read a user's copy from `DB`; read their results with userCopyOf. */
export function readUserCopy(db: StatementDb, userId: SQL | string) {
  const owner = typeof userId === 'string' ? sql`${userId}` : userId;
  return [
    db.select().from(users).where(sql`${users.id} = (${owner})`),
    db.select().from(userRoles).where(sql`${userRoles.userId} = (${owner})`).orderBy(userRoles.role),
    db
      .select()
      .from(invitations)
      .where(
        sql`${invitations.email} = (SELECT ${users.emailNormalized} FROM ${users} WHERE ${users.id} = (${owner}))`,
      ),
  ] as const;
}

type ReadResults = readonly [User[], UserCopy['roles'], Array<typeof invitations.$inferSelect>];

/** The copy from readUserCopy's results; undefined when the user is gone. */
export function userCopyOf([userRows, roles, invitationRows]: ReadResults): UserCopy | undefined {
  const user = userRows[0];
  return user ? { user, roles, invitation: invitationRows[0] ?? null } : undefined;
}

/** A client that runs a batch: the D1 one (db/client; its types are the Worker's, not the scripts'). */
type BatchDb = StatementDb & { batch(statements: ReturnType<typeof readUserCopy>): Promise<unknown> };

/** Reads a user's copy from `DB` in one round trip. */
export async function loadUserCopy(db: BatchDb, userId: string): Promise<UserCopy | undefined> {
  const results = await db.batch(readUserCopy(db, userId));
  return userCopyOf(results as unknown as ReadResults);
}

/**
 * The statements that write `copy` into a session database: the users row
 * upserted in place (never replaced: a replace would delete, and the delete
 * cascade to, the user's sessions), its roles and its address's invitation
 * replaced. To run in one batch, before a statement that needs the row.
 *
 * The address is unique in every database (one schema), and `DB` gave it to
 * this user when the copy was read: another copy here still holding it is
 * stale (its user lost the address, or is gone) and lets go of it first.
 */
export function writeUserCopy(db: StatementDb, copy: UserCopy): BatchItem<'sqlite'>[] {
  const { user, roles, invitation } = copy;
  const { id: _id, ...columns } = getTableColumns(users);
  const set = Object.fromEntries(Object.keys(columns).map((key) => [key, sql.raw(`excluded.${columnName(key)}`)]));
  const address = user.emailNormalized ?? '';
  const statements: BatchItem<'sqlite'>[] = [
    db
      .update(users)
      .set({ emailNormalized: null })
      .where(and(eq(users.emailNormalized, address), ne(users.id, user.id)) as SQL),
    db.insert(users).values(user).onConflictDoUpdate({ target: users.id, set }),
    db.delete(userRoles).where(eq(userRoles.userId, user.id)),
    db.delete(invitations).where(or(eq(invitations.acceptedBy, user.id), eq(invitations.email, address)) as SQL),
  ];
  if (roles.length > 0) statements.push(db.insert(userRoles).values(roles));
  if (invitation) statements.push(db.insert(invitations).values(invitation));
  return statements;
}

/**
 * The statements that remove the copy of a user gone from `DB`: the users row (its sessions and
 * roles cascade) and the invitation it had accepted, as deleting the user does in `DB`.
 */
export function deleteUserCopy(db: StatementDb, userId: string): BatchItem<'sqlite'>[] {
  return [
    db.delete(users).where(eq(users.id, userId)),
    db.delete(invitations).where(eq(invitations.acceptedBy, userId)),
  ];
}

function columnName(key: string): string {
  return (getTableColumns(users) as Record<string, { name: string }>)[key]?.name ?? key;
}

/** Whether two copies hold the same state (what sign-in compares after its copy). */
export function sameCopy(a: UserCopy | undefined, b: UserCopy | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
