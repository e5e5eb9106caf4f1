import { landingFor } from '../access/app-access';
import type { Config } from '../config/config';
import { sessionCookieClears } from '../session/cookie';
import type { AuthJsInput } from './auth-request';

/** What the Auth.js run did, as its callbacks reported it. */
export interface AuthJsOutcome {
  signedOut: boolean;
  /** The roles of the user a sign-in recorded (for the landing page: APP_ACCESS). */
  signedInRoles: readonly string[] | undefined;
}

const isSessionCookieHeader = (header: string, name: string) =>
  header.startsWith(`${name}=`) || header.startsWith(`${name}.`);

/**
 * Auth.js's answer made ours (the counterpart of toAuthJsRequest in auth-request.ts): the landing
 * page checked against APP_ACCESS, and its `Set-Cookie` headers rewritten: on sign-out our clears
 * of every session-cookie copy replace Auth.js's single one; flow cookies the request could not use
 * are cleared unless written afresh; a sign-in's new cookie replaces every other copy.
 */
export function toOurResponse(
  response: Response,
  input: AuthJsInput,
  config: Config,
  outcome: AuthJsOutcome,
  path: string,
): Response {
  const name = config.sessionCookieName;
  const fromAuthJs = response.headers.getSetCookie();
  const signedIn = fromAuthJs.some((h) => h.startsWith(`${name}=`) && !h.startsWith(`${name}=;`));
  const res = new Response(response.body, response);
  // Auth.js settled the landing page before it knew the user: an origin the user's roles may not reach (APP_ACCESS) lands on APP_URL.
  const location = res.headers.get('location');
  if (signedIn && outcome.signedInRoles && location) {
    res.headers.set('location', landingFor(location, outcome.signedInRoles, config));
  }
  res.headers.delete('Set-Cookie');
  for (const header of fromAuthJs) {
    // On sign-out our clears below replace Auth.js's single one, which would miss a tossed copy.
    if (!(outcome.signedOut && isSessionCookieHeader(header, name))) res.headers.append('Set-Cookie', header);
  }
  // A flow cookie Auth.js writes afresh in this response needs no clear (after it, a clear would win).
  const written = new Set(fromAuthJs.map((h) => h.slice(0, h.indexOf('=') + 1)));
  for (const clear of input.clears) {
    if (!written.has(clear.slice(0, clear.indexOf('=') + 1))) res.headers.append('Set-Cookie', clear);
  }
  const names = [name, ...input.sessionCopies.map(([n]) => n)];
  const copies = input.sessionCopies.length;
  let sessionClears: string[] = [];
  if (outcome.signedOut) {
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
