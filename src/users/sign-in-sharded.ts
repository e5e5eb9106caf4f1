import { and, eq, exists, inArray, isNull, notExists, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { accounts, authEvents, invitations, sessions, users } from '../db/schema';
import { ONE_ROW, selectRow } from '../db/select-row';
import type { NewSession, ProviderProfile, SignInResult } from './repository';
import { loadUserCopy, readUserCopy, sameCopy, userCopyOf, writeUserCopy } from './user-copy';

/**
 * recordSignIn when sessions live in their own databases (SESSION_DBS): the
 * user's rows are written in `DB` first (one atomic batch, as with one database:
 * concurrent first sign-ins of one account still make one user), which also
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
  const newUserId = crypto.randomUUID();
  const { provider, providerAccountId } = profile;
  const ownerOfAccount = db
    .select({ userId: accounts.userId })
    .from(accounts)
    .where(and(eq(accounts.provider, provider), eq(accounts.providerAccountId, providerAccountId)));
  const enabledOwner = db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.id, ownerOfAccount), isNull(users.disabledAt)));
  const details = {
    email: profile.email,
    emailVerified: profile.emailVerified,
    hostedDomain: profile.hostedDomain,
    name: profile.name,
    image: profile.image,
  };
  const invitedAddress = profile.emailVerified && profile.email ? profile.email.toLowerCase() : '';
  const audit = (kind: SQL | string, sessionId: SQL | string | null) =>
    selectRow(authEvents, {
      id: crypto.randomUUID(),
      userId: ownerOfAccount,
      sessionId,
      kind,
      detail: null,
      createdAt: at,
      ip: session.meta.ip,
      userAgent: session.meta.userAgent,
    });
  const enabled = exists(enabledOwner);
  const results = await db.batch([
    db.insert(users).select(
      db
        .select(selectRow(users, { id: newUserId, ...details, createdAt: at, updatedAt: at, disabledAt: null }))
        .from(ONE_ROW)
        .where(notExists(ownerOfAccount)),
    ),
    db.insert(accounts).values({ provider, providerAccountId, userId: newUserId, createdAt: at }).onConflictDoNothing(),
    db
      .update(users)
      .set({ ...details, updatedAt: at })
      .where(inArray(users.id, ownerOfAccount))
      .returning({ id: users.id, email: users.email, name: users.name, image: users.image }),
    db
      .insert(authEvents)
      .select(
        db
          .select(
            audit(
              sql`CASE WHEN ${enabled} THEN 'sign_in' ELSE 'sign_in_denied' END`,
              sql`CASE WHEN ${enabled} THEN ${session.id} END`,
            ),
          )
          .from(ONE_ROW),
      ),
    db
      .update(invitations)
      .set({ acceptedAt: at, acceptedBy: sql`${ownerOfAccount}` })
      .where(and(eq(invitations.email, invitedAddress), isNull(invitations.acceptedAt), sql`${enabled}`))
      .returning({ email: invitations.email }),
    db
      .insert(authEvents)
      .select(db.select(audit('invitation_accepted', session.id)).from(ONE_ROW).where(sql`changes() > 0`)),
    ...readUserCopy(db, sql`${ownerOfAccount}`),
  ]);
  const [, , updated, , accepted, , ...read] = results;
  const user = updated[0];
  const copy = userCopyOf(read as Parameters<typeof userCopyOf>[0]);
  if (!user || !copy) throw new Error('sign-in batch left no user row');
  const userId = user.id;
  const sessionDb = sessionDbOf(userId);
  // SESSION_DBS may list DB itself: its users are their own originals, never overwritten by a copy.
  const copied = sessionDb !== db;
  // The copy first: the session row references it, and is opened only if the copy says enabled.
  const written = await sessionDb.batch([
    ...(copied ? writeUserCopy(sessionDb, copy) : []),
    insertSessionOfEnabledUser(sessionDb, userId, session),
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
    roles: copy.roles.map((r) => r.role),
    profile: { email: user.email, name: user.name, picture: user.image },
    acceptedInvitation: accepted.length > 0,
  };
}

/** The session row, from the user's copy in the session database, only while it is enabled. */
function insertSessionOfEnabledUser(db: Db, userId: string, session: NewSession) {
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
        .where(and(eq(users.id, userId), isNull(users.disabledAt))),
    )
    .returning({ id: sessions.id });
}
