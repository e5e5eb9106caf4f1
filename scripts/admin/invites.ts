/** `invites add` and `invites remove`: one D1 batch each, built with drizzle (statements.ts), audited (audit.ts). */
import { and, eq, exists, notExists } from 'drizzle-orm';
import { invitations } from '../../src/db/schema.ts';
import { byField, detailJson, insertAudit } from './audit.ts';
import type { Batch, ChangeContext } from './rows.ts';
import { batchOf, build } from './statements.ts';
import type { Email } from './values.ts';

export interface InviteChange {
  /** The invitation after the batch (add) or before it (remove). */
  invitation: typeof invitations.$inferSelect | null;
  changed: boolean;
  auditId: string | null;
}

const invitationOf = (email: Email) => build.select().from(invitations).where(eq(invitations.email, email));

/** Invites `email` (already lower-cased); an existing invitation is left as it is. */
export function addInvite(email: Email, ctx: ChangeContext): Batch<InviteChange> {
  const invitedNow = and(eq(invitations.email, email), eq(invitations.invitedAt, new Date(ctx.now)));
  return batchOf(
    [
      build
        .insert(invitations)
        .values({ email, invitedAt: new Date(ctx.now), invitedBy: ctx.by })
        .onConflictDoNothing()
        .returning({ email: invitations.email }),
      insertAudit(ctx, {
        kind: 'admin_invite_added',
        from: 'none',
        detail: detailJson({ email, ...byField(ctx.by) }),
        where: [exists(build.select({ email: invitations.email }).from(invitations).where(invitedNow))],
      }),
      invitationOf(email),
    ],
    ([added, [audit], [invitation]]) => ({
      changed: added.length === 1,
      auditId: audit?.id ?? null,
      invitation: invitation ?? null,
    }),
  );
}

export function removeInvite(email: Email, ctx: ChangeContext): Batch<InviteChange> {
  return batchOf(
    [
      invitationOf(email),
      build.delete(invitations).where(eq(invitations.email, email)).returning({ email: invitations.email }),
      insertAudit(ctx, {
        kind: 'admin_invite_removed',
        from: 'none',
        detail: detailJson({ email, ...byField(ctx.by) }),
        where: [
          notExists(build.select({ email: invitations.email }).from(invitations).where(eq(invitations.email, email))),
        ],
      }),
    ],
    ([[invitation], removed, [audit]]) => ({
      invitation: invitation ?? null,
      changed: removed.length === 1,
      auditId: audit?.id ?? null,
    }),
  );
}
