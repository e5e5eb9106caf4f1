import { and, eq, inArray, isNull, notExists, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, sessions, users } from '../db/schema';
import { ONE_ROW, selectRow } from '../db/select-row';
import type { NewSession, ProviderProfile } from './repository';

// The statements both forms of the sign-in batch share: its one-database form (users/repository)
// and its SESSION_DBS form (users/sign-in-sharded).

/**
 * The user-and-account half of a sign-in batch, shared by its one-database
 * form (users/repository) and its SESSION_DBS form (users/sign-in-sharded):
 * insert the user only while no account row names one, insert the account
 * (a concurrent first sign-in's wins), and refresh the profile of whoever
 * owns the account, returning it. D1 serialises batches, so concurrent first
 * sign-ins of one account make one user.
 */
export function userUpsert(db: Db, profile: ProviderProfile, at: Date) {
  const newUserId = crypto.randomUUID();
  const { provider, providerAccountId } = profile;
  const ownerOfAccount = db
    .select({ userId: accounts.userId })
    .from(accounts)
    .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)));
  const details = {
    email: profile.email,
    emailVerified: profile.emailVerified,
    hostedDomain: profile.hostedDomain,
    name: profile.name,
    image: profile.image,
  };
  const statements = [
    db.insert(users).select(
      db
        .select(
          selectRow(users, {
            id: newUserId,
            ...details,
            createdAt: at,
            updatedAt: at,
            disabledAt: null,
            disabledSource: null,
          }),
        )
        .from(ONE_ROW)
        .where(notExists(ownerOfAccount)),
    ),
    db.insert(accounts).values({ provider, providerAccountId, userId: newUserId, createdAt: at }).onConflictDoNothing(),
    db
      .update(users)
      .set({ ...details, updatedAt: at })
      .where(inArray(users.id, ownerOfAccount))
      .returning({ id: users.id, email: users.email, name: users.name, image: users.image }),
  ] as const;
  // Only a verified address can accept an invitation (invitations hold lower-cased addresses).
  const invitedAddress = profile.emailVerified && profile.email ? profile.email.toLowerCase() : '';
  return { ownerOfAccount, statements, invitedAddress };
}

/**
 * The session row, opened only for an enabled user: `user` picks the users row
 * (the account's owner in `DB`, or the user's copy in a session database).
 */
export function insertSessionOfEnabledUser(db: Db, user: SQL, session: NewSession) {
  const at = session.now;
  return db
    .insert(sessions)
    .select(
      db
        .select(
          selectRow(sessions, {
            id: session.id,
            userId: users.id,
            createdAt: at,
            lastSeenAt: at,
            expiresAt: new Date(at.getTime() + session.maxAge * 1000),
            revokedAt: null,
            userAgent: session.meta.userAgent,
          }),
        )
        .from(users)
        .where(and(user, isNull(users.disabledAt))),
    )
    .returning({ id: sessions.id });
}
