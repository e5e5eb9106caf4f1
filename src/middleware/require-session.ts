import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';
import { readSessionCookie } from '../session/cookie';
import { verifySessionToken } from '../session/token';

/**
 * Authenticates a request by its session cookie: verifies the ES256 token with
 * the public keys (alg, kid, typ, iss, aud pinned) and sets `c.var.session`.
 * No D1 query: a fresh token is trusted until it expires.
 *
 * @example app.use('/api/*', requireSession())
 */
export function requireSession() {
  return createMiddleware<AppEnv>(async function requireSession(c, next) {
    const { config, keys } = c.var;
    const cookie = readSessionCookie(c.req.header('cookie'), config.sessionCookieName);
    if (cookie.kind === 'absent') {
      throw apiError(
        401,
        'missing_session',
        `No ${config.sessionCookieName} cookie was sent; sign in at ${config.apiOrigin}/auth/signin`,
      );
    }
    if (cookie.kind === 'rejected') {
      throw apiError(401, 'invalid_session', `The session cookie was rejected: ${cookie.reason}`);
    }
    const result = await verifySessionToken(cookie.value, keys, {
      issuer: config.apiOrigin,
      audience: config.apiOrigin,
    });
    if (!result.ok) {
      const message =
        result.code === 'session_expired'
          ? 'The session token has expired; sign in again'
          : 'The session token is not valid: malformed, tampered with, signed by an unknown key, or issued for another service';
      throw apiError(401, result.code, message, { cause: result.reason });
    }
    c.set('session', result.claims);
    await next();
  });
}
