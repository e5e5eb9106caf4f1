import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { createDb } from '../db/client';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { readSessionCookie, sessionCookieOptions } from '../session/cookie';
import { type SessionClaims, signSessionToken, verifySessionToken } from '../session/token';
import { authEventStatement } from '../users/auth-events';
import { type RefreshOutcome, refreshSession } from '../users/sessions';
import { requestMeta } from './request-meta';

const REFRESH_FAILURES: Record<Exclude<RefreshOutcome, { ok: true }>['code'], [401 | 403, string]> = {
  session_revoked: [401, 'This session was signed out or revoked; sign in again'],
  session_expired: [401, 'This session has ended; sign in again'],
  user_disabled: [403, 'This account is disabled'],
  user_not_found: [401, 'The user of this session no longer exists; sign in again'],
};

export interface RequireSessionOptions {
  /** Injected clock for tests. */
  now?: () => Date;
}

/**
 * Authenticates a request by its session cookie and sets `c.var.session`.
 *
 * A fresh token is verified with the public keys only (alg, kid, typ, iss, aud
 * pinned): no D1 query. A genuine token whose `exp` has passed costs one D1
 * round trip: the session row must be live, not revoked, its user enabled;
 * then the token is re-signed and the refreshed cookie set on this response.
 *
 * @example app.use('/api/*', requireSession())
 */
export function requireSession(options: RequireSessionOptions = {}) {
  const now = options.now ?? (() => new Date());
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
    const at = now();
    const tokenContext = { issuer: config.apiOrigin, audience: config.apiOrigin, now: at };
    const result = await verifySessionToken(cookie.value, keys, tokenContext);
    if (result.ok) {
      c.set('session', result.claims);
    } else if (result.expiredClaims) {
      c.set('session', await refresh(c, result.expiredClaims, at));
    } else {
      throw apiError(
        401,
        result.code,
        'The session token is not valid: malformed, tampered with, signed by an unknown key, or issued for another service',
        { cause: result.reason },
      );
    }
    c.set('authMethod', 'cookie');
    await next();
  });
}

async function refresh(c: Context<AppEnv>, expired: SessionClaims, at: Date): Promise<SessionClaims> {
  const { config, keys } = c.var;
  const db = createDb(c.env.DB);
  const outcome = await guardDb(() =>
    refreshSession(db, {
      sessionId: expired.sid,
      userId: expired.sub,
      now: at,
      lifetimes: { maxAge: config.sessionMaxAge, absoluteMaxAge: config.sessionAbsoluteMaxAge },
    }),
  );
  if (!outcome.ok) {
    await guardDb(() =>
      authEventStatement(db.$client, {
        kind: 'refresh_failed',
        detail: outcome.code,
        userId: expired.sub,
        sessionId: expired.sid,
        now: at,
        meta: requestMeta(c),
      }).run(),
    );
    const [status, message] = REFRESH_FAILURES[outcome.code];
    throw apiError(status, outcome.code, message);
  }
  const token = await signSessionToken({ sub: expired.sub, sid: expired.sid, ttl: config.sessionTokenTtl }, keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    now: at,
  });
  const maxAge = Math.max(0, Math.floor((outcome.expiresAt - at.getTime()) / 1000));
  setCookie(c, config.sessionCookieName, token, { ...sessionCookieOptions(config), maxAge });
  const iat = Math.floor(at.getTime() / 1000);
  return { ...expired, iat, exp: iat + config.sessionTokenTtl };
}
