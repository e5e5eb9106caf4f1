import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(unixepoch('subsec') * 1000)`;

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** The address as Google's ID token spelt it at the last sign-in. */
    email: text('email'),
    /**
     * The verified address this user holds, normalised (src/access/address.ts): unique, so a verified
     * address belongs to one user (docs/access.md). NULL when the address is not verified, and for
     * the users that shared an address with an older one before the rule (the migration left it to one;
     * `npm run admin -- users duplicates` lists them).
     */
    emailNormalized: text('email_normalized'),
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
    name: text('name'),
    image: text('image'),
    /** Google's `hd` claim at the last sign-in: the account's Workspace domain; null for consumer accounts. */
    hostedDomain: text('hosted_domain'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull().default(now),
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    /**
     * Who disabled the user: `admin` (npm run admin), `workspace` (the Workspace link saw the account
     * suspended or deleted: src/workspace), null (SQL, or before this column). Only a `workspace`
     * disable is ever lifted by the Workspace link; every other one stays until an operator enables.
     */
    disabledSource: text('disabled_source'),
  },
  (t) => [
    // The revocation feed's D1 scan (src/revocation/d1-scan.ts) reads disablings by time.
    index('users_disabled_at').on(t.disabledAt).where(sql`${t.disabledAt} IS NOT NULL`),
    // One verified address, one user: the sign-in batch never writes a second (users/sign-in/statements).
    uniqueIndex('users_email_normalized').on(t.emailNormalized).where(sql`${t.emailNormalized} IS NOT NULL`),
  ],
);

/** One row per identity at a provider; keyed by the provider's stable subject, never by email. */
export const accounts = sqliteTable(
  'accounts',
  {
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index('accounts_user_id').on(t.userId)],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    userAgent: text('user_agent'),
  },
  (t) => [
    index('sessions_user_id').on(t.userId),
    // The revocation feed's D1 scan reads revocations by time, whoever wrote them (the Worker, npm run admin, SQL).
    index('sessions_revoked_at').on(t.revokedAt).where(sql`${t.revokedAt} IS NOT NULL`),
  ],
);

/** Roles granted to users (`admin`, …): they ride in the session token as `roles`. */
export const userRoles = sqliteTable(
  'user_roles',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    grantedAt: integer('granted_at', { mode: 'timestamp_ms' }).notNull(),
    /** Who granted it (an operator's name or email, `npm run admin`), when known. */
    grantedBy: text('granted_by'),
    /**
     * Where the grant comes from: `admin` (npm run admin, SQL) or `group:<address>` (a Google group
     * in GROUP_ROLES, kept in step by the Workspace link: src/workspace). A role may be held from
     * several sources at once; the link only ever adds or removes `group:` rows.
     */
    source: text('source').notNull().default('admin'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role, t.source] })],
);

/** Addresses an operator invited: the first verified sign-in of one is admitted whatever the policy. */
export const invitations = sqliteTable('invitations', {
  /** The invited address, normalised (src/access/address.ts). */
  email: text('email').primaryKey(),
  invitedAt: integer('invited_at', { mode: 'timestamp_ms' }).notNull(),
  invitedBy: text('invited_by'),
  /** When its first sign-in used it; an accepted invitation admits nobody else. */
  acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
  /** The user whose sign-in accepted it: the only one it keeps admitting (sign-in and refresh). */
  acceptedBy: text('accepted_by'),
});

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;

/** Audit trail: sign-ins, refresh failures, revocations, sign-outs. */
export const authEvents = sqliteTable(
  'auth_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id'),
    sessionId: text('session_id'),
    kind: text('kind').notNull(),
    /** e.g. the error code of a failed refresh. */
    detail: text('detail'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [
    index('auth_events_user_id_created_at').on(t.userId, t.createdAt),
    // The revocation feed's D1 scan reads account deletions by time (the users row is gone; this row stays).
    index('auth_events_deletions').on(t.createdAt).where(sql`${t.kind} IN ('account_deleted', 'admin_user_deleted')`),
  ],
);

export type AuthEvent = typeof authEvents.$inferSelect;

/**
 * Service clients: machines (cron jobs, CI, other backends, agents) that get access tokens with
 * `POST /auth/token grant_type=client_credentials` (src/clients). Made, rotated and revoked with
 * `npm run admin -- clients …`. In `DB` (the primary) even with SESSION_DBS.
 */
export const serviceClients = sqliteTable(
  'service_clients',
  {
    /** A UUID; tokens name it as `sub` = `client:<id>` and `client_id` = `<id>`. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** SHA-256 of the secret, hex: the secret itself (256 random bits) is shown once and never stored. */
    secretHash: text('secret_hash').notNull(),
    /** After `clients rotate --overlap`: the previous secret's hash, accepted until previous_secret_expires_at. */
    previousSecretHash: text('previous_secret_hash'),
    previousSecretExpiresAt: integer('previous_secret_expires_at', { mode: 'timestamp_ms' }),
    /** JSON array: the audiences it may ask tokens for (TOKEN_AUDIENCES entries, or the API's own origin). */
    audiences: text('audiences', { mode: 'json' }).$type<string[]>().notNull(),
    /** JSON array: the roles its tokens carry (APP_ACCESS applies to them as to a user's). */
    roles: text('roles', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull().default(now),
    /** Who created it (`npm run admin -- clients create --by`, else git user.email or $USER). */
    createdBy: text('created_by'),
    /** The last token it got (written at most once a minute). */
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /**
     * Its tokens issued before this time are refused (set by `clients revoke`, and by `clients rotate`
     * without overlap): the revocation feed reads it (src/revocation/d1-scan.ts) and carries
     * `{id: "client:<id>", before}` to every verifier.
     */
    tokensRevokedBefore: integer('tokens_revoked_before', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('service_clients_tokens_revoked_before')
      .on(t.tokensRevokedBefore)
      .where(sql`${t.tokensRevokedBefore} IS NOT NULL`),
  ],
);

export type ServiceClient = typeof serviceClients.$inferSelect;
