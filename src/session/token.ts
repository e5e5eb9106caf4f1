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
  /**
   * The user's roles (`user_roles`) when the token was signed: stale by at
   * most one token lifetime. Omitted from the token when empty, so a token
   * without the claim (every token signed before roles existed) means none.
   */
  roles: readonly string[];
  /**
   * The user's profile when the token was signed (session tokens): `null` when
   * the user has none, absent (`undefined`) when the token does not carry it
   * (signed before profiles rode in the token, or the value exceeded its cap):
   * then ask D1. Stale by at most one token lifetime, like `roles`.
   */
  email?: string | null;
  name?: string | null;
  picture?: string | null;
}

/** What a session token carries to render the user without a D1 read. */
export interface TokenProfile {
  email: string | null;
  name: string | null;
  picture: string | null;
}

/**
 * Longest values a token carries (UTF-16 code units): a longer one is left out
 * of the token (never truncated: a cut URL or address is wrong), and readers
 * fall back to D1 for it. Keeps a session token near 1 KB in the worst case.
 */
export const PROFILE_CLAIM_CAPS: Readonly<Record<keyof TokenProfile, number>> = Object.freeze({
  email: 254,
  name: 200,
  picture: 1000,
});

/** The profile claims a token carries: each within its cap, `null` kept (it means "none"). */
export function profileClaimsOf(profile: TokenProfile): Partial<TokenProfile> {
  const claims: Partial<TokenProfile> = {};
  for (const key of ['email', 'name', 'picture'] as const) {
    const value = profile[key];
    if (value === null || value.length <= PROFILE_CLAIM_CAPS[key]) claims[key] = value;
  }
  return claims;
}

/** The whole profile from verified claims, or undefined when any part is not carried. */
export function profileFromClaims(claims: SessionClaims): TokenProfile | undefined {
  const { email, name, picture } = claims;
  if (email === undefined || name === undefined || picture === undefined) return undefined;
  return { email, name, picture };
}

export interface TokenContext {
  issuer: string;
  audience: string;
  /** Injected clock: tests pass a fixed date. */
  now?: Date;
}

export interface VerifyContext extends TokenContext {
  /** The TTL of this token type, seconds: a token whose `exp - iat` exceeds it (plus skew) is refused. */
  maxLifetime: number;
}

/** Clock difference tolerated between the signer and us, for `iat` and the lifetime cap. */
export const CLOCK_SKEW_SECONDS = 60;

/** Why a token was refused, as a field to switch on (never parsed back out of a message). */
export type VerifyReason =
  | 'expired'
  | 'lifetime_exceeded'
  | 'issued_in_future'
  | 'unknown_key'
  | 'bad_signature'
  | 'alg_not_allowed'
  | 'claim_mismatch'
  | 'malformed';

export type VerifyFailure = {
  ok: false;
  code: 'invalid_session' | 'session_expired';
  reason: VerifyReason;
  /** jose's error code, when jose refused it (e.g. `ERR_JWT_CLAIM_VALIDATION_FAILED`). */
  joseCode?: string;
  /** The claim jose refused (`iss`, `aud`, `typ`…), when it says. */
  claim?: string;
  /** For the log, never for the client: jose's message or ours. */
  detail: string;
  /** Present when only `exp` failed: the signature and every other claim checked out. */
  expiredClaims?: SessionClaims;
};
export type VerifyResult = { ok: true; claims: SessionClaims } | VerifyFailure;

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Signs a token of type `typ`: compact JWS, ES256, header `kid` and `typ`.
 * `iat`/`exp` may be passed to re-sign an existing token without extending it.
 * `clientId` is the access token's `client_id` (RFC 9068 §2.2): the client that
 * requested it. POST /auth/token passes the requesting app's Origin. Ignored
 * for session tokens.
 */
export function signToken(
  typ: TokenTyp,
  input: {
    sub: string;
    sid: string;
    iat?: number;
    exp?: number;
    ttl: number;
    clientId?: string;
    roles?: readonly string[];
    /** Session tokens only: email, name, picture (each within PROFILE_CLAIM_CAPS). */
    profile?: TokenProfile;
  },
  keys: SigningKeys,
  ctx: TokenContext,
): Promise<string> {
  const iat = input.iat ?? seconds(ctx.now ?? new Date());
  const access = typ === ACCESS_TOKEN_TYP;
  // RFC 9068 §2.2: an access token names the client that requested it.
  const clientId = access && input.clientId !== undefined ? { client_id: input.clientId } : {};
  const roles = input.roles?.length ? { roles: [...input.roles] } : {};
  const profile = !access && input.profile ? profileClaimsOf(input.profile) : {};
  const jwt = new SignJWT({ sid: input.sid, ...clientId, ...roles, ...profile })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ })
    .setIssuer(ctx.issuer)
    .setAudience(ctx.audience)
    .setSubject(input.sub)
    .setIssuedAt(iat)
    .setExpirationTime(input.exp ?? iat + input.ttl);
  // RFC 9068 §2.2: access tokens carry a unique id.
  if (access) jwt.setJti(crypto.randomUUID());
  return jwt.sign(keys.current.privateKey);
}

