import { type CookieOptions, serialize } from 'hono/utils/cookie';
import type { Config } from '../config';

/** Largest session cookie value we read; our token is ~450 bytes, browsers cap a cookie at 4096. */
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

export type SessionCookieRead =
  | { kind: 'absent' }
  | { kind: 'present'; value: string }
  | { kind: 'rejected'; reason: string };

/**
 * Reads the session cookie from a raw `Cookie` header. Two cookies of the same
 * name (a host-only leftover, or one tossed by a sibling subdomain) are
 * ambiguous and rejected rather than guessed between.
 */
export function readSessionCookie(header: string | null | undefined, name: string): SessionCookieRead {
  if (!header) return { kind: 'absent' };
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    values.push(pair.slice(eq + 1).trim());
  }
  if (values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'rejected', reason: `the ${name} cookie was sent ${values.length} times` };
  const value = values[0] as string;
  if (value.length === 0) return { kind: 'absent' };
  if (value.length > MAX_SESSION_COOKIE_LENGTH) return { kind: 'rejected', reason: `the ${name} cookie is oversized` };
  return { kind: 'present', value };
}

/**
 * A Set-Cookie that deletes a *host-only* session cookie of the same name
 * (no Domain attribute), leaving the parent-domain one alone. Undefined when
 * the session cookie is host-only itself (plain-http localhost).
 */
export function hostOnlyClearCookie(config: Config): string | undefined {
  if (!config.cookieDomain) return undefined;
  const { domain: _parentDomain, ...hostOnly } = sessionCookieOptions(config);
  return serialize(config.sessionCookieName, '', { ...hostOnly, maxAge: 0 });
}
