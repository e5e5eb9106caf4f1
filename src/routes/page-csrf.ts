import { Auth } from '@auth/core';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { createAuthConfig } from '../auth/auth-config';
import { toAuthJsRequest } from '../auth/auth-request';
import { flowCookieNames } from '../auth/flow-cookies';
import type { AuthJsRunner } from './sign-in';

/** The name part (`name=`) of a Set-Cookie header. */
const cookieNameOf = (header: string) => header.slice(0, header.indexOf('='));

export type PageCsrf = { csrfToken: string; setCookies: string[] } | { failed: Response };

/**
 * Auth.js's CSRF token for a form on one of our pages, as its csrf action
 * hands it out: run on a synthetic `GET /auth/csrf` with the browser's
 * cookies (through toAuthJsRequest, so a tossed or duplicated flow cookie is
 * dropped). Gives the token and the Set-Cookie headers that go with the page:
 * the CSRF cookie when Auth.js made a new one (nothing else it writes), and clears of the flow cookies
 * it could not use (but not of one written afresh: after it, a clear would win).
 * `failed` is Auth.js's error answer, for `authJs.failure`.
 */
export async function csrfTokenForPage(c: Context<AppEnv>, authJs: AuthJsRunner): Promise<PageCsrf> {
  const { config } = c.var;
  const csrf = toAuthJsRequest(
    new Request(`${config.apiOrigin}/auth/csrf`, { headers: c.req.raw.headers }),
    config,
    'csrf',
  );
  const response = await Auth(
    csrf.request,
    createAuthConfig({ ...authJs.deps(c), sessionCookieValues: [], onStorageError: () => {} }),
  );
  if (!response.ok) return { failed: response };
  const { csrfToken } = (await response.json()) as { csrfToken?: unknown };
  if (typeof csrfToken !== 'string') return { failed: new Response('no csrfToken', { status: 500 }) };
  // Only its CSRF cookie: the csrf action also writes a callback-url cookie, which a page has no use for.
  const csrfName = flowCookieNames(config).csrfToken;
  const fresh = response.headers.getSetCookie().filter((h) => cookieNameOf(h) === csrfName);
  const written = new Set(fresh.map(cookieNameOf));
  const clears = csrf.clears.filter((h) => !written.has(cookieNameOf(h)));
  return { csrfToken, setCookies: [...fresh, ...clears] };
}
