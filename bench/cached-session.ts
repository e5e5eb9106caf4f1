/**
 * A prototype, for the bench only: the cookie path of src/middleware/require-session.ts with a
 * per-isolate cache of verified tokens, to measure what such a cache would make of the
 * fresh-cookie overhead (case `me-fresh-cached`). Not used by the product.
 *
 * - Entries are added only after a successful verify, so a forged token never enters.
 * - An entry is used only while its `exp` is in the future (after that: verify again, and the
 *   product's refresh path), so the revocation bound (SESSION_TOKEN_TTL) is unchanged.
 * - The cache hangs off the imported key set: a rotation (a new SESSION_SIGNING_KEYS string, so a
 *   new key set) starts from an empty cache, and a retired kid is never trusted from it.
 * - Bounded: the oldest entry goes when it is full.
 * The refresh of expired tokens is left out of the prototype (it answers 401 there).
 */
import { createMiddleware } from 'hono/factory';
import type { AuthedEnv } from '../src/app-env';
import { apiError } from '../src/errors';
import { readSessionCookie } from '../src/session/cookie';
import type { SigningKeys } from '../src/session/keys';
import { type SessionClaims, verifySessionToken } from '../src/session/token';

const MAX_ENTRIES = 10_000;
const caches = new WeakMap<SigningKeys, Map<string, SessionClaims>>();

export function cachedRequireSession() {
  return createMiddleware<AuthedEnv>(async function cachedRequireSession(c, next) {
    const { config, keys } = c.var;
    const cookie = readSessionCookie(c.req.header('cookie'), config.sessionCookieName);
    if (cookie.kind !== 'present') throw apiError(401, 'missing_session', 'No session cookie');
    let cache = caches.get(keys);
    if (!cache) {
      cache = new Map();
      caches.set(keys, cache);
    }
    const now = Date.now();
    let claims = cache.get(cookie.value);
    if (!claims || claims.exp * 1000 <= now) {
      const result = await verifySessionToken(cookie.value, keys, {
        issuer: config.apiOrigin,
        audience: config.apiOrigin,
        maxLifetime: config.sessionTokenTtl,
        now: new Date(now),
      });
      if (!result.ok) throw apiError(401, result.code, 'The session token is not valid');
      claims = result.claims;
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
      cache.set(cookie.value, claims);
    }
    c.set('session', claims);
    c.set('authMethod', 'cookie');
    await next();
  });
}
