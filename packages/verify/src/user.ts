/**
 * Who the caller is, as the kit hands it to you: built from a token's claims, or from Sitewide's
 * answer to a renewal with the expired token's claims filling the gaps.
 */
import type { JWTPayload } from 'jose';

export interface SitewideUser {
  /** Sitewide's user id (the token's `sub`). */
  id: string;
  /** `null` when neither the token nor a refresh answer carried it. */
  email: string | null;
  name: string | null;
  image: string | null;
  /** The user's roles when the token was signed (empty when none). */
  roles: string[];
}

export interface SitewideSession {
  /** The session id (the token's `sid`). */
  id: string;
  /**
   * ISO 8601. After a local verification: when the token expires (Sitewide renews it after that);
   * after a refresh: the session's expiry as Sitewide answered it.
   */
  expiresAt: string | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** An ISO 8601 string from seconds, milliseconds or a date string; `null` for anything else. */
export function isoOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return null;
}

/** The user as the token's claims tell it; fields the token lacks are `null` (roles: empty). */
export function userFromClaims(payload: JWTPayload): SitewideUser {
  return {
    id: String(payload.sub),
    email: str(payload.email),
    name: str(payload.name),
    image: str(payload.picture) ?? str(payload.image),
    roles: strings(payload.roles),
  };
}

/** The session a verified token names: its `sid`, and its expiry. */
export function sessionFromClaims(payload: JWTPayload): SitewideSession {
  return { id: String(payload.sid), expiresAt: isoOf(payload.exp) };
}

/** After a renewal: Sitewide's answer, with the expired token's claims where the answer is silent. */
export function renewedUser(expired: JWTPayload, answered: Partial<SitewideUser>): SitewideUser {
  const claims = userFromClaims(expired);
  return {
    id: str(answered.id) ?? claims.id,
    email: str(answered.email) ?? claims.email,
    name: str(answered.name) ?? claims.name,
    image: str(answered.image) ?? claims.image,
    roles: Array.isArray(answered.roles) ? strings(answered.roles) : claims.roles,
  };
}

/** After a renewal: the session Sitewide answered (its id, else the token's `sid`). */
export function renewedSession(
  expired: JWTPayload,
  answered: { id?: unknown; expiresAt?: string | number | null },
): SitewideSession {
  return { id: str(answered.id) ?? String(expired.sid), expiresAt: isoOf(answered.expiresAt) };
}

/** True when the user (or service client) holds at least one of `roles` (an empty list requires none). */
export function hasAnyRole(user: Pick<SitewideUser, 'roles'>, roles: readonly string[] | undefined): boolean {
  return !roles || roles.length === 0 || roles.some((role) => user.roles.includes(role));
}
