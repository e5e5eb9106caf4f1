import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from './keys';

/**
 * The two token types Sitewide signs. Each has its own `typ` header, pinned on
 * verify, so one can never be replayed as the other.
 */
export const SESSION_TOKEN_TYP = 'sitewide-session+jwt';
/** RFC 9068 JWT access token, for `Authorization: Bearer`. */
export const ACCESS_TOKEN_TYP = 'at+jwt';
export type TokenTyp = typeof SESSION_TOKEN_TYP | typeof ACCESS_TOKEN_TYP;

/** Claims of both token types. */
export interface SessionClaims {
  iss: string;
  aud: string;
  /** Our user id (not the Google sub). */
  sub: string;
  /** Session id: the row in `sessions` the token was issued from. */
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
 * Signs a token of type `typ`: compact JWS, ES256, header `kid` and `typ`.
 * `iat`/`exp` may be passed to re-sign an existing token without extending it.
 */
export function signToken(
  typ: TokenTyp,
  input: { sub: string; sid: string; iat?: number; exp?: number; ttl: number },
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<string> {
  const iat = input.iat ?? seconds(ctx.now ?? new Date());
  const jwt = new SignJWT({ sid: input.sid })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ })
    .setIssuer(ctx.issuer)
    .setAudience(ctx.audience)
    .setSubject(input.sub)
    .setIssuedAt(iat)
    .setExpirationTime(input.exp ?? iat + input.ttl);
  // RFC 9068 §2.2: access tokens carry a unique id.
  if (typ === ACCESS_TOKEN_TYP) jwt.setJti(crypto.randomUUID());
  return jwt.sign(keys.current.privateKey);
}

function asClaims(payload: JWTPayload): SessionClaims | undefined {
  const { iss, aud, sub, sid, iat, exp } = payload;
  if (typeof sub !== 'string' || !sub || typeof sid !== 'string' || !sid) return undefined;
  if (typeof iss !== 'string' || typeof aud !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  return { iss, aud, sub, sid, iat, exp };
}

/** How many verified tokens an isolate remembers (a browser sends the same token for up to its TTL). */
const VERIFIED_CACHE_SIZE = 10_000;
const verifiedByKeys = new WeakMap<SigningKeys, Map<string, SessionClaims>>();

/**
 * Verifies a token of type `typ` with every option pinned: alg ES256, known
 * `kid`, `typ`, `iss`, `aud`, required claims. Expected failures come back as values.
 *
 * A token string that verified before under the same key set, type, issuer and
 * audience is not verified again until its `exp`: the ECDSA check (~100 µs) is
 * nearly the whole cost of authenticating a fresh token, and its answer for the
 * same bytes cannot change. Only successes are kept; rotating keys brings a new
 * key set and so a new cache; the revocation bound (one token lifetime) is unchanged.
 */
export async function verifyToken(
  typ: TokenTyp,
  token: string,
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<VerifyResult> {
  let cache = verifiedByKeys.get(keys);
  if (!cache) {
    cache = new Map();
    verifiedByKeys.set(keys, cache);
  }
  const cacheKey = `${typ} ${ctx.issuer} ${ctx.audience} ${token}`;
  const hit = cache.get(cacheKey);
  if (hit) {
    if (hit.exp > seconds(ctx.now ?? new Date())) return { ok: true, claims: hit };
    cache.delete(cacheKey);
  }
  const result = await verifyUncached(typ, token, keys, ctx);
  if (result.ok) {
    // Bounded: the oldest entry makes room.
    if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, Object.freeze(result.claims));
  }
  return result;
}

async function verifyUncached(
  typ: TokenTyp,
  token: string,
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<VerifyResult> {
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
        typ,
        issuer: ctx.issuer,
        audience: ctx.audience,
        requiredClaims: ['sub', 'sid', 'iat', 'exp'],
        currentDate: ctx.now,
      },
    );
    const claims = asClaims(payload);
    if (!claims) return { ok: false, code: 'invalid_session', reason: 'claims have the wrong types' };
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      // jose checks the signature and the other claims before exp, so these are trustworthy.
      return { ok: false, code: 'session_expired', reason: error.message, expiredClaims: asClaims(error.payload) };
    }
    if (error instanceof errors.JOSEError) {
      return { ok: false, code: 'invalid_session', reason: `${error.code}: ${error.message}` };
    }
    throw error;
  }
}

/** The session cookie's token. */
export const signSessionToken = (
  input: Parameters<typeof signToken>[1],
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<string> => signToken(SESSION_TOKEN_TYP, input, keys, ctx);

export const verifySessionToken = (token: string, keys: SigningKeys, ctx: TokenContext): Promise<VerifyResult> =>
  verifyToken(SESSION_TOKEN_TYP, token, keys, ctx);
