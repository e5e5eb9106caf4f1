import { Auth } from '@auth/core';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { createAuthConfig } from '../auth/auth-config';
import { createDb } from '../db/client';
import { apiError, serviceUnavailable } from '../errors';
import { requestMeta } from '../middleware/request-meta';
import { hostOnlyClearCookie } from '../session/cookie';

/** Auth.js actions we serve under /auth; anything else is a plain 404. */
const AUTH_ACTIONS = new Set(['signin', 'signout', 'callback', 'session', 'csrf', 'providers']);

/** `/auth/*`: Auth.js core (sign-in page, CSRF, Google redirect and callback, sign-out). */
export const authRoutes = new Hono<AppEnv>()
  // Auth.js sends failed sign-ins here; answer with our JSON error instead of its HTML page.
  .get('/auth/error', function authError(c) {
    const kind = c.req.query('error') ?? 'Default';
    if (kind === 'AccessDenied') {
      throw apiError(403, 'access_denied', 'This account may not sign in (it may be disabled)');
    }
    throw apiError(
      400,
      'sign_in_failed',
      `Sign-in could not be completed (${kind}): the sign-in attempt expired, was replayed, or the provider refused it. Start again at ${c.var.config.apiOrigin}/auth/signin`,
    );
  })
  .get('/auth/signin/:provider', function signInNeedsPost(c) {
    throw apiError(
      405,
      'method_not_allowed',
      `Sign-in starts with POST ${c.req.path} carrying the csrfToken from /auth/csrf; the page at /auth/signin does this`,
      { headers: { Allow: 'POST' } },
    );
  })
  .all('/auth/*', async function authJs(c) {
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
  });