/** `roles`: absent means none; anything but an array of strings makes the token invalid. */
function rolesOf(value: unknown): readonly string[] | undefined {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || value.some((r) => typeof r !== 'string')) return undefined;
  return Object.freeze([...value]);
}

/** A profile claim: absent stays absent; present must be a string or null, else the token is invalid. */
const isProfileValue = (value: unknown) => value === undefined || value === null || typeof value === 'string';

function asClaims(payload: JWTPayload): SessionClaims | undefined {
  const { iss, aud, sub, sid, iat, exp, email, name, picture } = payload;
  if (typeof sub !== 'string' || !sub || typeof sid !== 'string' || !sid) return undefined;
  if (typeof iss !== 'string' || typeof aud !== 'string') return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  const roles = rolesOf(payload.roles);
  if (!roles) return undefined;
  if (!isProfileValue(email) || !isProfileValue(name) || !isProfileValue(picture)) return undefined;
  const profile: Partial<TokenProfile> = {};
  if (email !== undefined) profile.email = email as string | null;
  if (name !== undefined) profile.name = name as string | null;
  if (picture !== undefined) profile.picture = picture as string | null;
  return { iss, aud, sub, sid, iat, exp, roles, ...profile };
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
  ctx: VerifyContext,
): Promise<VerifyResult> {
  let cache = verifiedByKeys.get(keys);
  if (!cache) {
    cache = new Map();
    verifiedByKeys.set(keys, cache);
  }
  const cacheKey = `${typ} ${ctx.issuer} ${ctx.audience} ${ctx.maxLifetime} ${token}`;
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

/**
 * Refuses what jose does not check: a lifetime longer than the type's TTL (a
 * token we never sign; only a leaked key makes one) or an `iat` in the future.
 */
function lifetimeFailure(claims: SessionClaims, ctx: VerifyContext): VerifyFailure | undefined {
  const lifetime = claims.exp - claims.iat;
  // Written so that NaN, infinities and exp <= iat all fail.
  if (!(lifetime > 0 && lifetime <= ctx.maxLifetime + CLOCK_SKEW_SECONDS)) {
    return {
      ok: false,
      code: 'invalid_session',
      reason: 'lifetime_exceeded',
      detail: `exp - iat is ${lifetime} s; this token type lives at most ${ctx.maxLifetime} s`,
    };
  }
  if (claims.iat > seconds(ctx.now ?? new Date()) + CLOCK_SKEW_SECONDS) {
    return { ok: false, code: 'invalid_session', reason: 'issued_in_future', detail: 'iat is in the future' };
  }
  return undefined;
}

/** jose's error codes as our reasons. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): VerifyReason {
  switch (error.code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'unknown_key';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad_signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'alg_not_allowed';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return 'claim_mismatch';
    default:
      return 'malformed';
  }
}

async function verifyUncached(
  typ: TokenTyp,
  token: string,
  keys: SigningKeys,
  ctx: VerifyContext,
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
    if (!claims)
      return { ok: false, code: 'invalid_session', reason: 'malformed', detail: 'claims have the wrong types' };
    return lifetimeFailure(claims, ctx) ?? { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      // jose checks the signature and the other claims before exp, so these are trustworthy.
      const claims = asClaims(error.payload);
      if (!claims)
        return { ok: false, code: 'invalid_session', reason: 'malformed', detail: 'claims have the wrong types' };
      return (
        lifetimeFailure(claims, ctx) ?? {
          ok: false,
          code: 'session_expired',
          reason: 'expired',
          detail: error.message,
          expiredClaims: claims,
        }
      );
    }
    if (error instanceof errors.JOSEError) {
      const claim = error instanceof errors.JWTClaimValidationFailed ? error.claim : undefined;
      return {
        ok: false,
        code: 'invalid_session',
        reason: reasonOf(error),
        joseCode: error.code,
        ...(claim ? { claim } : {}),
        detail: `${error.code}: ${error.message}`,
      };
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

export const verifySessionToken = (token: string, keys: SigningKeys, ctx: VerifyContext): Promise<VerifyResult> =>
  verifyToken(SESSION_TOKEN_TYP, token, keys, ctx);
