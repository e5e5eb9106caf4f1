/**
 * `verifyGateAssertion()`: for an app behind Sitewide's gate (GATES), which gets who the user is in
 * request headers. The headers say it; `Sitewide-Jwt-Assertion` proves it: a short-lived ES256 JWS
 * the gate signs with Sitewide's keys, for this app's origin only. Check it when the app can be
 * reached other than through the gate (or to be sure it cannot).
 */
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { fail, quote, type SitewideFailure } from './errors.ts';
import { trimSlash } from './metadata.ts';
import { isKeySetTrouble } from './token.ts';
import { type SitewideUser, userFromClaims } from './user.ts';

/** The assertion's `typ`: never a session or access token's. */
export const GATE_ASSERTION_TYP = 'sitewide-assertion+jwt';
/** The gate signs an assertion for 60 s; one that claims to live longer (plus skew) is refused. */
const MAX_LIFETIME_SECONDS = 60 + 60;

export interface GateAssertionOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`: the assertion's `iss`, and where its keys are. */
  issuer: string;
  /** This app's origin as GATES names it, e.g. `https://wiki.example.com`: the assertion's `aud`. */
  audience: string;
  /** fetch for the JWKS (default: the global fetch). Keys are cached per function: create it once, not per request. */
  fetch?: typeof fetch;
}

export type GateAssertionResult = { ok: true; user: SitewideUser } | SitewideFailure;

/** A Request, Headers, a Node-style header record (Express `req.headers`), or the assertion itself. */
export type GateAssertionInput =
  | Request
  | Headers
  | Record<string, string | string[] | undefined>
  | string
  | null
  | undefined;

/** Key sets by JWKS URI, one map per fetch function (jose caches the keys inside each): pass the same `fetch` each time. */
const keySets = new WeakMap<object, Map<string, JWTVerifyGetKey>>();
const GLOBAL_FETCH = {};

function keySetOf(issuer: string, fetchImpl: typeof fetch | undefined): JWTVerifyGetKey {
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  let sets = keySets.get(fetchImpl ?? GLOBAL_FETCH);
  if (!sets) {
    sets = new Map();
    keySets.set(fetchImpl ?? GLOBAL_FETCH, sets);
  }
  let keys = sets.get(jwksUri);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUri), fetchImpl ? { [customFetch]: fetchImpl } : {});
    sets.set(jwksUri, keys);
  }
  return keys;
}

/** `Sitewide-Jwt-Assertion`, else `Cf-Access-Jwt-Assertion` (a gate with `headers: "cloudflare-access"`). */
function assertionOf(input: GateAssertionInput): string | undefined {
  if (typeof input === 'string') return input;
  if (!input) return undefined;
  const headers: { get(name: string): string | null } | undefined =
    typeof Request !== 'undefined' && input instanceof Request
      ? input.headers
      : typeof (input as Headers).get === 'function'
        ? (input as Headers)
        : undefined;
  if (headers) return headers.get('sitewide-jwt-assertion') ?? headers.get('cf-access-jwt-assertion') ?? undefined;
  const record = input as Record<string, string | string[] | undefined>;
  const value = record['sitewide-jwt-assertion'] ?? record['cf-access-jwt-assertion'];
  return Array.isArray(value) ? undefined : value;
}

/**
 * Verifies the gate's assertion of a request: ES256 with Sitewide's published keys (fetched from
 * `${issuer}/.well-known/jwks.json`, cached), `typ`, `iss`, `aud` = this app, `exp` and a lifetime
 * of at most a minute (plus skew). Never throws for a request: `{ ok: true, user }` (id, email,
 * name, roles; `image` is null), or a failure with Sitewide's codes (`missing_session` when there is
 * no assertion, `invalid_session`, `session_expired`; `service_unavailable` when the keys cannot be had).
 *
 * @example
 * const result = await verifyGateAssertion(req.headers, { issuer: 'https://api.example.com', audience: 'https://wiki.example.com' });
 * if (!result.ok) return res.status(result.status).json(errorBody(result));
 */
export async function verifyGateAssertion(
  input: GateAssertionInput,
  options: GateAssertionOptions,
): Promise<GateAssertionResult> {
  if (typeof options?.issuer !== 'string' || typeof options.audience !== 'string') {
    throw new TypeError('verifyGateAssertion: pass { issuer: Sitewide’s origin, audience: this app’s gated origin }');
  }
  const issuer = trimSlash(options.issuer);
  const audience = trimSlash(options.audience);
  const assertion = assertionOf(input);
  if (!assertion) {
    return fail(
      401,
      'missing_session',
      'No Sitewide-Jwt-Assertion header',
      'is this request coming through the Sitewide gate?',
    );
  }
  const malformed = 'The assertion is not valid: malformed, tampered with or signed by another key';
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(assertion).typ;
  } catch {
    return fail(401, 'invalid_session', malformed, null);
  }
  try {
    // Exactly ours: jose alone would also take another case or an `application/` prefix.
    if (typ !== GATE_ASSERTION_TYP) {
      const refused = `claim "typ" refused: ${quote(typ ?? null)} is not ${GATE_ASSERTION_TYP}`;
      return fail(401, 'invalid_session', 'The assertion is not valid', refused);
    }
    const { payload } = await jwtVerify(assertion, keySetOf(issuer, options.fetch), {
      issuer,
      audience,
      typ: GATE_ASSERTION_TYP,
      algorithms: ['ES256'],
      requiredClaims: ['sub', 'iat', 'exp'],
    });
    const lifetime = (payload.exp as number) - (payload.iat as number);
    if (!(lifetime > 0 && lifetime <= MAX_LIFETIME_SECONDS)) {
      return fail(
        401,
        'invalid_session',
        'The assertion is not valid',
        `it lives ${quote(lifetime)} s; the gate signs for 60 s`,
      );
    }
    return { ok: true, user: { ...userFromClaims(payload), image: null } };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return fail(401, 'session_expired', 'The assertion has expired', null);
    if (error instanceof errors.JWTClaimValidationFailed) {
      const hint =
        error.claim === 'aud'
          ? `it is for ${quote(error.payload.aud)}, not ${quote(audience)}: set audience to this app's origin as GATES names it`
          : `claim ${quote(error.claim)} refused: ${quote(error.reason)}`;
      return fail(401, 'invalid_session', 'The assertion is not valid', hint);
    }
    if (!isKeySetTrouble(error)) {
      return fail(401, 'invalid_session', malformed, null);
    }
    const cause = error instanceof Error ? error.message : String(error);
    return fail(503, 'service_unavailable', 'Sitewide’s keys could not be had; retry', cause);
  }
}
