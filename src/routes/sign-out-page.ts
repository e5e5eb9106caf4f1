import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { toAuthJsRequest } from '../auth/auth-request';
import { redirectPolicyOf, resolveRedirect } from '../auth/redirect-policy';
import { apiError } from '../errors';
import { sendPage, wantsPage } from '../pages/page-response';
import { signedOutPage, signOutPage } from '../pages/sign-out';
import { csrfTokenForPage } from './page-csrf';
import type { AuthJsRunner } from './sign-in';

/**
 * `GET /auth/signout?callbackUrl=…`: sign-out by link. A browser gets our
 * page, "Sign out of SITE?" and one button: a form that POSTs to
 * /auth/signout with Auth.js's CSRF token and the callbackUrl (through the
 * redirect policy), so the POST lands there. Nothing here signs out or writes
 * to D1: a hostile page can link or redirect here, never click (frames are
 * refused), and the POST still needs the CSRF pair and an allowed Origin.
 * Without a session cookie the page says so, with a link to the callbackUrl.
 *
 * Anything but a browser navigation (no `text/html` in Accept) keeps the JSON
 * `405 method_not_allowed`: signing out is a POST.
 */
export function signOutPageRoute(authJs: AuthJsRunner) {
  return async function signOutPageRoute(c: Context<AppEnv>) {
    const { config } = c.var;
    if (!wantsPage(c)) {
      throw apiError(
        405,
        'method_not_allowed',
        'GET /auth/signout is a page for browsers (Accept: text/html); sign out with POST (form: csrfToken, callbackUrl)',
        { headers: { Allow: 'POST' } },
      );
    }
    const query = new URL(c.req.url).searchParams;
    const callbackUrl = resolveRedirect(query.get('callbackUrl') ?? config.appUrl, redirectPolicyOf(config));
    const { sessionCopies, clears } = toAuthJsRequest(c.req.raw, config, 'signout');

    if (sessionCopies.length === 0) {
      for (const clear of clears) c.header('Set-Cookie', clear, { append: true });
      return sendPage(c, signedOutPage({ siteName: config.siteName, callbackUrl }));
    }
    const csrf = await csrfTokenForPage(c, authJs);
    if ('failed' in csrf) return authJs.failure(c, csrf.failed);
    for (const header of csrf.setCookies) c.header('Set-Cookie', header, { append: true });
    // The POST answers 302 to the callbackUrl, and CSP's form-action is checked on every hop of a form's redirects.
    const landing = new URL(callbackUrl).origin;
    const formAction = landing === config.apiOrigin ? ["'self'"] : ["'self'", landing];
    return sendPage(c, signOutPage({ siteName: config.siteName, csrfToken: csrf.csrfToken, callbackUrl }), {
      formAction,
    });
  };
}
