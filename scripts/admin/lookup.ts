/**
 * Whom a user reference names (an email or a user id on the command line): the statements that
 * find the users, and the one user a change applies to. Built with drizzle (statements.ts).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type User, users } from '../../src/db/schema.ts';
import type { Batch } from './rows.ts';
import { batchOf, build } from './statements.ts';
import type { UserRef } from './values.ts';

/**
 * The users `ref` names. An email (ASCII, normalised: values.ts) matches every user whose address
 * folds to it: SQLite's lower() folds A-Z only (D1 loads no ICU), the rule of src/access/address.ts,
 * so a look-alike never matches; and it matches the users that share an address from before one
 * address, one user (users duplicates), whose `email_normalized` is NULL.
 */
function matchUser(ref: UserRef): SQL {
  return 'email' in ref ? eq(sql`lower(${users.email})`, ref.email) : eq(users.id, ref.id);
}

/** The id of the one user `ref` names: no row when none does, or when several share the email. */
export function targetId(ref: UserRef) {
  const match = matchUser(ref);
  return build
    .select({ id: users.id })
    .from(users)
    .where(and(match, eq(build.$count(users, match), 1)));
}

export function selectUsers(ref: UserRef) {
  return build.select().from(users).where(matchUser(ref)).orderBy(users.createdAt, users.id);
}

/** Whom a reference names: nobody, one user, or several (emails are not unique: users are keyed by Google `sub`). */
export type Lookup = { found: 'none' } | { found: 'one'; user: User } | { found: 'many'; users: User[] };

export function readLookup(found: User[]): Lookup {
  if (found.length === 0) return { found: 'none' };
  if (found.length === 1) return { found: 'one', user: found[0] as User };
  return { found: 'many', users: found };
}

export function lookupUser(ref: UserRef): Batch<Lookup> {
  return batchOf([selectUsers(ref)], ([found]) => readLookup(found));
}
