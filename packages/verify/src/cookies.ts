/**
 * The session cookie in a request: the two headers that matter, every `name=value` pair of the
 * Cookie header, and the one session cookie picked from them (none when it arrived twice), with a
 * hint when it is missing.
 */
import { fail, type SitewideFailure } from './errors.ts';

/** A standard Request, or just the two headers that matter. */
export type VerifyInput = Request | { cookie?: string | null; authorization?: string | null };

/** The Cookie and Authorization headers of a Request (of any realm) or of a plain object. */
export function headersOf(input: VerifyInput): { cookie: string | null; authorization: string | null } {
  if (typeof Request !== 'undefined' && input instanceof Request) {
    return { cookie: input.headers.get('cookie'), authorization: input.headers.get('authorization') };
  }
  const plain = input as { cookie?: string | null; authorization?: string | null; headers?: unknown };
  if (plain.headers && typeof (plain.headers as Headers).get === 'function') {
    // A Request from another realm (e.g. a polyfill): duck-typed.
    const headers = plain.headers as Headers;
    return { cookie: headers.get('cookie'), authorization: headers.get('authorization') };
  }
  return { cookie: plain.cookie ?? null, authorization: plain.authorization ?? null };
}

/** Every `name=value` pair of a Cookie header, duplicates kept (two pairs of one name are two cookies). */
export function cookiePairs(header: string | null | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name) pairs.push([name, part.slice(eq + 1).trim()]);
  }
  return pairs;
}

/** The other names a Sitewide session cookie goes by: `__Secure-` on https, plain on http. */
function siblingNames(name: string): string[] {
  const base = name.replace(/^__(Secure|Host)-/, '');
  return [base, `__Secure-${base}`, `__Host-${base}`].filter((n) => n !== name);
}

/** What the kit knows of the cookie from sitewide.json, for picking it and for the hints. */
export interface CookieFacts {
  issuer: string;
  name: string;
  /** COOKIE_DOMAIN, or `null` for a host-only cookie. */
  domain: string | null;
}

/** The session token from a Cookie header, or why there is none (`missing_session`, or `invalid_session` when sent twice). */
export function sessionCookieToken(
  header: string | null,
  facts: CookieFacts,
): { token: string } | { failure: SitewideFailure } {
  const pairs = cookiePairs(header);
  const values = pairs.filter(([name]) => name === facts.name).map(([, value]) => value);
  if (values.length > 1) {
    return {
      failure: fail(
        401,
        'invalid_session',
        'The session cookie was sent more than once',
        `${values.length} cookies named ${facts.name} arrived: one was likely tossed by another host under the cookie's domain (or a host-only leftover); neither is picked. Sitewide clears the copies it did not set at its next request`,
      ),
    };
  }
  const token = values[0];
  if (token) return { token };
  return { failure: fail(401, 'missing_session', 'Sign in with Sitewide first', missingHint(pairs, facts)) };
}

function missingHint(pairs: Array<[string, string]>, facts: CookieFacts): string {
  const names = new Set(pairs.map(([name]) => name));
  const other = siblingNames(facts.name).find((name) => names.has(name));
  const domain = facts.domain ?? 'host-only';
  if (other) {
    return `a cookie named ${other} arrived, but this Sitewide (${facts.issuer}) names its session cookie ${facts.name}: it belongs to another environment (http vs https, or another deployment)`;
  }
  if (pairs.length > 0) {
    return `other cookies arrived but not ${facts.name}: this host may be outside COOKIE_DOMAIN (${domain}), or the request was made without credentials: 'include'`;
  }
  return `no cookies arrived: sign in at ${facts.issuer}, and call this backend with credentials: 'include' from a host under ${facts.domain ?? 'the API host'}`;
}
