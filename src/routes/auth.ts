import { Auth } from '@auth/core';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { createAuthConfig } from '../auth/auth-config';
import { createDb } from '../db/client';
import { apiError, serviceUnavailable } from '../errors';
import { requestMeta } from '../middleware/request-meta';
import { documented } from '../openapi/describe';
import { hostOnlyClearCookie } from '../session/cookie';

/** Auth.js actions we serve under /auth; anything else is a plain 404. */
const AUTH_ACTIONS = new Set(['signin', 'signout', 'callback', 'session', 'csrf', 'providers']);

/** `/auth/*`: Auth.js core (sign-in page, CSRF, Google redirect and callback, sign-out). */
export const authRoutes = new Hono<AppEnv>()
  .get('/auth/signin/:provider', function signInNeedsPost(c) {
    throw apiError(
      405,
      'method_not_allowed',
      `Sign-in starts with POST ${c.req.path} carrying the csrfToken from /auth/csrf; the page at /auth/signin does this`,
      { headers: { Allow: 'POST' } },
    );
  })
  .get(
    '/auth/signin',
    documented({
      summary: 'The sign-in page (HTML) with a "Sign in with Google" button',
      tags: ['auth'],
      ok: { description: 'HTML' },
    }),
    authJs,
  )
  .get(
    '/auth/csrf',
    documented({
      summary: "Auth.js's CSRF token for the POSTs below (sets its __Host- cookie)",
      tags: ['auth'],
      ok: { schema: { type: 'object', properties: { csrfToken: { type: 'string' } } } },
    }),
    authJs,
  )
  .post(
    '/auth/signin/:provider',
    documented({
      summary: 'Start sign-in (form: csrfToken, callbackUrl): 302 to Google with PKCE, state and nonce',
      tags: ['auth'],
      ok: { status: 302, description: 'Redirect to the provider (or back to /auth/signin?error=MissingCSRF)' },
      errors: { 405: ['method_not_allowed'], 429: ['rate_limited'] },
    }),
    authJs,
  )
  .get(
    '/auth/callback/:provider',
    documented({
      summary: "The provider's redirect: records the sign-in, sets the session cookie, 302 to callbackUrl",
      tags: ['auth'],
      ok: {
        status: 302,
        description: 'Redirect to callbackUrl (allowed origins only; else APP_URL), or to /auth/error',
      },
      errors: { 429: ['rate_limited'], 503: ['service_unavailable'] },
    }),
    authJs,
  )
  .post(
    '/auth/signout',
    documented({
      summary: 'Sign out (form: csrfToken, callbackUrl): revokes the session, clears the cookie',
      tags: ['auth'],
      ok: { status: 302, description: 'Redirect to callbackUrl' },
      errors: { 429: ['rate_limited'], 503: ['service_unavailable'] },
    }),
    authJs,
  )
  .get(
    '/auth/error',
    documented({
      summary: 'Where a failed sign-in lands',
      tags: ['auth'],
      ok: { description: 'never: always an error' },
      errors: { 400: ['sign_in_failed'], 403: ['access_denied'] },
    }),
    authError,
  )
  .all('/auth/*', authJs);

async function authJs(c: Context<AppEnv>) {
  const { config } = c.var;
  const url = new URL(c.req.url);
  const action = url.pathname.split('/')[2] ?? '';
  if (!AUTH_ACTIONS.has(action)) throw apiError(404, 'not_found', `No route for ${c.req.method} ${url.pathname}`);

  let storageError: { cause: unknown } | undefined;
  const authConfig = createAuthConfig({
    config,
    keys: c.var.keys,
    db: createDb(c.env.DB),
    meta: requestMeta(c),
    action,
    onStorageError: (cause) => {
      storageError = { cause };
    },
  });
  // Pin the origin to AUTH_URL: the redirect_uri and cookie names never depend on a Host header.
  const request = new Request(`${config.apiOrigin}${url.pathname}${url.search}`, c.req.raw);
  const response = await Auth(request, authConfig);
  if (storageError) throw serviceUnavailable(storageError.cause);

  // A host-only cookie of the same name (left by an older, host-only setup) would shadow ours: clear it.
  const clear = hostOnlyClearCookie(config);
  if (clear && response.headers.getSetCookie().some((h) => h.startsWith(`${config.sessionCookieName}=`))) {
    const res = new Response(response.body, response);
    res.headers.append('Set-Cookie', clear);
    return res;
  }
  return response;
}

/** Auth.js sends failed sign-ins here; answer with our JSON error instead of its HTML page. */
function authError(c: Context<AppEnv>): never {
  const kind = c.req.query('error') ?? 'Default';
  if (kind === 'AccessDenied') {
    throw apiError(403, 'access_denied', 'This account may not sign in (it may be disabled)');
  }
  throw apiError(
    400,
    'sign_in_failed',
    `Sign-in could not be completed (${kind}): the sign-in attempt expired, was replayed, or the provider refused it. Start again at ${c.var.config.apiOrigin}/auth/signin`,
  );
}
