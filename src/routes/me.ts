import { guardDb } from '../db/guard';
import { documented, SESSION_ERRORS } from '../openapi/describe';
import { sessionRefused } from '../session/refresh';
import { findUserById } from '../users/repository';
import { authedRoutes } from './authed-routes';

/** `GET /api/me`: the signed-in user, read from D1. Protected (authedRoutes). */
export const meRoutes = authedRoutes().get(
  '/me',
  documented({
    summary: 'The signed-in user, read from D1',
    tags: ['api'],
    auth: ['cookie', 'bearer'],
    ok: {
      schema: {
        type: 'object',
        required: ['id', 'email', 'name', 'image'],
        properties: {
          id: { type: 'string' },
          email: { type: ['string', 'null'] },
          name: { type: ['string', 'null'] },
          image: { type: ['string', 'null'] },
        },
      },
    },
    errors: SESSION_ERRORS,
  }),
  async function getMe(c) {
    const { sub } = c.var.session;
    const user = await guardDb(() => findUserById(c.var.db, sub));
    if (!user) {
      throw sessionRefused('user_not_found');
    }
    c.header('Cache-Control', 'no-store');
    return c.json({ id: user.id, email: user.email, name: user.name, image: user.image });
  },
);
