/**
 * The changes `npm run admin` makes to one user (disable, enable, roles, sessions), each one D1
 * batch built with drizzle (statements.ts): who the reference names, the change, its audit row
 * (audit.ts).
 */
import { and, eq, exists, inArray, isNotNull, isNull, ne, notExists, or, type SQL, sql } from 'drizzle-orm';
import { sessions, userRoles, users } from '../../src/db/schema.ts';
import { selectRow } from '../../src/db/select-row.ts';
import { byField, detailJson, insertAudit } from './audit.ts';
import { type Lookup, readLookup, selectUsers, targetId } from './lookup.ts';
import { live } from './reads.ts';
import type { Batch, ChangeContext } from './rows.ts';
import { batchOf, build, type Statement } from './statements.ts';
import { type AdminKind, OPERATOR, type Role, type UserRef } from './values.ts';

type TargetId = ReturnType<typeof targetId>;

/** The outcome of a change to one user named by email or id. */
export interface UserChange<Changed = Record<string, unknown>> {
  lookup: Lookup;
  /** The rows the change statement returned (RETURNING). */
  changed: Changed[];
  /** The audit row's id when it was written (exactly when something changed). */
  auditId: string | null;
}

/**
 * [who `ref` names (before), the change (on the one user `ref` names, RETURNING),
 * its audit row (FROM that user)].
 */
function userChange<S extends Statement>(
  ref: UserRef,
  ctx: ChangeContext,
  spec: {
    change: (id: TargetId) => S;
    kind: AdminKind;
    detail: Record<string, string | SQL>;
    holds: (id: TargetId) => SQL;
  },
): Batch<UserChange<S['_']['result'][number]>> {
  const id = targetId(ref);
  const audit = insertAudit(ctx, {
    kind: spec.kind,
    from: 'user',
    detail: detailJson({ ...spec.detail, ...byField(ctx.by) }),
    where: [inArray(users.id, id), spec.holds(id)],
  });
  return batchOf([selectUsers(ref), spec.change(id), audit], ([found, changed, [written]]) => ({
    lookup: readLookup(found),
    changed,
    auditId: written?.id ?? null,
  }));
}

/** Exists a row of `users` matching `where`. */
const userWhere = (where: SQL | undefined) => exists(build.select({ id: users.id }).from(users).where(where));

/**
 * Disables the user as an operator (`disabled_source` admin). A user the Workspace link disabled is
 * taken over (their disable keeps its time, but only an operator lifts it now).
 */
export function disableUser(ref: UserRef, ctx: ChangeContext) {
  return userChange(ref, ctx, {
    change: (id) =>
      build
        .update(users)
        .set({ disabledAt: sql`coalesce(${users.disabledAt}, ${ctx.now})`, disabledSource: OPERATOR })
        .where(
          and(
            inArray(users.id, id),
            or(isNull(users.disabledAt), isNull(users.disabledSource), ne(users.disabledSource, OPERATOR)),
          ),
        )
        .returning({ id: users.id }),
    kind: 'admin_user_disabled',
    detail: {},
    holds: (id) =>
      userWhere(and(inArray(users.id, id), isNotNull(users.disabledAt), eq(users.disabledSource, OPERATOR))),
  });
}

export function enableUser(ref: UserRef, ctx: ChangeContext) {
  return userChange(ref, ctx, {
    change: (id) =>
      build
        .update(users)
        .set({ disabledAt: null, disabledSource: null })
        .where(and(inArray(users.id, id), isNotNull(users.disabledAt)))
        .returning({ id: users.id }),
    kind: 'admin_user_enabled',
    detail: {},
    holds: (id) => userWhere(and(inArray(users.id, id), isNull(users.disabledAt))),
  });
}

export function grantRole(ref: UserRef, role: Role, ctx: ChangeContext) {
  const grant = (id: TargetId) =>
    and(
      inArray(userRoles.userId, id),
      eq(userRoles.role, role),
      eq(userRoles.source, OPERATOR),
      eq(userRoles.grantedAt, new Date(ctx.now)),
    );
  return userChange(ref, ctx, {
    change: (id) =>
      build
        .insert(userRoles)
        .select(
          build
            .select(
              selectRow(userRoles, {
                userId: users.id,
                role,
                grantedAt: new Date(ctx.now),
                grantedBy: ctx.by,
                source: OPERATOR,
              }),
            )
            .from(users)
            .where(inArray(users.id, id)),
        )
        .onConflictDoNothing()
        .returning({ role: userRoles.role }),
    kind: 'admin_role_granted',
    detail: { role },
    holds: (id) => exists(build.select({ role: userRoles.role }).from(userRoles).where(grant(id))),
  });
}

export function revokeRole(ref: UserRef, role: Role, ctx: ChangeContext) {
  // Only the operator's grant: a role a Google group gives (source group:…) is the Workspace link's.
  const grant = (id: TargetId) =>
    and(inArray(userRoles.userId, id), eq(userRoles.role, role), eq(userRoles.source, OPERATOR));
  return userChange(ref, ctx, {
    change: (id) => build.delete(userRoles).where(grant(id)).returning({ role: userRoles.role }),
    kind: 'admin_role_revoked',
    detail: { role },
    holds: (id) => notExists(build.select({ role: userRoles.role }).from(userRoles).where(grant(id))),
  });
}

/** Revokes every live (unrevoked, unexpired) session of the user; the audit detail counts them. */
export function revokeSessions(ref: UserRef, ctx: ChangeContext) {
  const now = new Date(ctx.now);
  return userChange(ref, ctx, {
    change: (id) =>
      build
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(inArray(sessions.userId, id), live(ctx.now)))
        .returning({ id: sessions.id }),
    kind: 'admin_sessions_revoked',
    // changes(): the number of sessions the UPDATE just before revoked.
    detail: { sessions: sql`changes()` },
    holds: (id) =>
      exists(
        build
          .select({ id: sessions.id })
          .from(sessions)
          .where(and(inArray(sessions.userId, id), eq(sessions.revokedAt, now))),
      ),
  });
}
