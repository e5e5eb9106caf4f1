import { and, eq, exists, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import { authEvents, invitations, users } from '../../db/schema';
import { ONE_ROW, PREVIOUS_CHANGED, selectRow } from '../../db/select-row';
import { loadUserCopy, readUserCopy, sameCopy, userCopyOf, writeUserCopy } from '../user-copy';
import { insertSessionOfEnabledUser, signInAudit, userUpsert } from './statements';
import type { NewSession, ProviderProfile, SignInResult } from './types';

/**
 * recordSignIn when sessions live in their own databases (SESSION_DBS): the
 * user's rows are written in `DB` first (one atomic batch, as with one database:
 * concurrent first sign-ins of one account still make one user, and `DB` holds
 * the unique address, so one address still makes one user), which also
 * reads the user's copy (users/user-copy); then one batch in the user's session
 * database writes the copy and opens the session (only for an enabled user);
 * then the copy is read once more from `DB` and written again if it changed
 * meanwhile (a disabling or a role change made between the two batches, whose
 * own copy ran before this session row existed). Three round trips, at
 * sign-in only; the refresh stays one.
 */
export async function recordShardedSignIn(
  db: Db,
  sessionDbOf: (userId: string) => Db,
  profile: ProviderProfile,
  session: NewSession,
): Promise<SignInResult> {
  const at = session.now;
  const upsert = userUpsert(db, profile, at);
  const { ownerOfAccount, ownerHoldsAddress, statements: upsertUser, invitedAddress } = upsert;
  // The owner the sign-in admits (not refused for its address), when enabled: the session database opens its session.
  const enabledOwner = db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, upsert.admittedOwner), isNull(users.disabledAt)));
  const enabled = exists(enabledOwner);
  const signIn = signInAudit(profile, upsert, enabled);
  const audit = (kind: SQL | string, sessionId: SQL | string | null, detail: SQL | null = null) =>
    selectRow(authEvents, {
      id: crypto.randomUUID(),
      userId: kind === 'invitation_accepted' ? ownerOfAccount : signIn.userId,
      sessionId,
      kind,
      detail,
      createdAt: at,
      ip: session.meta.ip,
      userAgent: session.meta.userAgent,
    });
  const results = await db.batch([
    ...upsertUser,
    db
      .insert(authEvents)
      .select(
        db.select(audit(signIn.kind, sql`CASE WHEN ${enabled} THEN ${session.id} END`, signIn.detail)).from(ONE_ROW),
      ),
    db
      .update(invitations)
      .set({ acceptedAt: at, acceptedBy: sql`${ownerOfAccount}` })
      .where(
        and(eq(invitations.email, invitedAddress), isNull(invitations.acceptedAt), sql`${enabled}`, ownerHoldsAddress),
      )
      .returning({ email: invitations.email }),
    db
      .insert(authEvents)
      .select(db.select(audit('invitation_accepted', session.id)).from(ONE_ROW).where(PREVIOUS_CHANGED)),
    ...readUserCopy(db, sql`${ownerOfAccount}`),
  ]);
  const [, , updated, , accepted, , ...read] = results;
  const user = updated[0];
  // No row updated: the address belongs to another user (no user, account or session was written).
  if (!user) return { kind: 'conflict' };
  const copy = userCopyOf(read as Parameters<typeof userCopyOf>[0]);
  if (!user || !copy) throw new Error('sign-in batch left no user row');
  const userId = user.id;
  const sessionDb = sessionDbOf(userId);
  // SESSION_DBS may list DB itself: its users are their own originals, never overwritten by a copy.
  const copied = sessionDb !== db;
  // The copy first: the session row references it, and is opened only if the copy says enabled.
  const written = await sessionDb.batch([
    ...(copied ? writeUserCopy(sessionDb, copy) : []),
    insertSessionOfEnabledUser(sessionDb, eq(users.id, userId), session),
  ] as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  const opened = written[written.length - 1] as unknown[];
  const again = copied ? await loadUserCopy(db, userId) : undefined;
  if (again && !sameCopy(copy, again)) {
    await sessionDb.batch(writeUserCopy(sessionDb, again) as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
  }
  if (opened.length !== 1) return { kind: 'disabled', userId };
  return {
    kind: 'signed_in',
    userId,
    roles: [...new Set(copy.roles.map((r) => r.role))],
    profile: { email: user.email, name: user.name, picture: user.image },
    acceptedInvitation: accepted.length > 0,
  };
}
