import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { requestDb } from '../middleware/request-db';
import { recordRevocations } from '../revocation/snapshot';
import { clearSessionCookie } from '../session/cookie';
import { sessionRefused } from '../session/refresh';
import { profileFromClaims } from '../session/token';
import { deleteAccount, deleteDirectoryUser, REAUTH_WINDOW_MS } from '../users/delete-account';
import { exportUserData } from '../users/export';
import { findUserById } from '../users/find-user';
import { authedRoutes } from './authed-routes';

/**
 * The caller's own user (mounted behind requireSession and csrfGuard):
 * `GET /api/me`, `GET /api/me/export`, `DELETE /api/me`.
 */
export const meRoutes = authedRoutes()
  .get('/me', async function getMe(c) {
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
  })
  .get('/me/export', async function exportMe(c) {
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
  })
  .delete('/me', async function deleteMe(c) {
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
  });
