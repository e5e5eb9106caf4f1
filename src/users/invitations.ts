import { and, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { normalizeAddress } from '../access/address';
import type { Db } from '../db/client';
import { accounts, authEvents, invitations, users } from '../db/schema';
import { ONE_ROW, selectRow } from '../db/select-row';
import type { RequestMeta } from './auth-events';

/** A provider identity: the stable key of an account row. */
export interface AccountKey {
  provider: string;
  providerAccountId: string;
}

function ownerOf(db: Db, account: AccountKey) {
  return db
    .select({ userId: accounts.userId })
    .from(accounts)
    .where(and(eq(accounts.provider, account.provider), eq(accounts.providerAccountId, account.providerAccountId)));
}

/**
 * The invitation rule, as SQL over `invitations`: the row for `address`
 * (normalised: access/address), not yet accepted or accepted by
 * `userId`. Removing the row takes the admission back.
 */
export function invitationAdmits(address: SQL | string, userId: SQL | SQLiteColumn | string) {
  return and(
    eq(invitations.email, address),
    or(isNull(invitations.acceptedBy), eq(invitations.acceptedBy, userId)),
  ) as SQL;
}

/**
 * Does an invitation admit this verified address for this Google account?
 * One indexed read, made only when the configured lists refuse the sign-in.
 */
export async function isInvited(db: Db, email: string, account: AccountKey): Promise<boolean> {
  const owner = ownerOf(db, account);
  const row = await db
    .select({ email: invitations.email })
    .from(invitations)
    .where(invitationAdmits(normalizeAddress(email), sql`coalesce((${owner}), '')`))
    .get();
  return row !== undefined;
}

/**
 * Records a sign-in the admission policy refused: no user, account or session
 * is written, only the `sign_in_refused` audit row, with the user id when the
 * Google account already belongs to a user (else null) and `detail` = the
 * reason and the email's domain, never the address.
 */
export async function recordRefusedSignIn(
  db: Db,
  input: { account: AccountKey; detail: string; now: Date; meta: RequestMeta },
): Promise<void> {
  await db.insert(authEvents).select(
    db
      .select(
        selectRow(authEvents, {
          id: crypto.randomUUID(),
          userId: ownerOf(db, input.account),
          sessionId: null,
          kind: 'sign_in_refused',
          detail: input.detail,
          createdAt: input.now,
          ip: input.meta.ip,
          userAgent: input.meta.userAgent,
        }),
      )
      .from(ONE_ROW),
  );
}

/**
 * The verified address the user row holds, normalised (access/address): what
 * an invitation is keyed by. NULL (no invitation) for an unverified address.
 */
export const userAddress = sql`${users.emailNormalized}`;
