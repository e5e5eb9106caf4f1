import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError, apiError } from '../errors';
import { readFeed } from '../revocation/snapshot';
import { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP } from '../session/token';

/** How long verifiers may cache the key set; a rotated-in key reaches them within this (jose also refetches on an unknown kid). */
const JWKS_MAX_AGE = 300;

/** Where verifiers elsewhere read the revocation feed. */
export const REVOCATIONS_PATH = '/.well-known/sitewide-revocations';
/** Seconds a shared cache may keep one answer: well under REVOCATION_POLL. */
const REVOCATIONS_MAX_AGE = 1;

/**
 * The public feed is unauthenticated: an answer from the location's cache is
 * free, but each miss asks the one Durable Object. Misses are limited per client
 * IP (group `revocation-feed` of AUTH_RATE_LIMIT), so cursors made up to miss
 * the cache cannot overload the feed every isolate polls. A verifier polling
 * with its last cursor misses about once per new revocation batch.
 */
async function spendFeedMiss(limiter: RateLimit | undefined, ip: string | undefined): Promise<void> {
  if (!limiter) return;
  const { success } = await limiter.limit({ key: `revocation-feed:${ip ?? 'unknown'}` });
  if (success) return;
  throw apiError(
    429,
    'rate_limited',
    'Too many revocation feed reads from this address that the cache could not answer; poll with the last cursor every REVOCATION_POLL seconds',
    { headers: { 'Retry-After': '60' } },
  );
}

/**
 * Public metadata for other backends: the verification keys (public halves
 * only) and where things are. No auth, cacheable.
 */
export const wellKnownRoutes = new Hono<AppEnv>()
  .get('/.well-known/jwks.json', function jwks(c) {
    c.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE}`);
    return c.json({ keys: c.var.keys.publicJwks });
  })
  .get('/.well-known/sitewide.json', function metadata(c) {
    const { config } = c.var;
    c.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE}`);
    return c.json({
      issuer: config.apiOrigin,
      jwks_uri: `${config.apiOrigin}/.well-known/jwks.json`,
      token_endpoint: `${config.apiOrigin}/auth/token`,
      // RFC 8414 names: what service clients (src/clients) use at the token endpoint.
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      algorithms: ['ES256'],
      session_cookie: {
        name: config.sessionCookieName,
        domain: config.cookieDomain ?? null,
        typ: SESSION_TOKEN_TYP,
        audience: config.apiOrigin,
      },
      access_token: { typ: ACCESS_TOKEN_TYP, audiences: [...config.tokenAudiences] },
      revocations_uri: `${config.apiOrigin}${REVOCATIONS_PATH}`,
      revocation_poll: config.revocationPoll,
    });
  })
  .get(REVOCATIONS_PATH, async function revocations(c) {
    const raw = c.req.query('since') ?? '0';
    const since = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(since)) {
      throw apiError(
        400,
        'validation_failed',
        '`since` must be a cursor (a whole number) from an earlier answer, or 0',
      );
    }
    let page: Awaited<ReturnType<typeof readFeed>>;
    try {
      page = await readFeed(c.env.REVOCATION_FEED, c.var.config, since, () =>
        spendFeedMiss(c.env.AUTH_RATE_LIMIT, c.req.header('cf-connecting-ip')),
      );
    } catch (cause) {
      if (cause instanceof ApiError) throw cause;
      throw apiError(503, 'service_unavailable', 'The revocation feed is unavailable; try again shortly', { cause });
    }
    c.header('Cache-Control', `public, max-age=${REVOCATIONS_MAX_AGE}`);
    return c.json(page);
  });
