import { Auth } from '@auth/core';
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { landingFor } from '../auth/app-access';
import { type AuthDeps, createAuthConfig } from '../auth/auth-config';
import { toAuthJsRequest } from '../auth/auth-request';
import { refusedSignInPage, signInErrorPage } from '../auth/error-page';
import { flowCookieNames } from '../auth/flow-cookies';
import { redirectPolicyOf, resolveRedirect } from '../auth/redirect-policy';
import { admittedAccounts, refusalMessage, refusalReasonOf } from '../auth/refusal';
import { signInErrorMessage } from '../auth/sign-in-page';
import type { Config } from '../config';
import { requestDb } from '../db/request-db';
import { apiError, type ErrorCode, serviceUnavailable } from '../errors';
import { documented } from '../openapi/describe';
import { sendPage, wantsPage } from '../pages/page-response';
import { recordRevocations } from '../revocation/snapshot';
import { cookiePairs, sessionCookieClears } from '../session/cookie';
import { requestMetaOf } from '../users/auth-events';
import { type AuthJsRunner, oneClickSignIn, signInPageRoute } from './sign-in';
import { signOutPageRoute } from './sign-out-page';

/** Auth.js actions we serve under /auth; anything else is a plain 404. */
const AUTH_ACTIONS = new Set(['signin', 'signout', 'callback', 'csrf', 'providers']);

/** What our own routes borrow from the Auth.js glue below. */
const AUTH_JS: AuthJsRunner = { run: runAuthJs, failure: authJsFailure, deps: authDepsOf };

