import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, AuthedEnv } from '../app-env';
import { clientTokenRefusal } from '../clients/refuse-client-token';
import { apiError } from '../errors';
import { snapshotOf } from '../revocation/snapshot';
import { readSessionCookie, sessionCookieClears, sessionCookieOptions } from '../session/cookie';
import { type RenewedSession, renewSession, sessionRefused } from '../session/refresh';
import { ACCESS_TOKEN_TYP, type SessionClaims, verifySessionToken, verifyToken } from '../session/token';
import { requestMetaOf } from '../users/auth-events';
import { requestDb } from './request-db';

export const INVALID_TOKEN_MESSAGE =
  'The session token is not valid: malformed, tampered with, signed by an unknown key, or issued for another service';

/**
 * Authenticates a request and sets `c.var.session` and `c.var.authMethod`.
 *
 * - `Authorization: Bearer <access token>` (typ `at+jwt`, `aud` = this API):
 *   verified with the public keys only; failures carry `WWW-Authenticate`.
 *   When the header is present the cookie is not consulted.
 * - Otherwise the session cookie. A fresh token costs no D1 query. A genuine
 *   token whose `exp` has passed costs one D1 read (plus a write about once a
 *   day, SESSION_SLIDE_INTERVAL): the session row must be live, not revoked,
 *   its user enabled and admitted; then the token is re-signed (with the
 *   profile and roles) and the refreshed cookie set on this response.
 * - Either way, the token's `sid` (and its user, by `iat`) is checked against
 *   this isolate's snapshot of the revocation feed, refreshed every
 *   REVOCATION_POLL seconds (src/revocation/snapshot.ts): `401 session_revoked`.
 *
 * With `allowBearer: false` only the cookie counts (e.g. minting access tokens).
 *
 * @example app.use('/api/*', requireSession())
 */
export function requireSession(options: { allowBearer?: boolean } = {}) {
  const allowBearer = options.allowBearer ?? true;
  return createMiddleware<AuthedEnv>(async function requireSession(c, next) {
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

async function authenticateBearer(c: Context<AuthedEnv>, authorization: string): Promise<SessionClaims> {
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
  if (result.ok) {
    const revoked = isRevoked(c, result.claims);
    if (revoked === false || (revoked !== true && !(await revoked))) return result.claims;
    throw apiError(401, 'session_revoked', 'The session this access token was issued from was signed out or revoked', {
      headers: challenge('invalid_token', 'revoked'),
    });
  }
  // A service client's token has no `sid`: it fails as a user's, and is refused with its own code.
  const refusal = await clientTokenRefusal(token, keys, config);
  if (refusal) throw refusal;
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

/**
 * The request's one session cookie value, read only through readSessionCookie;
 * throws the refusal /api answers: `missing_session`, or `invalid_session` for
 * an oversized cookie or several copies (whose copies we did not set are cleared).
 */
export function sessionCookieValue<E extends AppEnv>(c: Context<E>): string {
  const { config } = c.var;
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
  return cookie.value;
}

/**
 * The session cookie's token, verified: its claims and whether they are fresh.
 * A token that is not genuine (or only expired) throws its 401; an expired
 * genuine one comes back with `fresh: false`, for the caller to renew.
 */
export async function verifyCookieToken<E extends AppEnv>(
  c: Context<E>,
  at: Date,
): Promise<{ claims: SessionClaims; fresh: boolean }> {
  const { config, keys } = c.var;
  const result = await verifySessionToken(sessionCookieValue(c), keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    maxLifetime: config.sessionTokenTtl,
    now: at,
  });
  if (result.ok) return { claims: result.claims, fresh: true };
  if (result.expiredClaims) return { claims: result.expiredClaims, fresh: false };
  throw apiError(401, result.code, INVALID_TOKEN_MESSAGE, { cause: result.detail });
}

async function authenticateCookie(c: Context<AuthedEnv>): Promise<SessionClaims> {
  const at = new Date();
  const { claims, fresh } = await verifyCookieToken(c, at);
  const revoked = isRevoked(c, claims);
  if (revoked === true || (revoked !== false && (await revoked))) throw sessionRefused('session_revoked');
  return fresh ? claims : refresh(c, claims, at);
}

/**
 * Whether this isolate's snapshot of the revocation feed holds the token's
 * session, or its user revoked everything after the token's `iat`. No D1
 * read: the snapshot is polled at most once per REVOCATION_POLL.
 */
export function isRevoked<E extends AppEnv>(
  c: Context<E>,
  claims: { sub: string; sid: string; iat: number },
): boolean | Promise<boolean> {
  const snapshot = snapshotOf(c.env, c.var.config);
  const polling = snapshot.fresh((promise) => waitUntilOf(c, promise));
  // Synchronous while the snapshot is fresh: the hot path adds two Map lookups, no await.
  return polling ? polling.then(() => snapshot.refuses(claims)) : snapshot.refuses(claims);
}

function waitUntilOf<E extends AppEnv>(c: Context<E>, promise: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    // No execution context (app.request in a test): the promise runs on its own.
  }
}

async function refresh(c: Context<AuthedEnv>, expired: SessionClaims, at: Date): Promise<SessionClaims> {
  return (await renewCookieSession(c, expired, at)).claims;
}

/**
 * Renews the session of a genuine token against D1 (renewSession: live, not
 * revoked, user enabled and admitted) and sets the new cookie, with the
 * attributes sign-in gave it, on this response. Also POST /auth/refresh's path.
 */
export async function renewCookieSession<E extends AppEnv>(
  c: Context<E>,
  claims: SessionClaims,
  at: Date,
): Promise<RenewedSession> {
  const { config, keys } = c.var;
  // The refresh SELECT may read a replica (or the browser's bookmark): the revocation snapshot was consulted first.
  const db = requestDb(c, 'replica', claims.sub);
  const renewed = await renewSession({ db, config, keys, meta: requestMetaOf(c.req.raw.headers) }, claims, at);
  setCookie(c, config.sessionCookieName, renewed.token, { ...sessionCookieOptions(config), maxAge: renewed.maxAge });
  return renewed;
}
