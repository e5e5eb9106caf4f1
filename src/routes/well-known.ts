import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError, apiError } from '../errors';
import { documented } from '../openapi/describe';
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

const REVOCATIONS_SCHEMA = {
  type: 'object',
  required: ['cursor', 'sessions', 'users', 'more', 'retention'],
  properties: {
    cursor: { type: 'integer', description: 'Pass as `since` next time' },
    sessions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'at'],
        properties: {
          id: { type: 'string', description: 'A revoked session id (random; the `sid` claim)' },
          at: { type: 'integer', description: 'When it was revoked (seconds)' },
        },
      },
    },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'before'],
        properties: {
          id: {
            type: 'string',
            description:
              'A token subject (the `sub` claim): an opaque user id, or `client:<id>` for a service client revoked or rotated without overlap',
          },
          before: {
            type: 'integer',
            description: 'Refuse tokens of this subject whose `iat` is before this (seconds)',
          },
        },
      },
    },
    more: { type: 'boolean', description: 'Ask again at once with `cursor`' },
    retention: {
      type: 'integer',
      description: 'Seconds an entry is kept',
    },
  },
};

/**
 * Public metadata for other backends: the verification keys (public halves
 * only) and where things are. No auth, cacheable.
 */
export const wellKnownRoutes = new Hono<AppEnv>()
  .get(
    '/.well-known/jwks.json',
    documented({
      summary: 'Public verification keys (ES256, kid, use: sig); cacheable',
      tags: ['meta'],
      ok: { schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } },
    }),
    function jwks(c) {
      c.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE}`);
      return c.json({ keys: c.var.keys.publicJwks });
    },
  )
  .get(
    '/.well-known/sitewide.json',
    documented({
      summary:
        'Issuer, JWKS URI, token endpoint (with its grant and client authentication methods), cookie name and domain, token types',
      tags: ['meta'],
      ok: { schema: { type: 'object' } },
    }),
    function metadata(c) {
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
    },
  )
  .get(
    REVOCATIONS_PATH,
    documented({
      summary: 'The revocation feed since a cursor, for verifiers elsewhere; cacheable for a second',
      description:
        'Poll every `revocation_poll` seconds (/.well-known/sitewide.json) with the last `cursor` (0: all). No personal data: session ids are random, user ids opaque.',
      tags: ['meta'],
      ok: { schema: REVOCATIONS_SCHEMA },
      errors: { 400: ['validation_failed'], 429: ['rate_limited'], 503: ['service_unavailable'] },
    }),
    async function revocations(c) {
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
    },
  );
