import type { Context } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { type CookieOptions, serialize } from 'hono/utils/cookie';
import type { Config } from '../config/config';

/** Largest session cookie value we read; our token is ~650 bytes with a typical profile (≤ ~3 KB at the profile caps), browsers cap a cookie at 4096. */
export const MAX_SESSION_COOKIE_LENGTH = 4096;

/**
 * Attributes of the session cookie, decided once from config so sign-in,
 * refresh and sign-out all agree (a clear with another Domain or Path leaves it alive).
 */
export function sessionCookieOptions(config: Config): CookieOptions & { path: '/' } {
  return {
    path: '/',
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'Lax',
    ...(config.cookieDomain ? { domain: config.cookieDomain } : {}),
  };
}

/**
 * Ends this browser's session cookie: deletes it with the Domain and Path it
 * was set with (revoking the current session, signing out everywhere,
 * deleting the account).
 */
export function clearSessionCookie(c: Context, config: Config): void {
  deleteCookie(c, config.sessionCookieName, sessionCookieOptions(config));
}

/**
 * Every `name=value` pair of a `Cookie` header, in the order sent, duplicates
 * kept and values left as they came (a browser sends one pair per stored
 * cookie, so two pairs of one name are two cookies: RFC 6265 §5.4).
 */
export function cookiePairs(header: string | null | undefined): Array<[name: string, value: string]> {
  const pairs: Array<[string, string]> = [];
  if (!header) return pairs;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    if (name) pairs.push([name, pair.slice(eq + 1).trim()]);
  }
  return pairs;
}

/** `name.0`, `name.1`…: how Auth.js and others chunk a large cookie. Sitewide never writes or joins them. */
export function isChunkOf(cookieName: string, name: string): boolean {
  return cookieName.startsWith(`${name}.`) && /^\d+$/.test(cookieName.slice(name.length + 1));
}

export type SessionCookieRead =
  | { kind: 'absent' }
  | { kind: 'present'; value: string }
  | { kind: 'rejected'; reason: 'duplicated' | 'oversized'; count: number };

/**
 * Reads the session cookie from a raw `Cookie` header: the only reader of it.
 * Two cookies of the same name (a host-only leftover, or one tossed by a
 * sibling subdomain) are ambiguous and rejected rather than guessed between;
 * chunk-named cookies (`name.0`…) are never joined into one.
 */
export function readSessionCookie(header: string | null | undefined, name: string): SessionCookieRead {
  // On every authenticated request: one pass, no pair objects.
  const values: string[] = [];
  for (const pair of header?.split(';') ?? []) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  if (values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'rejected', reason: 'duplicated', count: values.length };
  const value = values[0] as string;
  if (value.length === 0) return { kind: 'absent' };
  if (value.length > MAX_SESSION_COOKIE_LENGTH) return { kind: 'rejected', reason: 'oversized', count: 1 };
  return { kind: 'present', value };
}

/** Every copy of the session cookie a request carries: the exact name (any number of times) and chunk names. */
export function sessionCookieCopies(header: string | null | undefined, name: string) {
  return cookiePairs(header).filter(([n]) => n === name || isChunkOf(n, name));
}

/**
 * The `Cookie` header without the session cookie: every pair named exactly
 * `name` or a chunk of it (`name.0`…) is dropped, the others kept as sent.
 * Undefined when nothing is left. The gate forwards this, so the origin never sees the session token (src/gate/forwarded-request.ts).
 */
export function withoutSessionCookie(header: string, name: string): string | undefined {
  if (!header.includes(name)) return header;
  const kept: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    const pairName = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (pairName !== name && !isChunkOf(pairName, name)) kept.push(pair.trim());
  }
  const joined = kept.filter(Boolean).join('; ');
  return joined === '' ? undefined : joined;
}

/** Most path prefixes a clear is written for: our routes are at most four segments deep. */
const MAX_CLEARED_PATH_SEGMENTS = 5;

/**
 * Every `Path` a cookie sent with a request to `path` can have (RFC 6265
 * §5.1.4 path-match): `/`, and each segment prefix with and without its slash.
 */
export function matchingCookiePaths(path: string): string[] {
  const segments = path.split('/').filter(Boolean).slice(0, MAX_CLEARED_PATH_SEGMENTS);
  const paths = ['/'];
  let prefix = '';
  for (const segment of segments) {
    prefix += `/${segment}`;
    paths.push(prefix, `${prefix}/`);
  }
  return paths;
}

/**
 * Set-Cookie headers that delete session cookie copies: for each name, with
 * our `Domain` and host-only, at `/` and (when `requestPath` is given) at every
 * path a cookie sent to that path can have, since a browser deletes only the
 * cookie whose name, domain and path all match (RFC 6265 §5.3 step 11).
 * `keepOurs` spares the one slot Sitewide writes (its name, Domain and `/`).
 */
export function sessionCookieClears(
  config: Config,
  options: { names: Iterable<string>; requestPath?: string; keepOurs?: boolean },
): string[] {
  const { domain: ourDomain, ...attributes } = sessionCookieOptions(config);
  const domains = ourDomain ? [ourDomain, undefined] : [undefined];
  const paths = options.requestPath ? matchingCookiePaths(options.requestPath) : ['/'];
  const clears: string[] = [];
  for (const name of new Set(options.names)) {
    for (const domain of domains) {
      for (const path of paths) {
        const ours = name === config.sessionCookieName && domain === ourDomain && path === '/';
        if (ours && options.keepOurs) continue;
        clears.push(serialize(name, '', { ...attributes, path, maxAge: 0, ...(domain ? { domain } : {}) }));
      }
    }
  }
  return clears;
}
