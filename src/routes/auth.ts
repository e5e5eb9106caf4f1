import { Auth } from '@auth/core';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { type AuthDeps, createAuthConfig } from '../auth/auth-config';
import { toAuthJsRequest } from '../auth/auth-request';
import { toOurResponse } from '../auth/auth-response';
import { apiError, serviceUnavailable } from '../errors';
import { requestDb } from '../middleware/request-db';
import { recordRevocations } from '../revocation/snapshot';
import { requestMetaOf } from '../users/auth-events';
import { workspaceSignIn } from '../workspace/sign-in';
import { authError, authJsFailure } from './auth-errors';
import { type AuthJsRunner, oneClickSignIn, signInPageRoute } from './sign-in';
import { signOutPageRoute } from './sign-out-page';

/** Auth.js actions we serve under /auth; anything else is a plain 404. */
const AUTH_ACTIONS = new Set(['signin', 'signout', 'callback', 'csrf', 'providers']);

/** What our own routes borrow from the Auth.js glue below. */
const AUTH_JS: AuthJsRunner = { run: runAuthJs, failure: authJsFailure, deps: authDepsOf };

/** `/auth/*`: our sign-in and sign-out pages and one-click start, then Auth.js core (CSRF, Google redirect and callback, sign-out). */
export const authRoutes = new Hono<AppEnv>()
  .get('/auth/signin/:provider', oneClickSignIn(AUTH_JS))
  .get('/auth/signin', signInPageRoute)
  .get('/auth/csrf', authJs)
  .post('/auth/signin/:provider', authJs)
  .get('/auth/callback/:provider', authJs)
  .get('/auth/signout', signOutPageRoute(AUTH_JS))
  .post('/auth/signout', authJs)
  .get('/auth/error', authError)
  .all('/auth/*', authJs);

function authJs(c: Context<AppEnv>) {
  return runAuthJs(c, c.req.raw);
}

/** Auth.js on `raw` (the request, or one the route builds), its answer made ours (cookies, landing page, errors). */
async function runAuthJs(c: Context<AppEnv>, raw: Request) {
  const { config } = c.var;
  const path = new URL(raw.url).pathname;
  const method = raw.method;
  const action = path.split('/')[2] ?? '';
  if (action === 'session') {
    throw apiError(
      404,
      'not_found',
      `${method} ${path} is not served: GET ${config.apiOrigin}/api/me says who is signed in`,
    );
  }
  if (!AUTH_ACTIONS.has(action)) throw apiError(404, 'not_found', `No route for ${method} ${path}`);
  if (method !== 'GET' && method !== 'POST') {
    throw apiError(405, 'method_not_allowed', `${path} answers GET and POST only`, {
      headers: { Allow: 'GET, POST' },
    });
  }
  if (method === 'GET' && action === 'signout') {
    // Our page is GET /auth/signout (sign-out-page.ts); Auth.js would render its own here (e.g. /auth/signout/).
    throw apiError(405, 'method_not_allowed', `${path} answers POST only (form: csrfToken, callbackUrl)`, {
      headers: { Allow: 'POST' },
    });
  }

  const input = toAuthJsRequest(raw, config, action);
  let storageError: { cause: unknown } | undefined;
  let signedOut = false;
  let signedInRoles: readonly string[] | undefined;
  const authConfig = createAuthConfig({
    ...authDepsOf(c),
    sessionCookieValues: input.sessionCopies.map(([, value]) => value),
    onSignOut: () => {
      signedOut = true;
    },
    onSignIn: ({ roles }) => {
      signedInRoles = roles;
    },
    onStorageError: (cause) => {
      storageError = { cause };
    },
  });
  const response = await Auth(input.request, authConfig);
  if (storageError) throw serviceUnavailable(storageError.cause);
  if (response.status >= 400) return authJsFailure(c, response);

  return toOurResponse(response, input, config, { signedOut, signedInRoles }, path);
}

/** What every Auth.js configuration of this request shares. */
function authDepsOf(c: Context<AppEnv>): Omit<AuthDeps, 'sessionCookieValues' | 'onStorageError'> {
  return {
    config: c.var.config,
    keys: c.var.keys,
    // Sign-in and sign-out write: the primary; opened only when Auth.js reaches the database.
    db: () => requestDb(c, 'primary'),
    ...(c.var.config.sessionDbs.length > 0 ? { sessionDbOf: (userId: string) => requestDb(c, 'primary', userId) } : {}),
    meta: requestMetaOf(c.req.raw.headers),
    recordRevoked: (sessions) => recordRevocations(c.env, c.var.config, { sessions }),
    ...(c.var.config.workspace ? { workspace: workspaceSignIn(c.env, c.var.config, c.var.config.workspace) } : {}),
  };
}
