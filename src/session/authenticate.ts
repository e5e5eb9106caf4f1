import { serialize } from 'hono/utils/cookie';
import type { Config } from '../config/config';
import type { Db } from '../db/client';
import { ApiError, type ErrorCode } from '../errors';
import { snapshotOf } from '../revocation/snapshot';
import type { RequestMeta } from '../users/auth-events';
import { readSessionCookie, sessionCookieClears, sessionCookieOptions } from './cookie';
import type { SigningKeys } from './keys';
import { type RenewedSession, renewSession, sessionRefused } from './refresh';
import { type SessionClaims, verifySessionToken } from './token';

/**
 * The one way a session cookie is authenticated, for `/api/*` (requireSession),
 * `POST /auth/refresh` and the gate (src/gate): cookie → verify → revocation
 * snapshot → renew. Every outcome is a value; only bugs throw.
 */

export const INVALID_TOKEN_MESSAGE =
  'The session token is not valid: malformed, tampered with, signed by an unknown key, or issued for another service';

/** What authentication needs of the request and the Worker: the edges build it (Hono context, or the gate). */
export interface AuthenticateDeps {
  config: Config;
  keys: SigningKeys;
  /** The Worker's env: its revocation feed binding (the snapshot is one per env object). */
  env: Env;
  /** The request's `waitUntil`, for the snapshot's background polls. */
  waitUntil: (promise: Promise<unknown>) => void;
  /** The D1 that holds `userId`'s sessions, for the renewal's read (a replica may answer). */
  sessionDb: (userId: string) => Db;
  /** IP and user agent, for the audit row of a refused renewal (read only then). */
  meta: () => RequestMeta;
  /** The request's path: copies of the cookie tossed at a deeper Path are cleared there too. */
  path: string;
}

export interface Authenticated {
  ok: true;
  /** The verified caller: the token's claims, or the renewed token's. */
  claims: SessionClaims;
  /** The token the request is authenticated with: the cookie's, or the renewed one. */
  token: string;
  /** After a renewal: what D1 said, and the Set-Cookie header that carries the new token. */
  renewed?: RenewedSession;
  renewedCookie?: string;
}

export interface Refused {
  ok: false;
  status: 401 | 403 | 503;
  code: ErrorCode;
  message: string;
  /** Set-Cookie headers to send with the refusal (clears of cookie copies Sitewide did not set). */
  clears?: string[];
  /** Other headers the refusal carries (`Retry-After` on a 503). */
  headers?: Record<string, string>;
  /** For the log, never for the client. */
  cause?: unknown;
}

export type Authentication = Authenticated | Refused;

export interface AuthenticateOptions {
  /** The request's time. */
  at: Date;
  /** `expired` (default): renew only an expired token; `always`: renew a fresh one too (POST /auth/refresh). */
  renew?: 'expired' | 'always';
  /**
   * Called with the verified, unrevoked claims just before the renewal reads D1 (POST /auth/refresh
   * spends the session's refresh budget here). What it throws (an ApiError: `429 rate_limited`)
   * propagates to the caller.
   */
  beforeRenew?: (claims: SessionClaims) => Promise<void>;
}

/**
 * Authenticates the session cookie of a `Cookie` header:
 *
 * 1. the one session cookie, read by readSessionCookie: none → `missing_session`;
 *    oversized or sent several times → `invalid_session` (copies we did not set are cleared);
 * 2. its token verified with every option pinned: not genuine → `invalid_session`;
 *    genuine but expired → renewed in step 4;
 * 3. this isolate's snapshot of the revocation feed (no D1 read): `session_revoked`;
 * 4. an expired token (or any, with `renew: 'always'`) renewed against D1 (renewSession:
 *    live, not revoked, user enabled and admitted; re-signed with the profile and roles):
 *    its refusals, or `503 service_unavailable` when D1 fails.
 *
 * A fresh token costs no D1 query and, while the snapshot is fresh, no await but the verify cache's.
 *
 * @example
 * const result = await authenticateSession(request.headers.get('cookie'), deps, { at: new Date() });
 * if (!result.ok) return Response.json({ error: { code: result.code, message: result.message } }, { status: result.status });
 */
