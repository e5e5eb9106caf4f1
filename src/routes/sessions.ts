import type { Context } from 'hono';
import type { AuthedEnv } from '../app-env';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { requestDb } from '../middleware/request-db';
import { documented, SESSION_ERRORS } from '../openapi/describe';
import { recordRevocations } from '../revocation/snapshot';
import { clearSessionCookie } from '../session/cookie';
import { quoteInput } from '../untrusted-text';
import { requestMetaOf } from '../users/auth-events';
import { listActiveSessions, revokeAllSessions, revokeSession } from '../users/sessions';
import { authedRoutes } from './authed-routes';

/** Who revokes, when and from where: the caller, now, this request. */
function revocationBy(c: Context<AuthedEnv>) {
  return { userId: c.var.session.sub, now: new Date(), meta: requestMetaOf(c.req.raw.headers) };
}

/**
 * The caller's sessions (mounted behind requireSession and csrfGuard):
 * `GET /api/sessions`, `POST /api/sessions/:id/revoke`, `POST /api/sessions/revoke-all`.
 */
export const sessionRoutes = authedRoutes()
  .get(
    '/sessions',
    documented({
      summary: "The caller's live sessions, marking the current one",
      tags: ['sessions'],
      auth: ['cookie', 'bearer'],
      ok: {
        schema: {
          type: 'object',
          properties: {
            sessions: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  createdAt: { type: 'string', format: 'date-time' },
                  lastSeenAt: { type: 'string', format: 'date-time' },
                  expiresAt: { type: 'string', format: 'date-time' },
                  userAgent: { type: ['string', 'null'] },
                  current: { type: 'boolean' },
                },
              },
            },
          },
        },
      },
      errors: SESSION_ERRORS,
    }),
    async function listSessions(c) {
      const { sub, sid } = c.var.session;
      const sessions = await guardDb(() => listActiveSessions(requestDb(c, 'replica', sub), sub, new Date()));
      return c.json({ sessions: sessions.map((s) => ({ ...s, current: s.id === sid })) });
    },
  )
  .post(
    '/sessions/revoke-all',
    documented({
      summary: 'Sign out everywhere: revoke every session of the caller; clears this cookie',
      tags: ['sessions'],
      auth: ['cookie', 'bearer'],
      ok: { schema: { type: 'object', properties: { revoked: { type: 'integer' } } } },
      errors: { ...SESSION_ERRORS, 429: ['rate_limited'] },
    }),
    async function revokeAll(c) {
      const { sid } = c.var.session;
      const by = revocationBy(c);
      const revoked = await guardDb(() =>
        revokeAllSessions(requestDb(c, 'primary', by.userId), { ...by, sessionId: sid }),
      );
      // Every token of the user signed before this second, and each session by id (one signed within it).
      await recordRevocations(c.env, c.var.config, {
        sessions: revoked,
        users: [{ id: by.userId, before: Math.floor(by.now.getTime() / 1000) }],
      });
      clearSessionCookie(c, c.var.config);
      return c.json({ revoked: revoked.length });
    },
  )
  .post(
    '/sessions/:id/revoke',
    documented({
      summary: "Revoke one of your sessions (anyone else's id answers 404)",
      tags: ['sessions'],
      auth: ['cookie', 'bearer'],
      ok: { schema: { type: 'object', properties: { revoked: { type: 'integer' }, current: { type: 'boolean' } } } },
      errors: { ...SESSION_ERRORS, 404: ['not_found'], 429: ['rate_limited'] },
    }),
    async function revokeOne(c) {
      const { sid } = c.var.session;
      const id = c.req.param('id');
      const found = await guardDb(() =>
        revokeSession(requestDb(c, 'primary', c.var.session.sub), {
          ...revocationBy(c),
          sessionId: id,
          kind: 'session_revoked',
        }),
      );
      // Another user's session id answers exactly like a missing one.
      if (!found) throw apiError(404, 'not_found', `You have no session ${quoteInput(id, 64)}`);
      await recordRevocations(c.env, c.var.config, { sessions: [id] });
      if (id === sid) clearSessionCookie(c, c.var.config);
      return c.json({ revoked: 1, current: id === sid });
    },
  );
