import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { requestDb } from '../middleware/request-db';
import { documented, SESSION_ERRORS, USER_SCHEMA } from '../openapi/describe';
import { recordRevocations } from '../revocation/snapshot';
import { clearSessionCookie } from '../session/cookie';
import { sessionRefused } from '../session/refresh';
import { profileFromClaims } from '../session/token';
import { deleteAccount, deleteDirectoryUser, REAUTH_WINDOW_MS } from '../users/delete-account';
import { exportUserData } from '../users/export';
import { findUserById } from '../users/find-user';
import { authedRoutes } from './authed-routes';

const nullable = (type: string, format?: string) => ({ type: [type, 'null'], ...(format ? { format } : {}) });
const dateTime = { type: 'string', format: 'date-time' };

/** The JSON schema of `GET /api/me/export` (see UserDataExport in src/users/export.ts). */
const EXPORT_SCHEMA = {
  type: 'object',
  description:
    'Every column of the users row and of each accounts, user_roles, sessions and auth_events row of the user id (but that id), and the invitation the user accepted; dates are ISO 8601',
  required: ['exportedAt', 'user', 'accounts', 'roles', 'invitations', 'sessions', 'events'],
  properties: {
    exportedAt: dateTime,
    user: {
      type: 'object',
      description: 'Every column of the users row',
      required: ['id', 'email', 'emailVerified', 'name', 'image', 'createdAt', 'updatedAt', 'disabledAt'],
      properties: {
        id: { type: 'string' },
        email: nullable('string'),
        emailVerified: { type: 'boolean' },
        name: nullable('string'),
        image: nullable('string'),
        createdAt: dateTime,
        updatedAt: dateTime,
        disabledAt: nullable('string', 'date-time'),
        hostedDomain: {
          ...nullable('string'),
          description: "The Google Workspace domain (ID token's hd) of the last sign-in",
        },
      },
    },
    accounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['provider', 'providerAccountId', 'createdAt'],
        properties: { provider: { type: 'string' }, providerAccountId: { type: 'string' }, createdAt: dateTime },
      },
    },
    roles: {
      type: 'array',
      items: {
        type: 'object',
        required: ['role', 'grantedAt', 'grantedBy'],
        properties: { role: { type: 'string' }, grantedAt: dateTime, grantedBy: nullable('string') },
      },
    },
    invitations: {
      type: 'array',
      description: 'The invitation the first sign-in accepted (npm run admin -- invites), if any',
      items: {
        type: 'object',
        required: ['email', 'invitedAt', 'invitedBy', 'acceptedAt', 'acceptedBy'],
        properties: {
          email: { type: 'string' },
          invitedAt: dateTime,
          invitedBy: nullable('string'),
          acceptedAt: nullable('string', 'date-time'),
          acceptedBy: nullable('string'),
        },
      },
    },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'revokedAt', 'userAgent', 'current'],
        properties: {
          id: { type: 'string' },
          createdAt: dateTime,
          lastSeenAt: dateTime,
          expiresAt: dateTime,
          revokedAt: nullable('string', 'date-time'),
          userAgent: nullable('string'),
          current: { type: 'boolean' },
        },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'sessionId', 'detail', 'createdAt', 'ip', 'userAgent'],
        properties: {
          id: { type: 'string' },
          kind: { type: 'string' },
          sessionId: nullable('string'),
          detail: nullable('string'),
          createdAt: dateTime,
          ip: nullable('string'),
          userAgent: nullable('string'),
        },
      },
    },
  },
};

/**
 * The caller's own user (mounted behind requireSession and csrfGuard):
 * `GET /api/me`, `GET /api/me/export`, `DELETE /api/me`.
 */
