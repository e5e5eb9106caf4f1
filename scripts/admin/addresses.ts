/**
 * The statements of `users relink` and `users duplicates` (docs/access.md): one verified address,
 * one user. Built with drizzle (statements.ts), as every statement of the admin.
 */

import {
  and,
  count,
  desc,
  eq,
  exists,
  getTableColumns,
  gt,
  inArray,
  isNotNull,
  like,
  ne,
  notExists,
  sql,
} from 'drizzle-orm';
import { type AuthEvent, accounts, authEvents, type User, users } from '../../src/db/schema.ts';
import { selectRow } from '../../src/db/select-row.ts';
import { byField, detailJson, insertAudit } from './audit.ts';
import { type Lookup, readLookup, selectUsers, targetId } from './lookup.ts';
import type { Batch, ChangeContext } from './rows.ts';
import { batchOf, build } from './statements.ts';
import type { Subject, UserRef } from './values.ts';

/** The provider of every account row (Auth.js's id of the Google provider). */
const GOOGLE = 'google';

/** The user, and the Google accounts refused for their address lately (newest first). */
export function recentConflicts(ref: UserRef, limit = 10): Batch<{ lookup: Lookup; conflicts: AuthEvent[] }> {
  const refused = and(
    eq(authEvents.kind, 'sign_in_refused'),
    like(authEvents.detail, 'account_conflict %'),
    inArray(authEvents.userId, targetId(ref)),
  );
  return batchOf(
    [
      selectUsers(ref),
      build.select().from(authEvents).where(refused).orderBy(desc(authEvents.createdAt), authEvents.id).limit(limit),
    ],
    ([found, conflicts]) => ({ lookup: readLookup(found), conflicts }),
  );
}

/** The `sub` an `account_conflict` audit detail names (its last word). */
export function subjectOfConflict(detail: string): string {
  return detail.split(' ').at(-1) ?? '';
}

export interface Relink {
  lookup: Lookup;
  /** Who the Google account `sub` signs in as before the batch, if anyone. */
  takenBy: { userId: string; email: string | null } | null;
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
  const now = new Date(ctx.now);
  const google = eq(accounts.provider, GOOGLE);
  const account = and(google, eq(accounts.providerAccountId, sub));
  const holder = build.select({ userId: accounts.userId }).from(accounts).where(account);
  const linkedNow = exists(
    build
      .select({ userId: accounts.userId })
      .from(accounts)
      .where(and(account, inArray(accounts.userId, id), eq(accounts.createdAt, now))),
  );
  // The user's other Google accounts, as a JSON array (the audit detail's `replaced`).
  const previous = build
    .select({ subs: sql`json_group_array(${accounts.providerAccountId})` })
    .from(accounts)
    .where(and(google, eq(accounts.userId, users.id), ne(accounts.providerAccountId, sub)));
  return batchOf(
    [
      selectUsers(ref),
      build
        .select({ userId: accounts.userId, email: users.email })
        .from(accounts)
        .leftJoin(users, eq(users.id, accounts.userId))
        .where(account),
      build
        .insert(accounts)
        .select(
          build
            .select(selectRow(accounts, { provider: GOOGLE, providerAccountId: sub, userId: users.id, createdAt: now }))
            .from(users)
            .where(and(inArray(users.id, id), notExists(holder))),
        )
        .returning({ providerAccountId: accounts.providerAccountId }),
      insertAudit(ctx, {
        kind: 'admin_account_relinked',
        from: 'user',
        detail: detailJson({ sub, replaced: sql`json(${previous})`, ...byField(ctx.by) }),
        where: [inArray(users.id, id), linkedNow],
      }),
      build
        .delete(accounts)
        .where(and(google, inArray(accounts.userId, id), ne(accounts.providerAccountId, sub), linkedNow))
        .returning({ providerAccountId: accounts.providerAccountId }),
    ],
    ([found, [takenBy], linked, [audit], replaced]) => ({
      lookup: readLookup(found),
      takenBy: takenBy ?? null,
      linked: linked.length === 1,
      auditId: audit?.id ?? null,
      replaced: replaced.map((r) => r.providerAccountId),
    }),
  );
}

/** A user that shares a verified address with others; `emailNormalized` set on the one that holds it. */
export type DuplicateRow = User & { address: string };

/**
 * Users whose verified addresses are one address (A-Z folded: SQLite's lower()), grouped by it: what
 * the migration to one address, one user found and left working (migrations/0005_…; docs/access.md).
 */
export function listDuplicates(): Batch<DuplicateRow[]> {
  const address = sql<string>`lower(${users.email})`;
  const verified = and(eq(users.emailVerified, true), isNotNull(users.email), ne(users.email, ''));
  const shared = build.select({ address }).from(users).where(verified).groupBy(address).having(gt(count(), 1));
  return batchOf(
    [
      build
        .select({ address, ...getTableColumns(users) })
        .from(users)
        .where(and(verified, inArray(address, shared)))
        .orderBy(address, users.createdAt, users.id),
    ],
    ([rows]) => rows,
  );
}
