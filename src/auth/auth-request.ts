import type { Config } from '../config/config';
import { cookiePairs, sessionCookieCopies } from '../session/cookie';
import { flowCookieClear, flowCookieNames } from './flow-cookies';
import { redirectPolicyOf, resolveRedirect } from './redirect-policy';

/** Auth.js's own cookies are ~100–500 bytes; anything larger is not one of them. */
const MAX_FLOW_COOKIE_LENGTH = 4096;

/**
 * What Auth.js gets instead of the session cookie on sign-out: its sign-out
 * (CSRF check, `events.signOut`) runs only when it sees a session cookie, and
 * it must never read ours. Our `jwt.decode` never looks at it.
 */
const SIGN_OUT_STAND_IN = 'sign-out';

export interface AuthJsInput {
  /** The request handed to Auth.js. */
  request: Request;
  /** Every copy of the session cookie the browser sent, exact and chunk names, in order (read by us only). */
  sessionCopies: Array<[name: string, value: string]>;
  /** Set-Cookie headers deleting flow cookies that were not passed on (duplicated, oversized, bad callback URL). */
  clears: string[];
}

/** A callback-url cookie is passed on only when it is an absolute URL our redirect policy keeps as it is. */
function isAllowedCallbackCookie(raw: string, config: Config): boolean {
  try {
    // Auth.js writes it URI-encoded and decodes it when reading.
    const value = decodeURIComponent(raw);
    return resolveRedirect(value, redirectPolicyOf(config)) === new URL(value).href;
  } catch {
    return false;
  }
}

/**
 * The request Auth.js sees, made safe from what a hostile sibling or a bad
 * link can send:
 * - the origin is pinned to AUTH_URL (redirect_uri and cookie names never follow a Host header);
 * - `?callbackUrl=` is replaced by where our redirect policy sends it (Auth.js
 *   answers 500 to a value that is not a URL);
 * - the `Cookie` header keeps only Auth.js's flow cookies, each sent once, of
 *   sane size, and a callback URL our policy allows; the session cookie is never
 *   passed on (Auth.js's parser would pick the first of two copies, and join
 *   `name.0`, `name.1` as chunks), only a stand-in on sign-out.
 */
export function toAuthJsRequest(raw: Request, config: Config, action: string): AuthJsInput {
  const url = new URL(raw.url);
  const pinned = new URL(`${config.apiOrigin}${url.pathname}${url.search}`);
  const callbackUrl = pinned.searchParams.get('callbackUrl');
  if (callbackUrl !== null) {
    pinned.searchParams.set('callbackUrl', resolveRedirect(callbackUrl, redirectPolicyOf(config)));
  }

  const cookieHeader = raw.headers.get('cookie');
  const pairs = cookiePairs(cookieHeader);
  const names = flowCookieNames(config);
  const forwarded: string[] = [];
  const clears: string[] = [];
  for (const name of Object.values(names)) {
    const values = pairs.filter(([n]) => n === name).map(([, v]) => v);
    const [value] = values;
    if (value === undefined) continue;
    const usable =
      values.length === 1 &&
      value.length <= MAX_FLOW_COOKIE_LENGTH &&
      (name !== names.callbackUrl || isAllowedCallbackCookie(value, config));
    if (usable) forwarded.push(`${name}=${value}`);
    else clears.push(flowCookieClear(config, name));
  }
  const sessionCopies = sessionCookieCopies(cookieHeader, config.sessionCookieName);
  if (action === 'signout' && sessionCopies.length > 0) {
    forwarded.push(`${config.sessionCookieName}=${SIGN_OUT_STAND_IN}`);
  }

  const headers = new Headers(raw.headers);
  if (forwarded.length > 0) headers.set('cookie', forwarded.join('; '));
  else headers.delete('cookie');
  return { request: new Request(new Request(pinned, raw), { headers }), sessionCopies, clears };
}