export const meRoutes = authedRoutes()
  .get(
    '/me',
    documented({
      summary: 'The signed-in user, from the verified session token (stale by at most one token lifetime)',
      description:
        'Answered from the claims of the verified token (email, name, picture, roles): no D1 read while the token is fresh. A token that does not carry the profile (signed before it did, a value past its cap, or a Bearer access token) is answered from D1.',
      tags: ['api'],
      auth: ['cookie', 'bearer'],
      ok: { schema: USER_SCHEMA },
      errors: SESSION_ERRORS,
    }),
    async function getMe(c) {
      const { session } = c.var;
      c.header('Cache-Control', 'no-store');
      const carried = profileFromClaims(session);
      if (carried) {
        const { email, name, picture } = carried;
        return c.json({ id: session.sub, email, name, image: picture, roles: [...session.roles] });
      }
      // Not (all) in the token: one D1 read.
      const user = await guardDb(() => findUserById(requestDb(c, 'replica'), session.sub));
      if (!user) {
        throw sessionRefused('user_not_found');
      }
      return c.json({ id: user.id, email: user.email, name: user.name, image: user.image, roles: [...session.roles] });
    },
  )
  .get(
    '/me/export',
    documented({
      summary: 'Everything Sitewide holds about the caller, as one JSON download',
      description:
        'The user, linked accounts, roles, every session (revoked and expired included, the current one marked) and the audit events of the user id. Sent with Content-Disposition: attachment; filename="sitewide-export-YYYY-MM-DD.json".',
      tags: ['api'],
      auth: ['cookie', 'bearer'],
      ok: { schema: EXPORT_SCHEMA, description: 'The export (a download)' },
      errors: { ...SESSION_ERRORS, 429: ['rate_limited'] },
    }),
    async function exportMe(c) {
      const { sub, sid } = c.var.session;
      const now = new Date();
      const data = await guardDb(() =>
        exportUserData(
          requestDb(c, 'replica'),
          { userId: sub, currentSessionId: sid, now },
          requestDb(c, 'replica', sub),
        ),
      );
      if (!data) throw sessionRefused('user_not_found');
      c.header('Cache-Control', 'no-store');
      c.header('Content-Disposition', `attachment; filename="sitewide-export-${data.exportedAt.slice(0, 10)}.json"`);
      return c.json(data);
    },
  )
  .delete(
    '/me',
    documented({
      summary: "Delete the caller's account (needs a sign-in from the last 10 minutes); clears this cookie",
      description:
        'Removes the user, linked accounts, roles and sessions in one batch; audit events stay under the user id without ip or user agent, plus an account_deleted event. Other sessions of the user are refused within REVOCATION_POLL seconds (401 session_revoked; at their next refresh, 401 user_not_found, if the revocation feed was unreachable). A session signed in more than 10 minutes ago gets 403 reauth_required: sign in again, then retry.',
      tags: ['api'],
      auth: ['cookie', 'bearer'],
      ok: { status: 204, description: 'Deleted; the session cookie is cleared' },
      errors: {
        ...SESSION_ERRORS,
        403: [...SESSION_ERRORS[403], 'reauth_required'],
        429: ['rate_limited'],
      },
    }),
    async function deleteMe(c) {
      const { sub, sid } = c.var.session;
      const { config } = c.var;
      const now = new Date();
      // The checks and the removal run where the session is (the user's session database); with
      // SESSION_DBS the originals in DB go next.
      const sessionDb = requestDb(c, 'primary', sub);
      const db = requestDb(c, 'primary');
      const outcome = await guardDb(() =>
        deleteAccount(sessionDb, { userId: sub, sessionId: sid, now }, { recordDeletion: db === sessionDb }),
      );
      if (outcome.ok && db !== sessionDb)
        await guardDb(() => deleteDirectoryUser(db, { userId: sub, sessionId: sid, now }));
      if (!outcome.ok) {
        if (outcome.code !== 'reauth_required') throw sessionRefused(outcome.code);
        throw apiError(
          403,
          'reauth_required',
          `Deleting your account needs a sign-in from the last ${REAUTH_WINDOW_MS / 60_000} minutes: sign in again at ${config.apiOrigin}/auth/signin, then retry`,
        );
      }
      // The user id is gone for good: every token of it signed up to this second is refused.
      await recordRevocations(c.env, config, { users: [{ id: sub, before: Math.floor(now.getTime() / 1000) + 1 }] });
      clearSessionCookie(c, config);
      return c.body(null, 204);
    },
  );
