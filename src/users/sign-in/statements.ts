import { and, eq, exists, inArray, isNull, ne, not, notExists, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { normalizeAddress } from '../../access/address';
import { emailDomainOf } from '../../access/admission';
import type { Db } from '../../db/client';
import { accounts, sessions, users } from '../../db/schema';
import { ONE_ROW, selectRow } from '../../db/select-row';
import type { NewSession, ProviderProfile } from './types';

// The statements both forms of the sign-in batch share: its one-database form (users/sign-in/record-sign-in)
// and its SESSION_DBS form (users/sign-in/sharded).

/**
 * The user-and-account half of a sign-in batch, shared by its one-database
 * form (users/sign-in/record-sign-in) and its SESSION_DBS form (users/sign-in/sharded).
 * One verified address, one user (docs/access.md), decided inside the batch:
 *
 * 1. a new user, only while no account row names one and no user holds the
 *    verified address (`users.email_normalized`);
 * 2. its account, only if that user was just inserted;
 * 3. the profile of the account's owner refreshed, unless the sign-in brings
 *    an address another user holds that the owner did not already have
 *    (`users.email` is the previous spelling: unchanged, a user that shared
 *    the address before the rule keeps signing in, without taking it).
 *
 * Neither 1 nor 3 runs on a conflict, so no statement can break the unique
 * index, and the owner's row afterwards spells the sign-in's address exactly
 * when the sign-in was not refused: `admittedOwner` selects it, for the
 * statements after these. D1 serialises batches, so of two sign-ins racing
 * for one address (or one account) the first batch decides.
 */
export function userUpsert(db: Db, profile: ProviderProfile, at: Date) {
  const newUserId = crypto.randomUUID();
  const { provider, providerAccountId } = profile;
  // Only a verified address is held (and accepts an invitation).
  const address = profile.emailVerified && profile.email ? normalizeAddress(profile.email) : null;
  const ownerOfAccount = db
    .select({ userId: accounts.userId })
    .from(accounts)
    .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)));
  const holderOfAddress = db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.emailNormalized, address ?? ''));
  const other = alias(users, 'other');
  // The address belongs to another user than the one being updated.
  const heldByAnother = exists(
    db
      .select({ id: other.id })
      .from(other)
      .where(and(eq(other.emailNormalized, address ?? ''), ne(other.id, users.id))),
  );
  const details = {
    email: profile.email,
    emailVerified: profile.emailVerified,
    hostedDomain: profile.hostedDomain,
    name: profile.name,
    image: profile.image,
  };
  const sameSpelling = sql`${users.email} IS ${profile.email}`;
  const statements = [
    db.insert(users).select(
      db
        .select(
          selectRow(users, {
            id: newUserId,
            ...details,
            emailNormalized: address,
            createdAt: at,
            updatedAt: at,
            disabledAt: null,
            disabledSource: null,
          }),
        )
        .from(ONE_ROW)
        .where(and(notExists(ownerOfAccount), notExists(holderOfAddress))),
    ),
    db.insert(accounts).select(
      db
        .select(selectRow(accounts, { provider, providerAccountId, userId: users.id, createdAt: at }))
        .from(users)
        .where(eq(users.id, newUserId)),
    ),
    db
      .update(users)
      .set({
        ...details,
        // Kept by whoever holds it; NULL when another user holds it (a shared address from before the rule).
        emailNormalized: address === null ? null : sql`CASE WHEN ${heldByAnother} THEN NULL ELSE ${address} END`,
        updatedAt: at,
      })
      .where(and(inArray(users.id, ownerOfAccount), not(and(heldByAnother, not(sameSpelling)) as SQL)))
      .returning({ id: users.id, email: users.email, name: users.name, image: users.image }),
  ] as const;
  const admittedOwner = db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, ownerOfAccount), sameSpelling));
  // After the statements above: the signing-in user holds the address (a user sharing it from before the
  // rule does not, and accepts no invitation for it).
  const ownerHoldsAddress = exists(
    db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, ownerOfAccount), eq(users.emailNormalized, address ?? ''))),
  );
  const invitedAddress = address ?? '';
  return { ownerOfAccount, holderOfAddress, admittedOwner, ownerHoldsAddress, statements, invitedAddress };
}

/** Google `sub`s are digits; anything else stays out of the audit detail. */
const PLAIN_SUBJECT = /^[A-Za-z0-9._-]{1,255}$/;

/**
 * The audit row's kind and detail: `sign_in` when the session was opened,
 * `sign_in_denied` when the account's owner is disabled, else `sign_in_refused`
 * with `account_conflict <domain> <sub>` (the refused Google account's subject,
 * for `npm run admin -- users relink`). Its user: the account's owner, else the
 * user holding the address.
 */
export function signInAudit(
  profile: ProviderProfile,
  upsert: Pick<ReturnType<typeof userUpsert>, 'ownerOfAccount' | 'holderOfAddress' | 'admittedOwner'>,
  opened: SQL,
) {
  // The reason, the email's domain (never the address, as for the policy's refusals), the sub last.
  const sub = PLAIN_SUBJECT.test(profile.providerAccountId) ? profile.providerAccountId : '-';
  const conflict = [ACCOUNT_CONFLICT, emailDomainOf(profile.email) ?? '-', sub].join(' ');
  const admitted = exists(upsert.admittedOwner);
  return {
    kind: sql`CASE WHEN ${opened} THEN 'sign_in' WHEN ${admitted} THEN 'sign_in_denied' ELSE 'sign_in_refused' END`,
    detail: sql`CASE WHEN ${opened} OR ${admitted} THEN NULL ELSE ${conflict} END`,
    userId: sql`coalesce((${upsert.ownerOfAccount}), (${upsert.holderOfAddress}))`,
  };
}

/** The refusal of a sign-in whose verified address belongs to another user (docs/access.md). */
export const ACCOUNT_CONFLICT = 'account_conflict';

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
