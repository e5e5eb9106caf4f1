import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from '../session/keys';
import type { SessionClaims } from '../session/token';

/**
 * The gate's assertion to the origin (`Sitewide-Jwt-Assertion`): a compact JWS,
 * ES256, signed with the session signing keys (so the JWKS verifies it), its own
 * `typ` so it can never pass as a session or access token, `aud` the gated
 * origin, `iss` the API origin, and a minute to live: it says who this request
 * is from, and nothing more.
 */
export const ASSERTION_TYP = 'sitewide-assertion+jwt';
/** Seconds an assertion lives. */
export const ASSERTION_TTL = 60;
/** An assertion is reused for the same token and origin while it has at least this long to live. */
const REUSE_WHILE_SECONDS = 30;
const CACHE_SIZE = 10_000;

const signed = new WeakMap<SigningKeys, Map<string, { jws: string; exp: number }>>();

/**
 * The assertion for `claims` at the gated `audience`. Signing costs an ECDSA
 * signature (~100 µs); the same session token at the same origin reuses its
 * assertion while it has REUSE_WHILE_SECONDS left, so a browsing session signs
 * about twice a minute per app. The cache is per key set, bounded, oldest out.
 */
export function gateAssertion(
  claims: SessionClaims,
  token: string,
  keys: SigningKeys,
  ctx: { issuer: string; audience: string; now: number },
): string | Promise<string> {
  let cache = signed.get(keys);
  if (!cache) {
    cache = new Map();
    signed.set(keys, cache);
  }
  const key = `${ctx.audience} ${token}`;
  const now = Math.floor(ctx.now / 1000);
  const hit = cache.get(key);
  if (hit && hit.exp - now >= REUSE_WHILE_SECONDS) return hit.jws;
  const exp = now + ASSERTION_TTL;
  return signAssertion(claims, keys, { ...ctx, iat: now, exp }).then((jws) => {
    cache.delete(key);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, { jws, exp });
    return jws;
  });
}

function signAssertion(
  claims: SessionClaims,
  keys: SigningKeys,
  ctx: { issuer: string; audience: string; iat: number; exp: number },
): Promise<string> {
  const profile = {
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
  };
  return new SignJWT({ ...profile, roles: [...claims.roles] })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.current.kid, typ: ASSERTION_TYP })
    .setIssuer(ctx.issuer)
    .setAudience(ctx.audience)
    .setSubject(claims.sub)
    .setIssuedAt(ctx.iat)
    .setExpirationTime(ctx.exp)
    .sign(keys.current.privateKey);
}
