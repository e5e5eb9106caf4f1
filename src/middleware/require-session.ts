import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { createDb } from '../db/client';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { readSessionCookie, sessionCookieClears, sessionCookieOptions } from '../session/cookie';
import {
  ACCESS_TOKEN_TYP,
  type SessionClaims,
  signSessionToken,
  verifySessionToken,
  verifyToken,
} from '../session/token';
import { authEventStatement } from '../users/auth-events';
import { lifetimesOf, type RefreshOutcome, refreshSession } from '../users/sessions';
import { requestMeta } from './request-meta';

const INVALID_TOKEN_MESSAGE =
  'The session token is not valid: malformed, tampered with, signed by an unknown key, or issued for another service';

const REFRESH_FAILURES: Record<Exclude<RefreshOutcome, { ok: true }>['code'], [401 | 403, string]> = {
  session_revoked: [401, 'This session was signed out or revoked; sign in again'],
  session_expired: [401, 'This session has ended; sign in again'],
  user_disabled: [403, 'This account is disabled'],
  user_not_found: [401, 'The user of this session no longer exists; sign in again'],
};

/** The error for a session that D1 says is over. */
export function sessionRefused(code: Exclude<RefreshOutcome, { ok: true }>['code']) {
  const [status, message] = REFRESH_FAILURES[code];
  return apiError(status, code, message);
}

/**
 * Authenticates a request and sets `c.var.session` and `c.var.authMethod`.
 *
 * - `Authorization: Bearer <access token>` (typ `at+jwt`, `aud` = this API):
 *   verified with the public keys only; failures carry `WWW-Authenticate`.
 *   When the header is present the cookie is not consulted.
 * - Otherwise the session cookie. A fresh token costs no D1 query. A genuine
 *   token whose `exp` has passed costs one D1 round trip: the session row must
 *   be live, not revoked, its user enabled; then the token is re-signed and the
 *   refreshed cookie set on this response.
 *
 * With `allowBearer: false` only the cookie counts (e.g. minting access tokens).
 *
 * @example app.use('/api/*', requireSession())
 */
export function requireSession(options: { allowBearer?: boolean } = {}) {
  const allowBearer = options.allowBearer ?? true;
  return createMiddleware<AppEnv>(async function requireSession(c, next) {
    const authorization = c.req.header('authorization');
    if (allowBearer && authorization !== undefined && /^bearer\b/i.test(authorization)) {
      c.set('session', await authenticateBearer(c, authorization));
      c.set('authMethod', 'bearer');
    } else {
      c.set('session', await authenticateCookie(c));
      c.set('authMethod', 'cookie');
    }
    await next();
  });
}

async function authenticateBearer(c: Context<AppEnv>, authorization: string): Promise<SessionClaims> {
  const { config, keys } = c.var;
  const challenge = (error: string, description: string) => ({
    'WWW-Authenticate': `Bearer realm="${config.apiOrigin}", error="${error}", error_description="${description}"`,
  });
  const token = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization)?.[1];
  if (!token) {
    throw apiError(401, 'invalid_session', 'The Authorization header must be "Bearer <token>"', {
      headers: challenge('invalid_request', 'malformed Authorization header'),
    });
  }
  const result = await verifyToken(ACCESS_TOKEN_TYP, token, keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    maxLifetime: config.accessTokenTtl,
  });
  if (result.ok) return result.claims;
  const expired = result.code === 'session_expired';
  throw apiError(
    401,
    result.code,
    expired
      ? 'The access token has expired; get a new one from POST /auth/token'
      : 'The access token is not valid: malformed, tampered with, signed by an unknown key, not an access token, or issued for another audience',
    { cause: result.detail, headers: challenge('invalid_token', expired ? 'expired' : 'invalid') },
  );
}

async function authenticateCookie(c: Context<AppEnv>): Promise<SessionClaims> {
  const { config, keys } = c.var;
  const cookie = readSessionCookie(c.req.header('cookie'), config.sessionCookieName);
  if (cookie.kind === 'absent') {
    throw apiError(
      401,
      'missing_session',
      `No ${config.sessionCookieName} cookie was sent; sign in at ${config.apiOrigin}/auth/signin`,
      { headers: { 'WWW-Authenticate': `Bearer realm="${config.apiOrigin}"` } },
    );
  }
  if (cookie.kind === 'rejected' && cookie.reason === 'oversized') {
    throw apiError(401, 'invalid_session', `The ${config.sessionCookieName} cookie is oversized`);
  }
  if (cookie.kind === 'rejected') {
    // Nothing is picked between copies. The copies that are not ours (another Path, or host-only) are
    // deleted, so a cookie tossed by a sibling subdomain costs the browser one refused request, not its session.
    const clears = sessionCookieClears(config, {
      names: [config.sessionCookieName],
      requestPath: c.req.path,
      keepOurs: true,
    });
    throw apiError(
      401,
      'invalid_session',
      `The ${config.sessionCookieName} cookie was sent ${cookie.count} times (one may have been set by another subdomain): nothing is picked; the copies Sitewide did not set are being cleared, retry`,
      { headers: clears.map((clear): [string, string] => ['Set-Cookie', clear]) },
    );
  }
  const at = new Date();
  const result = await verifySessionToken(cookie.value, keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    maxLifetime: config.sessionTokenTtl,
    now: at,
  });
  if (result.ok) return result.claims;
  if (result.expiredClaims) return refresh(c, result.expiredClaims, at);
  throw apiError(401, result.code, INVALID_TOKEN_MESSAGE, { cause: result.detail });
}

async function refresh(c: Context<AppEnv>, expired: SessionClaims, at: Date): Promise<SessionClaims> {
  const { config, keys } = c.var;
  const db = createDb(c.env.DB);
  const outcome = await guardDb(() =>
    refreshSession(db, {
      sessionId: expired.sid,
      userId: expired.sub,
      now: at,
      lifetimes: lifetimesOf(config),
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
    throw sessionRefused(outcome.code);
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
