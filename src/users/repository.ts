import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type User, users } from '../db/schema';

export interface ProviderProfile {
  provider: string;
  /** The provider's stable subject (Google `sub`): the identity key, never the email. */
  providerAccountId: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  image: string | null;
}

export interface NewSession {
  id: string;
  userAgent: string | null;
  now: Date;
  /** Seconds until the session expires. */
  maxAge: number;
}

export type SignInResult = { kind: 'signed_in'; userId: string } | { kind: 'disabled'; userId: string };

/**
 * Records a sign-in in one atomic D1 batch (one round trip, no interactive
 * transaction): creates the user and account on first sign-in, refreshes the
 * profile on later ones, and opens a session row unless the user is disabled.
 * Concurrent first sign-ins of one account yield one user: D1 serialises
 * batches, and the user is only inserted while no account row exists.
 */
export async function recordSignIn(db: Db, profile: ProviderProfile, session: NewSession): Promise<SignInResult> {
  const now = session.now.getTime();
  const newUserId = crypto.randomUUID();
  const account = sql`SELECT user_id FROM accounts WHERE provider = ${profile.provider} AND provider_account_id = ${profile.providerAccountId}`;
  const [, , updated, opened] = await db.batch([
    db.run(sql`INSERT INTO users (id, email, email_verified, name, image, created_at, updated_at)
      SELECT ${newUserId}, ${profile.email}, ${profile.emailVerified ? 1 : 0}, ${profile.name}, ${profile.image}, ${now}, ${now}
      WHERE NOT EXISTS (${account})`),
    db.run(sql`INSERT INTO accounts (provider, provider_account_id, user_id, created_at)
      VALUES (${profile.provider}, ${profile.providerAccountId}, ${newUserId}, ${now})
      ON CONFLICT (provider, provider_account_id) DO NOTHING`),
    db.all<{ id: string }>(sql`UPDATE users SET email = ${profile.email}, email_verified = ${profile.emailVerified ? 1 : 0},
      name = ${profile.name}, image = ${profile.image}, updated_at = ${now}
      WHERE id = (${account}) RETURNING id`),
    db.all<{ id: string }>(sql`INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent)
      SELECT ${session.id}, users.id, ${now}, ${now}, ${now + session.maxAge * 1000}, ${session.userAgent}
      FROM users WHERE users.id = (${account}) AND users.disabled_at IS NULL RETURNING id`),
  ]);
  const userId = updated[0]?.id;
  if (!userId) throw new Error('sign-in batch left no user row');
  return opened.length === 1 ? { kind: 'signed_in', userId } : { kind: 'disabled', userId };
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}
