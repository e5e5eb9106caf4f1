import type { Context } from 'hono';
import { refusalFollowUp, refusalMessage, refusalReasonOf } from '../access/refusal';
import type { AppEnv } from '../app-env';
import { toAuthJsRequest } from '../auth/auth-request';
import { flowCookieNames } from '../auth/flow-cookies';
import { redirectPolicyOf, resolveRedirect } from '../auth/redirect-policy';
import type { Config } from '../config/config';
import { apiError, type ErrorCode } from '../errors';
import { refusedSignInPage, signInErrorPage } from '../pages/error';
import { sendPage, wantsPage } from '../pages/page-response';
import { signInErrorMessage } from '../pages/sign-in';
import { cookiePairs } from '../session/cookie';
import { quoteInput } from '../untrusted-text';

// Where a sign-in that cannot finish lands: GET /auth/error, and Auth.js's own error answers.
// A browser navigation gets our page (src/pages/error.ts); every other caller the JSON error.

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
export async function authJsFailure(c: Context<AppEnv>, response: Response) {
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
export async function authError(c: Context<AppEnv>) {
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
    `Sign-in could not be completed (${quoteInput(kind, 40)}): the sign-in attempt expired, was replayed, or the provider refused it. Start again at ${c.var.config.apiOrigin}/auth/signin`,
    // People get Auth.js's code in words (the sign-in page's sentences), never the code itself.
    signInErrorMessage(kind),
  );
}

/**
 * A sign-in the admission policy refused: `403 access_denied` (`403
 * account_conflict` when the address belongs to another Google account), or
 * for a browser our page, whose "Use another account" button is a link to the
 * one-click start with Google's account chooser (`prompt=select_account`),
 * back to the page first asked for (Auth.js's callback-url cookie of the
 * refused flow, when our redirect policy keeps it). Flow cookies that cannot
 * be used are cleared, as on every Auth.js route.
 */
async function refusedSignIn(c: Context<AppEnv>, reason: Parameters<typeof refusalMessage>[0]) {
  const { config } = c.var;
  const message = refusalMessage(reason);
  const admits = refusalFollowUp(reason, config.admission);
  const code = reason === 'account_conflict' ? 'account_conflict' : 'access_denied';
  if (!wantsPage(c)) throw apiError(403, code, `${message} ${admits}`);
  c.set('errorCode', code);
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
