import type { Context } from 'hono';
import type { AuthedEnv } from '../app-env';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { requestDb } from '../middleware/request-db';
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
  .get('/sessions', async function listSessions(c) {
    const { sub, sid } = c.var.session;
    const sessions = await guardDb(() => listActiveSessions(requestDb(c, 'replica', sub), sub, new Date()));
    return c.json({ sessions: sessions.map((s) => ({ ...s, current: s.id === sid })) });
  })
  .post('/sessions/revoke-all', async function revokeAll(c) {
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
  })
  .post('/sessions/:id/revoke', async function revokeOne(c) {
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
  });
