import { Auth } from '@auth/core';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { type AuthDeps, createAuthConfig } from '../auth/auth-config';
import { toAuthJsRequest } from '../auth/auth-request';
import { flowCookieNames } from '../auth/flow-cookies';
import { redirectPolicyOf, resolveRedirect } from '../auth/redirect-policy';
import { apiError } from '../errors';
import { sendPage } from '../pages/page-response';
import { signInErrorMessage, signInPage } from '../pages/sign-in';
import { cookiePairs } from '../session/cookie';
import { quoteInput } from '../untrusted-text';

/** What the one-click start and the sign-out page borrow from the /auth route (src/routes/auth.ts). */
export interface AuthJsRunner {
  /** Auth.js on a request, its answer made ours (cookies, landing page, errors). */
  run: (c: Context<AppEnv>, raw: Request) => Promise<Response>;
  /** Our answer to an Auth.js error response. */
  failure: (c: Context<AppEnv>, response: Response) => Promise<Response>;
  deps: (c: Context<AppEnv>) => Omit<AuthDeps, 'sessionCookieValues' | 'onStorageError'>;
}

/** The name part (`name=`) of a Set-Cookie header, to tell which cookies a response writes. */
const cookieNameOf = (header: string) => header.slice(0, header.indexOf('=') + 1);

/** Query parameters the one-click start passes on to Google (as the POST passes its query), capped in length. */
const PROVIDER_HINTS = ['login_hint', 'prompt'] as const;
const MAX_HINT_LENGTH = 1024;

function providerHintsOf(query: URLSearchParams): URLSearchParams {
  const hints = new URLSearchParams();
  for (const name of PROVIDER_HINTS) {
    const value = query.get(name);
    if (value !== null && value.length <= MAX_HINT_LENGTH) hints.set(name, value);
  }
  return hints;
}

/**
 * `GET /auth/signin/:provider?callbackUrl=…`: one click to sign in. A plain
 * link starts the Google flow at once, doing what Auth.js's own page does with
 * two requests: it asks Auth.js for a CSRF token and cookie (its csrf action,
 * on a synthetic request), then runs Auth.js's `POST /auth/signin/google` with
 * that token in the form, that cookie, the callbackUrl our redirect policy
 * keeps, and `login_hint`/`prompt` in the query; both answers' cookies ride on
 * the 302 to Google.
 *
 * Login CSRF: any page can now make a victim's browser start a sign-in. That
 * is what every "Sign in with Google" link does, and it ends at Google with
 * the victim's own account: state, PKCE verifier and nonce are fresh `__Host-`
 * cookies of the victim's browser (no sibling can plant or read them), so the
 * attacker cannot splice an authorization code of its own account into the
 * victim's flow, and the landing page is still bound by the redirect policy.
 * Auth.js's CSRF check on the POST still guards every form post.
 */
export function oneClickSignIn(authJs: AuthJsRunner) {
  return (c: Context<AppEnv>) => startSignIn(c, authJs);
}

async function startSignIn(c: Context<AppEnv>, authJs: AuthJsRunner) {
  const { config } = c.var;
  const provider = c.req.param('provider') ?? '';
  if (provider !== 'google') {
    throw apiError(404, 'not_found', `No sign-in provider ${quoteInput(provider, 40)}: use /auth/signin/google`);
  }
  const query = new URL(c.req.url).searchParams;

  // 1. Auth.js's CSRF token, and the cookie that goes with it (the browser's own, or a new one).
  const csrf = toAuthJsRequest(
    new Request(`${config.apiOrigin}/auth/csrf`, { headers: c.req.raw.headers }),
    config,
    'csrf',
  );
  const csrfResponse = await Auth(
    csrf.request,
    createAuthConfig({ ...authJs.deps(c), sessionCookieValues: [], onStorageError: () => {} }),
  );
  if (!csrfResponse.ok) return authJs.failure(c, csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken?: unknown };
  if (typeof csrfToken !== 'string') return authJs.failure(c, new Response('no csrfToken', { status: 500 }));
  const csrfName = flowCookieNames(config).csrfToken;
  const fromCsrf = csrfResponse.headers.getSetCookie();
  const issued = fromCsrf.find((h) => h.startsWith(`${csrfName}=`));
  const flowCookies = cookiePairs(csrf.request.headers.get('cookie'));
  const kept = flowCookies.find(([name]) => name === csrfName);
  const csrfCookie = issued ? issued.split(';')[0] : kept && `${kept[0]}=${kept[1]}`;

  // 2. Auth.js's sign-in POST, as its page would send it.
  const headers = new Headers(c.req.raw.headers);
  const cookies = flowCookies.filter(([name]) => name !== csrfName).map(([name, value]) => `${name}=${value}`);
  headers.set('cookie', [...cookies, ...(csrfCookie ? [csrfCookie] : [])].join('; '));
  headers.set('content-type', 'application/x-www-form-urlencoded');
  const callbackUrl = resolveRedirect(query.get('callbackUrl') ?? config.appUrl, redirectPolicyOf(config));
  const hints = providerHintsOf(query);
  const post = new Request(`${config.apiOrigin}/auth/signin/${provider}${hints.size ? `?${hints}` : ''}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ csrfToken, callbackUrl }),
  });
  const started = await authJs.run(c, post);

  // 3. One answer: the POST's cookies win over the csrf step's of the same name (a browser keeps the last).
  const fromPost = started.headers.getSetCookie();
  const written = new Set(fromPost.map(cookieNameOf));
  const earlier = [...fromCsrf, ...csrf.clears].filter((h) => !written.has(cookieNameOf(h)));
  const res = new Response(started.body, started);
  res.headers.delete('Set-Cookie');
  for (const header of [...earlier, ...fromPost]) res.headers.append('Set-Cookie', header);
  return res;
}

/**
 * `GET /auth/signin`: our sign-in page (the site's name, one "Sign in with
 * Google" button, a link to the one-click start, the error of the last attempt). Flow
 * cookies the browser cannot use (a tossed callback URL…) are cleared here as
 * on every Auth.js route.
 */
export function signInPageRoute(c: Context<AppEnv>) {
  const { config } = c.var;
  const query = new URL(c.req.url).searchParams;
  const link = new URLSearchParams();
  const callbackUrl = query.get('callbackUrl');
  if (callbackUrl !== null) link.set('callbackUrl', resolveRedirect(callbackUrl, redirectPolicyOf(config)));
  for (const [name, value] of providerHintsOf(query)) link.set(name, value);
  const error = query.get('error');
  const page = signInPage({
    siteName: config.siteName,
    googleHref: `/auth/signin/google${link.size ? `?${link}` : ''}`,
    ...(error ? { error: signInErrorMessage(error) } : {}),
  });
  for (const clear of toAuthJsRequest(c.req.raw, config, 'signin').clears) {
    c.header('Set-Cookie', clear, { append: true });
  }
  // The page loads nothing, runs nothing and has no form; its one link is a navigation, which CSP does not restrict.
  return sendPage(c, page);
}
