/**
 * A service client's access token (RFC 9068): `typ at+jwt`, `sub` = `client:<id>`, `client_id`,
 * `aud`, `roles`, `jti`, `iat`, `exp`; signed like every Sitewide token (ES256, the current key).
 * No `sid`: a machine has no session, and a verifier that requires one (every user-only verifier
 * written from Sitewide's docs) refuses client tokens until it chooses to accept them.
 */
import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from '../session/keys';
import { ACCESS_TOKEN_TYP, CLOCK_SKEW_SECONDS } from '../session/token';
import { clientIdOfSubject, clientSubject } from './subject';

export interface ClientTokenInput {
  clientId: string;
  audience: string;
  roles: readonly string[];
  /** Seconds since the epoch. */
  iat: number;
  ttl: number;
}

export function signClientToken(input: ClientTokenInput, keys: SigningKeys, issuer: string): Promise<string> {
  return new SignJWT({ client_id: input.clientId, roles: [...input.roles] })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ: ACCESS_TOKEN_TYP })
    .setIssuer(issuer)
    .setAudience(input.audience)
    .setSubject(clientSubject(input.clientId))
    .setIssuedAt(input.iat)
    .setExpirationTime(input.iat + input.ttl)
    .setJti(crypto.randomUUID())
    .sign(keys.current.privateKey);
}

export interface ClientTokenClaims {
  clientId: string;
  audience: string;
  roles: readonly string[];
  iat: number;
  exp: number;
}

/** Whether a token claims to be a client's (its `sub`, unverified): only then is verifyClientToken worth running. */
export function claimsClientSubject(token: string): boolean {
  try {
    return clientIdOfSubject(decodeJwt(token).sub) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Verifies a client token with every option pinned (ES256, a known kid, typ, iss, aud, required
 * claims), its `sub` matching its `client_id`, and a lifetime within `maxLifetime`. Undefined when
 * it is not a genuine client token for this audience.
 */
export async function verifyClientToken(
  token: string,
  keys: SigningKeys,
  ctx: { issuer: string; audience: string; maxLifetime: number; now?: Date },
): Promise<ClientTokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keys.verify.get(header.kid);
        if (!key) throw new Error('unknown kid');
        return key;
      },
      {
        algorithms: [SIGNING_ALG],
        typ: ACCESS_TOKEN_TYP,
        issuer: ctx.issuer,
        audience: ctx.audience,
        requiredClaims: ['sub', 'client_id', 'iat', 'exp', 'jti'],
        currentDate: ctx.now,
      },
    );
    const { client_id: clientId, iat, exp, roles } = payload as Record<string, unknown>;
    if (typeof clientId !== 'string' || clientIdOfSubject(payload.sub) !== clientId) return undefined;
    if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    const lifetime = exp - iat;
    if (!(lifetime > 0 && lifetime <= ctx.maxLifetime + CLOCK_SKEW_SECONDS)) return undefined;
    const roleList = roles === undefined ? [] : roles;
    if (!Array.isArray(roleList) || roleList.some((r) => typeof r !== 'string')) return undefined;
    return { clientId, audience: ctx.audience, roles: roleList as string[], iat, exp };
  } catch {
    return undefined;
  }
}
