/**
 * One token checked against Sitewide's keys, with every option pinned (ES256, issuer, audience,
 * typ, required claims), and jose's errors mapped to Sitewide's codes with a hint each. A genuine
 * but expired session token comes back with its claims, for the renewal.
 */
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { clientIdOf } from './client.ts';
import { fail, quote, type SitewideFailure } from './errors.ts';

export const SESSION_TOKEN_TYP = 'sitewide-session+jwt';
export const ACCESS_TOKEN_TYP = 'at+jwt';

export type TokenCheck =
  | {
      ok: true;
      payload: JWTPayload;
      /** A user's token (with `sid`), or a service client's (`sub` client:<id>, `client_id`, no `sid`). */
      caller: { kind: 'user' } | { kind: 'client'; id: string };
    }
  | { ok: false; failure: SitewideFailure; expired?: JWTPayload };

export interface TokenContext {
  issuer: string;
  /** The audience a token of this kind must name: the issuer for session tokens, yours for access tokens. */
  audience: string;
  jwks: JWTVerifyGetKey;
  /** For the hint about an unknown `kid`. */
  jwksUri: string;
}

const invalid = (message: string, hint: string | null): TokenCheck => ({
  ok: false,
  failure: fail(401, 'invalid_session', message, hint),
});

/**
 * Verifies a session token (`via: 'cookie'`) or an access token (`via: 'bearer'`): a user's, or a
 * service client's (access tokens only). Throws only when Sitewide's key set cannot be had (the
 * caller answers 503): a token's fault is a value.
 */
export async function checkToken(token: string, via: 'cookie' | 'bearer', ctx: TokenContext): Promise<TokenCheck> {
  const typ = via === 'bearer' ? ACCESS_TOKEN_TYP : SESSION_TOKEN_TYP;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return invalid('The token is malformed', null);
  }
  if (header.typ !== typ) return invalid(`The token is not a ${typ}`, wrongTypHint(header.typ, typ));
  try {
    const { payload } = await jwtVerify(token, ctx.jwks, {
      issuer: ctx.issuer,
      audience: ctx.audience,
      algorithms: ['ES256'],
      typ,
      // A client's access token has no `sid` (a machine has no session): required below, for users.
      requiredClaims: via === 'bearer' ? ['sub', 'exp', 'iat'] : ['sub', 'sid', 'exp', 'iat'],
    });
    const clientId = via === 'bearer' ? clientIdOf(payload) : undefined;
    if (clientId === null) {
      return invalid('The token is not valid', 'its sub names a client ("client:…") that its client_id does not');
    }
    if (clientId !== undefined) return { ok: true, payload, caller: { kind: 'client', id: clientId } };
    if (typeof payload.sid !== 'string' || payload.sid === '') {
      return invalid('The token is not valid', 'claim "sid" refused: "missing"');
    }
    return { ok: true, payload, caller: { kind: 'user' } };
  } catch (error) {
    return refusal(error, via, header.kid, ctx);
  }
}

function wrongTypHint(actual: unknown, expected: string): string {
  if (actual === SESSION_TOKEN_TYP) {
    return 'a Sitewide session token was sent as Bearer: send the cookie, or mint an access token at POST /auth/token';
  }
  if (actual === ACCESS_TOKEN_TYP) return 'an access token was sent as the session cookie';
  return `the token's typ is ${quote(actual)}, not ${quote(expected)}`;
}

/**
 * Sitewide's key set unreachable or unreadable (a timeout, not JSON, a non-200 answer: jose's plain
 * JOSEError, or a fetch error): not the token's fault, so 503 rather than 401.
 */
export function isKeySetTrouble(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    (error instanceof Error && (!(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError))
  );
}

function refusal(error: unknown, via: 'cookie' | 'bearer', kid: unknown, ctx: TokenContext): TokenCheck {
  if (error instanceof errors.JWTExpired) {
    return {
      ok: false,
      expired: error.payload,
      failure: fail(
        401,
        'session_expired',
        via === 'bearer' ? 'The access token has expired' : 'The session token has expired',
        via === 'bearer' ? `mint a new access token at ${ctx.issuer}/auth/token and retry` : null,
      ),
    };
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return invalid(
      'The token is signed by a key Sitewide does not publish',
      `its kid ${quote(kid ?? null)} is not in ${ctx.jwksUri}: a token from another Sitewide (another environment), or from a retired key`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const payload = error.payload as JWTPayload;
    if (error.claim === 'aud') {
      const mint = via === 'bearer' ? `: mint one with {"audience": ${quote(ctx.audience)}}` : '';
      return invalid(
        'The token was issued for another audience',
        `a token for ${quote(payload.aud)}, not for ${quote(ctx.audience)}${mint}`,
      );
    }
    if (error.claim === 'iss') {
      return invalid(
        'The token was issued by another Sitewide',
        `a token from issuer ${quote(payload.iss)}, not ${ctx.issuer}`,
      );
    }
    return invalid('The token is not valid', `claim ${quote(error.claim)} refused: ${quote(error.reason)}`);
  }
  if (isKeySetTrouble(error)) throw error;
  return invalid('The token is not valid: malformed, tampered with or signed by another key', null);
}
