/**
 * The peer: the same route behind @hono/auth-js's verifyAuth() with Auth.js's default (JWE) cookie, configured as
 * @hono/auth-js documents it, behind the /__bench control surface. A devDependency, bundled only here.
 */
import type { AuthConfig } from '@auth/core';
import { encode } from '@auth/core/jwt';
import Google from '@auth/core/providers/google';
import { type AuthUser, authHandler, initAuthConfig, verifyAuth } from '@hono/auth-js';
import { Hono } from 'hono';
import { benchWorker } from './control';

const USER = {
  id: 'bench-user-0001',
  email: 'bench@example.test',
  name: 'Bench User',
  image: 'https://example.test/avatar/bench.png',
};

const app = new Hono<{ Bindings: Env; Variables: { authUser: AuthUser } }>();
app.use(
  '*',
  initAuthConfig(
    (c): AuthConfig => ({
      secret: c.env.AUTH_SECRET,
      basePath: '/auth',
      trustHost: true,
      session: { strategy: 'jwt' },
      providers: [
        Google({
          clientId: c.env.AUTH_GOOGLE_ID,
          clientSecret: c.env.AUTH_GOOGLE_SECRET,
          ...(c.env.AUTH_GOOGLE_ISSUER ? { issuer: c.env.AUTH_GOOGLE_ISSUER } : {}),
        }),
      ],
    }),
  ),
);
app.use('/auth/*', authHandler());
app.use('/api/*', verifyAuth());
app.get('/bench/bare', (c) => c.json(USER));
app.get('/api/bench/me', (c) => {
  const { token } = c.get('authUser');
  return c.json({ ...USER, id: typeof token?.sub === 'string' ? token.sub : USER.id });
});

/** Auth.js's default session cookie name for this AUTH_URL, and a cookie minted the way Auth.js mints it. */
async function sessionCookie(env: Env) {
  const secure = new URL(env.AUTH_URL).protocol === 'https:';
  const name = `${secure ? '__Secure-' : ''}authjs.session-token`;
  const value = await encode({
    token: { sub: USER.id, name: USER.name, email: USER.email, picture: USER.image },
    secret: env.AUTH_SECRET,
    salt: name,
    maxAge: 30 * 24 * 3600,
  });
  return { name, value };
}

export default benchWorker({
  app: app.fetch,
  handlers: { peer: app.fetch },
  credentials: async (env) => {
    const cookie = await sessionCookie(env);
    return { 'authjs-session-cookie': { cookie: `${cookie.name}=${cookie.value}` } };
  },
});
