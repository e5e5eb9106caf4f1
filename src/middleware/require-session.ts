import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, AuthedEnv } from '../app-env';
import { clientTokenRefusal } from '../clients/refuse-client-token';
import type { Config } from '../config/config';
import { apiError } from '../errors';
import {
  type AuthenticateDeps,
  type Authenticated,
  authenticateSession,
  type Refused,
  revokedInSnapshot,
} from '../session/authenticate';
import { ACCESS_TOKEN_TYP, type SessionClaims, verifyToken } from '../session/token';
import { requestMetaOf } from '../users/auth-events';
import { requestDb } from './request-db';

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
      c.set('session', (await authenticateCookie(c)).claims);
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

/** What authenticateSession needs, from a Hono context: D1 through the request's D1 sessions (db/request-db). */
export function authenticateDepsOf<E extends AppEnv>(c: Context<E>): AuthenticateDeps {
  return {
    config: c.var.config,
    keys: c.var.keys,
    env: c.env,
    waitUntil: (promise) => waitUntilOf(c, promise),
    sessionDb: (userId) => requestDb(c, 'replica', userId),
    meta: () => requestMetaOf(c.req.raw.headers),
    path: c.req.path,
  };
}

/**
 * The session cookie of the request, authenticated (src/session/authenticate.ts),
 * as /api answers it: a refusal is thrown as its error (`missing_session` with
 * `WWW-Authenticate`, clears of tossed copies as Set-Cookie); a renewed cookie
 * is set on this response. (POST /auth/refresh calls authenticateSession itself, with its budgets.)
 */
async function authenticateCookie<E extends AppEnv>(c: Context<E>): Promise<Authenticated> {
  const result = await authenticateSession(c.req.header('cookie'), authenticateDepsOf(c), { at: new Date() });
  if (!result.ok) throw refusalError(result, c.var.config);
  if (result.renewedCookie) c.header('Set-Cookie', result.renewedCookie, { append: true });
  return result;
}

/** A refusal as the ApiError /api throws. */
export function refusalError(refusal: Refused, config: Config) {
  const headers: Array<[string, string]> = [
    ...(refusal.code === 'missing_session'
      ? [['WWW-Authenticate', `Bearer realm="${config.apiOrigin}"`] as [string, string]]
      : []),
    ...(refusal.clears ?? []).map((clear): [string, string] => ['Set-Cookie', clear]),
    ...Object.entries(refusal.headers ?? {}),
  ];
  return apiError(refusal.status, refusal.code, refusal.message, {
    ...(refusal.cause !== undefined ? { cause: refusal.cause } : {}),
    ...(headers.length ? { headers } : {}),
  });
}

/**
 * Whether this isolate's snapshot of the revocation feed holds the token's
 * session, or its user revoked everything after the token's `iat`
 * (revokedInSnapshot). No D1 read; lighter deps than authenticateDepsOf, for the Bearer path.
 */
function isRevoked<E extends AppEnv>(
  c: Context<E>,
  claims: { sub: string; sid: string; iat: number },
): boolean | Promise<boolean> {
  return revokedInSnapshot({ env: c.env, config: c.var.config, waitUntil: (p) => waitUntilOf(c, p) }, claims);
}

function waitUntilOf<E extends AppEnv>(c: Context<E>, promise: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(promise);
  } catch {
    // No execution context (app.request in a test): the promise runs on its own.
  }
}
