import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type User, users } from '../db/schema';
import type { RequestMeta } from './auth-events';

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
  meta: RequestMeta;
  now: Date;
  /** Seconds until the session expires. */
  maxAge: number;
}

export type SignInResult = { kind: 'signed_in'; userId: string } | { kind: 'disabled'; userId: string };

/**
 * Records a sign-in in one atomic D1 batch (one round trip, no interactive
 * transaction): creates the user and account on first sign-in, refreshes the
 * profile on later ones, opens a session row unless the user is disabled, and
 * writes the audit event.
 * Concurrent first sign-ins of one account yield one user: D1 serialises
 * batches, and the user is only inserted while no account row exists.
 */
export async function recordSignIn(db: Db, profile: ProviderProfile, session: NewSession): Promise<SignInResult> {
  const now = session.now.getTime();
  const newUserId = crypto.randomUUID();
  const verified = profile.emailVerified ? 1 : 0;
  // Raw statements on the D1 binding: drizzle's batch cannot express INSERT … SELECT … WHERE NOT EXISTS.
  const d1 = db.$client;
  const account = 'SELECT user_id FROM accounts WHERE provider = ?1 AND provider_account_id = ?2';
  const key = [profile.provider, profile.providerAccountId] as const;
  const [, , updated, opened] = await d1.batch<{ id: string }>([
    d1
      .prepare(`INSERT INTO users (id, email, email_verified, name, image, created_at, updated_at)
        SELECT ?3, ?4, ?5, ?6, ?7, ?8, ?8 WHERE NOT EXISTS (${account})`)
      .bind(...key, newUserId, profile.email, verified, profile.name, profile.image, now),
    d1
      .prepare(`INSERT INTO accounts (provider, provider_account_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (provider, provider_account_id) DO NOTHING`)
      .bind(...key, newUserId, now),
    d1
      .prepare(`UPDATE users SET email = ?3, email_verified = ?4, name = ?5, image = ?6, updated_at = ?7
        WHERE id = (${account}) RETURNING id`)
      .bind(...key, profile.email, verified, profile.name, profile.image, now),
    d1
      .prepare(`INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent)
        SELECT ?3, users.id, ?4, ?4, ?5, ?6 FROM users WHERE users.id = (${account}) AND users.disabled_at IS NULL
        RETURNING id`)
      .bind(...key, session.id, now, now + session.maxAge * 1000, session.meta.userAgent),
    // Audit row in the same batch: a sign-in, or a refused one when the user is disabled.
    d1
      .prepare(`INSERT INTO auth_events (id, user_id, session_id, kind, created_at, ip, user_agent)
        SELECT ?3, (${account}), s.id, CASE WHEN s.id IS NULL THEN 'sign_in_denied' ELSE 'sign_in' END, ?4, ?5, ?6
        FROM (SELECT 1) LEFT JOIN sessions s ON s.id = ?7`)
      .bind(...key, crypto.randomUUID(), now, session.meta.ip, session.meta.userAgent, session.id),
  ]);
  const userId = updated?.results[0]?.id;
  if (!userId) throw new Error('sign-in batch left no user row');
  return opened?.results.length === 1 ? { kind: 'signed_in', userId } : { kind: 'disabled', userId };
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}
