import type { Config } from '../config/config';
import type { Db } from '../db/client';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { insertAuthEvent, type RequestMeta } from '../users/auth-events';
import { lifetimesOf, type RefreshOutcome, refreshSession } from '../users/sessions';
import type { SigningKeys } from './keys';
import { profileClaimsOf, type SessionClaims, signSessionToken, type TokenProfile } from './token';

type RefusalCode = Exclude<RefreshOutcome, { ok: true }>['code'];

const REFUSALS: Record<RefusalCode, [401 | 403, string]> = {
  session_revoked: [401, 'This session was signed out or revoked; sign in again'],
  session_expired: [401, 'This session has ended; sign in again'],
  user_disabled: [403, 'This account is disabled'],
  user_not_found: [401, 'The user of this session no longer exists; sign in again'],
  access_denied: [403, "This account is no longer admitted by this site's sign-in policy"],
};

/** The error for a session that D1 says is over. */
export function sessionRefused(code: RefusalCode) {
  const [status, message] = REFUSALS[code];
  return apiError(status, code, message);
}

export interface RenewedSession {
  claims: SessionClaims;
  /** The new token for the cookie, and the cookie's Max-Age: what is left of the session. */
  token: string;
  maxAge: number;
  /** The user's profile as D1 holds it now (the token carries each part within its cap). */
  profile: TokenProfile;
  /** This refresh wrote the sliding expiry (SESSION_SLIDE_INTERVAL had passed since the last slide). */
  slid: boolean;
}

/** The refresh inputs a Config decides: lifetimes and the admission policy. */
export function refreshPolicyOf(config: Config) {
  return { lifetimes: lifetimesOf(config), admission: config.admission };
}

/**
 * Renews a session whose genuine token has expired: one D1 read checks the row
 * is live, unrevoked, within its caps, its user enabled and still admitted,
 * and brings the profile and roles; the sliding expiry is written only when
 * the last slide is SESSION_SLIDE_INTERVAL old (a second round trip, about
 * once a day per session); then a new token is signed. A refusal is recorded in
 * `auth_events` and thrown as its error; a D1 failure as `503`.
 */
export async function renewSession(
  deps: { db: Db; config: Config; keys: SigningKeys; meta: RequestMeta },
  expired: SessionClaims,
  at: Date,
): Promise<RenewedSession> {
  const { db, config, keys } = deps;
  const outcome = await guardDb(() =>
    refreshSession(db, { sessionId: expired.sid, userId: expired.sub, now: at, ...refreshPolicyOf(config) }),
  );
  if (!outcome.ok) {
    await guardDb(() =>
      insertAuthEvent(db, {
        kind: 'refresh_failed',
        detail: outcome.code === 'access_denied' ? `access_denied ${outcome.detail}` : outcome.code,
        userId: expired.sub,
        sessionId: expired.sid,
        now: at,
        // A deleted user's audit rows keep no personal data: nor does one written after the deletion.
        meta: outcome.code === 'user_not_found' ? { ip: null, userAgent: null } : deps.meta,
      }),
    );
    throw sessionRefused(outcome.code);
  }
  const { roles, profile } = outcome;
  const token = await signSessionToken(
    { sub: expired.sub, sid: expired.sid, ttl: config.sessionTokenTtl, roles, profile },
    keys,
    { issuer: config.apiOrigin, audience: config.apiOrigin, now: at },
  );
  const iat = Math.floor(at.getTime() / 1000);
  // The expired token's profile claims give way to what the new token carries.
  const { email: _e, name: _n, picture: _p, ...identity } = expired;
  return {
    claims: {
      ...identity,
      iat,
      exp: iat + config.sessionTokenTtl,
      roles: Object.freeze(roles),
      ...profileClaimsOf(profile),
    },
    token,
    maxAge: Math.max(0, Math.floor((outcome.expiresAt - at.getTime()) / 1000)),
    profile,
    slid: outcome.slid,
  };
}
