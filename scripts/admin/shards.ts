/**
 * `npm run admin` with SESSION_DBS (docs/database.md#session-databases-session_dbs): sessions, and a copy of each user's
 * rows, live in the user's session database (src/db/shard-of.ts names it). The copy is the Worker's
 * own (src/users/user-copy.ts: what it holds, and the statements that read and write it): after a
 * change in DB, the admin reads the user's copy there and writes it into the session database (what
 * a refresh reads); session revocations run there; reads of sessions ask there.
 */
import { count, eq, inArray, or } from 'drizzle-orm';
import { invitations, sessions, users } from '../../src/db/schema.ts';
import { sessionDbNameOf as sessionDbOf } from '../../src/db/shard-of.ts';
import { deleteUserCopy, readUserCopy, userCopyOf, writeUserCopy } from '../../src/users/user-copy.ts';
import type { Batch, RunD1 } from './rows.ts';
import { batchOf, build, statementsOf } from './statements.ts';

export interface SessionDbs {
  /** SESSION_DBS, in order (the hash indexes into it). */
  names: readonly string[];
  /** Runs a batch in the database of that binding. */
  runIn(name: string): RunD1;
}

/** The binding name of the session database that holds `userId`'s sessions and copy. */
export function sessionDbNameOf(dbs: SessionDbs, userId: string): string {
  return sessionDbOf(dbs.names, userId);
}

/**
 * Writes the copies of these users (read from DB after the change) into their session databases;
 * the copy of a user gone from DB is deleted there (their sessions with it: ON DELETE CASCADE).
 */
export async function copyUsers(dbs: SessionDbs, runDb: RunD1, userIds: string[]): Promise<void> {
  for (const userId of new Set(userIds)) {
    const target = sessionDbNameOf(dbs, userId);
    // SESSION_DBS may list DB itself: there the rows are the originals, not a copy.
    if (target === 'DB') continue;
    const read = batchOf(readUserCopy(build, userId), userCopyOf);
    const copy = read.read(await runDb(read.statements));
    await dbs.runIn(target)(statementsOf(copy ? writeUserCopy(build, copy) : deleteUserCopy(build, userId)));
  }
}

/** The users whose copy an invitation of `email` (normalised) is part of. */
export function usersOfAddress(email: string): Batch<string[]> {
  const acceptedBy = build.select({ id: invitations.acceptedBy }).from(invitations).where(eq(invitations.email, email));
  return batchOf(
    [
      build
        .select({ id: users.id })
        .from(users)
        .where(or(eq(users.emailNormalized, email), inArray(users.id, acceptedBy))),
    ],
    ([rows]) => rows.map((row) => row.id),
  );
}

/** How many sessions (any state) the user has in one database. */
export function sessionCount(userId: string): Batch<number> {
  return batchOf(
    [build.select({ n: count() }).from(sessions).where(eq(sessions.userId, userId))],
    ([[row]]) => row?.n ?? 0,
  );
}
