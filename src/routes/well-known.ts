import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { documented } from '../openapi/describe';
import { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP } from '../session/token';

/** How long verifiers may cache the key set; a rotated-in key reaches them within this (jose also refetches on an unknown kid). */
const JWKS_MAX_AGE = 300;

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
      summary: 'Issuer, JWKS URI, token endpoint, cookie name and domain, token types',
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
        algorithms: ['ES256'],
        session_cookie: {
          name: config.sessionCookieName,
          domain: config.cookieDomain ?? null,
          typ: SESSION_TOKEN_TYP,
          audience: config.apiOrigin,
        },
        access_token: { typ: ACCESS_TOKEN_TYP, audiences: [...config.tokenAudiences] },
      });
    },
  );