export async function authenticateSession(
  cookieHeader: string | null | undefined,
  deps: AuthenticateDeps,
  options: AuthenticateOptions,
): Promise<Authentication> {
  const { config, keys } = deps;
  const { at } = options;
  const cookie = readSessionCookie(cookieHeader, config.sessionCookieName);
  if (cookie.kind !== 'present') return unreadableCookie(cookie, deps);

  const verified = await verifySessionToken(cookie.value, keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    maxLifetime: config.sessionTokenTtl,
    now: at,
  });
  if (!verified.ok && !verified.expiredClaims) {
    return refused(401, verified.code, INVALID_TOKEN_MESSAGE, { cause: verified.detail });
  }
  const claims = verified.ok ? verified.claims : (verified.expiredClaims as SessionClaims);

  const revoked = revokedInSnapshot(deps, claims);
  if (revoked === true || (revoked !== false && (await revoked))) return refusalOf(sessionRefused('session_revoked'));
  if (verified.ok && options.renew !== 'always') return { ok: true, claims, token: cookie.value };
  if (options.beforeRenew) await options.beforeRenew(claims);

  let renewed: RenewedSession;
  try {
    // The refresh SELECT may read a replica: the revocation snapshot was consulted first.
    renewed = await renewSession({ db: deps.sessionDb(claims.sub), config, keys, meta: deps.meta() }, claims, at);
  } catch (error) {
    // renewSession's refusals and D1's 503 are ApiErrors; anything else is a bug.
    if (error instanceof ApiError) return refusalOf(error);
    throw error;
  }
  const renewedCookie = serialize(config.sessionCookieName, renewed.token, {
    ...sessionCookieOptions(config),
    maxAge: renewed.maxAge,
  });
  return { ok: true, claims: renewed.claims, token: renewed.token, renewed, renewedCookie };
}

/**
 * Whether this isolate's snapshot of the revocation feed holds the token's
 * session, or its user revoked everything after the token's `iat`. No D1
 * read: the snapshot is polled at most once per REVOCATION_POLL, and answers
 * synchronously while it is fresh (the hot path adds two Map lookups, no await).
 */
export function revokedInSnapshot(
  deps: Pick<AuthenticateDeps, 'env' | 'config' | 'waitUntil'>,
  claims: { sub: string; sid: string; iat: number },
): boolean | Promise<boolean> {
  const snapshot = snapshotOf(deps.env, deps.config);
  const polling = snapshot.fresh(deps.waitUntil);
  return polling ? polling.then(() => snapshot.refuses(claims)) : snapshot.refuses(claims);
}

function unreadableCookie(
  cookie: Exclude<ReturnType<typeof readSessionCookie>, { kind: 'present' }>,
  deps: AuthenticateDeps,
): Refused {
  const { config } = deps;
  const name = config.sessionCookieName;
  if (cookie.kind === 'absent') {
    return refused(401, 'missing_session', `No ${name} cookie was sent; sign in at ${config.apiOrigin}/auth/signin`);
  }
  if (cookie.reason === 'oversized') return refused(401, 'invalid_session', `The ${name} cookie is oversized`);
  // Nothing is picked between copies. The copies that are not ours (another Path, or host-only) are
  // deleted, so a cookie tossed by a sibling subdomain costs the browser one refused request, not its session.
  return refused(
    401,
    'invalid_session',
    `The ${name} cookie was sent ${cookie.count} times (one may have been set by another subdomain): nothing is picked; the copies Sitewide did not set are being cleared, retry`,
    { clears: sessionCookieClears(config, { names: [name], requestPath: deps.path, keepOurs: true }) },
  );
}

function refused(
  status: Refused['status'],
  code: ErrorCode,
  message: string,
  more: Pick<Refused, 'clears' | 'headers' | 'cause'> = {},
): Refused {
  return { ok: false, status, code, message, ...more };
}

/** An ApiError thrown below (renewSession's refusals, guardDb's 503) as a value. */
function refusalOf(error: ApiError): Refused {
  const retryAfter = error.res?.headers.get('retry-after');
  return refused(error.status as Refused['status'], error.code, error.message, {
    ...(retryAfter ? { headers: { 'Retry-After': retryAfter } } : {}),
    ...(error.cause !== undefined ? { cause: error.cause } : {}),
  });
}