/** `/auth/*`: our sign-in and sign-out pages and one-click start, then Auth.js core (CSRF, Google redirect and callback, sign-out). */
export const authRoutes = new Hono<AppEnv>()
  .get(
    '/auth/signin/:provider',
    documented({
      summary: 'One click to sign in: 302 straight to Google with PKCE, state and nonce (query: callbackUrl)',
      description:
        'What a "Sign in with Google" link points at. Runs the POST below with a CSRF token it obtains itself; login_hint and prompt are passed on to Google. callbackUrl follows the redirect policy (ALLOWED_ORIGINS, else APP_URL).',
      tags: ['auth'],
      ok: { status: 302, description: 'Redirect to the provider, with the flow cookies set' },
      errors: { 400: ['bad_request'], 404: ['not_found'], 429: ['rate_limited'] },
    }),
    oneClickSignIn(AUTH_JS),
  )
  .get(
    '/auth/signin',
    documented({
      summary: 'The sign-in page (HTML): the site name and one "Sign in with Google" button (a link)',
      tags: ['auth'],
      ok: { description: 'HTML' },
    }),
    signInPageRoute,
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
      // A body Auth.js cannot read (e.g. malformed JSON).
      errors: { 400: ['bad_request'], 429: ['rate_limited'] },
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
        description:
          'Redirect to callbackUrl (allowed origins the user may reach by APP_ACCESS; else APP_URL), or to /auth/error',
      },
      errors: { 429: ['rate_limited'], 503: ['service_unavailable'] },
    }),
    authJs,
  )
  .get(
    '/auth/signout',
    documented({
      summary: 'The sign-out page for browsers (Accept: text/html): one button that POSTs below (query: callbackUrl)',
      tags: ['auth'],
      ok: { description: 'HTML' },
      errors: { 405: ['method_not_allowed'] },
    }),
    signOutPageRoute(AUTH_JS),
  )
  .post(
    '/auth/signout',
    documented({
      summary: 'Sign out (form: csrfToken, callbackUrl): revokes the session, clears the cookie',
      description: 'Needs an Origin that is the API or in ALLOWED_ORIGINS.',
      tags: ['auth'],
      // Revokes the session its cookie names; without one it only redirects.
      auth: ['cookie', 'anonymous'],
      ok: { status: 302, description: 'Redirect to callbackUrl' },
      errors: { 400: ['bad_request'], 403: ['csrf_rejected'], 429: ['rate_limited'], 503: ['service_unavailable'] },
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

/** The session cookie's name and the names of the copies a request carried, to clear them all. */
function sessionCookieNamesOf(copies: Array<[string, string]>, name: string): string[] {
  return [name, ...copies.map(([n]) => n)];
}

const isSessionCookieHeader = (header: string, name: string) =>
  header.startsWith(`${name}=`) || header.startsWith(`${name}.`);

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

  const name = config.sessionCookieName;
  const fromAuthJs = response.headers.getSetCookie();
  const signedIn = fromAuthJs.some((h) => h.startsWith(`${name}=`) && !h.startsWith(`${name}=;`));
  const res = new Response(response.body, response);
  // Auth.js settled the landing page before it knew the user: an origin the user's roles may not reach (APP_ACCESS) lands on APP_URL.
  const location = res.headers.get('location');
  if (signedIn && signedInRoles && location) res.headers.set('location', landingFor(location, signedInRoles, config));
  res.headers.delete('Set-Cookie');
  for (const header of fromAuthJs) {
    // On sign-out our clears below replace Auth.js's single one, which would miss a tossed copy.
    if (!(signedOut && isSessionCookieHeader(header, name))) res.headers.append('Set-Cookie', header);
  }
  // A flow cookie Auth.js writes afresh in this response needs no clear (after it, a clear would win).
  const written = new Set(fromAuthJs.map((h) => h.slice(0, h.indexOf('=') + 1)));
  for (const clear of input.clears) {
    if (!written.has(clear.slice(0, clear.indexOf('=') + 1))) res.headers.append('Set-Cookie', clear);
  }
  const names = sessionCookieNamesOf(input.sessionCopies, name);
  const copies = input.sessionCopies.length;
  let sessionClears: string[] = [];
  if (signedOut) {
    // Every copy goes, with our Domain and host-only, and at each Path a tossed copy could have.
    sessionClears = sessionCookieClears(config, { names, ...(copies > 1 ? { requestPath: path } : {}) });
  } else if (signedIn) {
    // Our new cookie replaces every other copy (a host-only leftover, a tossed or chunked one).
    sessionClears = sessionCookieClears(config, {
      names,
      keepOurs: true,
      ...(copies > 0 ? { requestPath: path } : {}),
    });
  }
  for (const clear of sessionClears) res.headers.append('Set-Cookie', clear);
  return res;
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
  };
}

/** The JSON error, or for a browser our error page (`pageMessage`: the sentence for people, when it differs). */
function failure(
  c: Context<AppEnv>,
  status: 400 | 403 | 500,
  code: ErrorCode,
  title: string,
  message: string,
  pageMessage = message,
) {
  if (!wantsPage(c)) throw apiError(status, code, message);
  c.set('errorCode', code);
  const { config } = c.var;
  const page = signInErrorPage({
    siteName: config.siteName,
    title,
    message: pageMessage,
    signInUrl: `${config.apiOrigin}/auth/signin`,
    appUrl: config.appUrl,
  });
  return sendPage(c, page, { status });
}

/**
 * Auth.js answered an error of its own (a request it could not parse, or its
 * configuration check): our shape and code instead, its body to the log.
 */
async function authJsFailure(c: Context<AppEnv>, response: Response) {
  c.set('errorCause', `Auth.js answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  if (response.status >= 500) {
    return failure(
      c,
      500,
      'misconfigured',
      'Sign-in is unavailable',
      'Sign-in is misconfigured on the server; it has been logged',
    );
  }
  return failure(
    c,
    400,
    'bad_request',
    'Sign-in could not start',
    'The sign-in request could not be read; start again',
  );
}

/**
 * Auth.js sends failed sign-ins here; answer with our JSON error (or our page)
 * instead of its HTML. `AccessDenied` with one of our `reason`s is a sign-in
 * the admission policy refused; without one, a disabled user.
 */
async function authError(c: Context<AppEnv>) {
  const kind = c.req.query('error') ?? 'Default';
  const reason = kind === 'AccessDenied' ? refusalReasonOf(c.req.query('reason')) : undefined;
  if (reason) return refusedSignIn(c, reason);
  if (kind === 'AccessDenied') {
    return failure(c, 403, 'access_denied', 'Access denied', 'This account may not sign in: it has been disabled');
  }
  return failure(
    c,
    400,
    'sign_in_failed',
    'Sign-in failed',
    `Sign-in could not be completed (${kind.slice(0, 40)}): the sign-in attempt expired, was replayed, or the provider refused it. Start again at ${c.var.config.apiOrigin}/auth/signin`,
    // People get Auth.js's code in words (the sign-in page's sentences), never the code itself.
    signInErrorMessage(kind),
  );
}

/**
 * A sign-in the admission policy refused: `403 access_denied`, or for a
 * browser our page, whose "Use another account" button is a link to the
 * one-click start with Google's account chooser (`prompt=select_account`),
 * back to the page first asked for (Auth.js's callback-url cookie of the
 * refused flow, when our redirect policy keeps it). Flow cookies that cannot
 * be used are cleared, as on every Auth.js route.
 */
async function refusedSignIn(c: Context<AppEnv>, reason: Parameters<typeof refusalMessage>[0]) {
  const { config } = c.var;
  const message = refusalMessage(reason);
  const admits = admittedAccounts(config.admission);
  if (!wantsPage(c)) throw apiError(403, 'access_denied', `${message} ${admits}`);
  c.set('errorCode', 'access_denied');
  const input = toAuthJsRequest(c.req.raw, config, 'error');
  const link = new URLSearchParams({ prompt: 'select_account' });
  const firstAsked = callbackUrlCookieOf(input.request, config);
  if (firstAsked) link.set('callbackUrl', firstAsked);
  for (const clear of input.clears) c.header('Set-Cookie', clear, { append: true });
  const page = refusedSignInPage({
    siteName: config.siteName,
    message,
    admits,
    anotherAccountHref: `/auth/signin/google?${link}`,
    appUrl: config.appUrl,
  });
  return sendPage(c, page, { status: 403 });
}

/** The callback URL of Auth.js's cookie, when toAuthJsRequest passed it on (it is then one our policy keeps). */
function callbackUrlCookieOf(request: Request, config: Config): string | undefined {
  const name = flowCookieNames(config).callbackUrl;
  const value = cookiePairs(request.headers.get('cookie')).find(([n]) => n === name)?.[1];
  if (value === undefined) return undefined;
  try {
    return resolveRedirect(decodeURIComponent(value), redirectPolicyOf(config));
  } catch {
    return undefined;
  }
}
