import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from './keys';

/** `typ` header of the session token; an access token (another typ) is never accepted as a session. */
export const SESSION_TOKEN_TYP = 'sitewide-session+jwt';

export interface SessionClaims {
  iss: string;
  aud: string;
  /** Our user id (not the Google sub). */
  sub: string;
  /** Session id: the row in `sessions`. */
  sid: string;
  iat: number;
  exp: number;
}

export interface TokenContext {
  issuer: string;
  audience: string;
  /** Injected clock: tests pass a fixed date. */
  now?: Date;
}

export type VerifyFailure = {
  ok: false;
  code: 'invalid_session' | 'session_expired';
  /** For the log: jose's code and reason. */
  reason: string;
  /** Present when only `exp` failed: the signature and every other claim checked out. */
  expiredClaims?: SessionClaims;
};
export type VerifyResult = { ok: true; claims: SessionClaims } | VerifyFailure;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Signs a session token: compact JWS, ES256, header `kid` and `typ`.
 * `iat`/`exp` may be passed to re-sign an existing token without extending it.
 */
export function signSessionToken(
  input: { sub: string; sid: string; iat?: number; exp?: number; ttl: number },
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<string> {
  const iat = input.iat ?? seconds(ctx.now ?? new Date());
  return new SignJWT({ sid: input.sid })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ: SESSION_TOKEN_TYP })
    .setIssuer(ctx.issuer)
    .setAudience(ctx.audience)
    .setSubject(input.sub)
    .setIssuedAt(iat)
    .setExpirationTime(input.exp ?? iat + input.ttl)
    .sign(keys.current.privateKey);
}

function asSessionClaims(payload: JWTPayload): SessionClaims | undefined {
  const { iss, aud, sub, sid, iat, exp } = payload;
  if (typeof sub !== 'string' || !sub || typeof sid !== 'string' || !sid) return undefined;
  if (typeof iss !== 'string' || typeof aud !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  return { iss, aud, sub, sid, iat, exp };
}

/**
 * Verifies a session token with every option pinned: alg ES256, known `kid`,
 * `typ`, `iss`, `aud`, required claims. Expected failures come back as values.
 */
export async function verifySessionToken(token: string, keys: SigningKeys, ctx: TokenContext): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keys.verify.get(header.kid);
        if (!key) throw new errors.JWKSNoMatchingKey(`no signing key with kid '${String(header.kid)}'`);
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        typ: SESSION_TOKEN_TYP,
        issuer: ctx.issuer,
        audience: ctx.audience,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
        currentDate: ctx.now,
      },
    );
    const claims = asSessionClaims(payload);
    if (!claims) return { ok: false, code: 'invalid_session', reason: 'claims have the wrong types' };
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      // jose checks the signature and the other claims before exp, so these are trustworthy.
      return {
        ok: false,
        code: 'session_expired',
        reason: error.message,
        expiredClaims: asSessionClaims(error.payload),
      };
    }
    if (error instanceof errors.JOSEError) {
      return { ok: false, code: 'invalid_session', reason: `${error.code}: ${error.message}` };
    }
    throw error;
  }
}
