/**
 * A service client as the kit hands it to you: a machine (cron job, CI, another backend, an agent)
 * that got its access token from Sitewide with `grant_type=client_credentials`. Its token's `sub` is
 * `client:<id>`, its `client_id` the id; it has roles, no profile and no session.
 */
import type { JWTPayload } from 'jose';

export interface SitewideClient {
  /** The client's id (`npm run admin -- clients list`), the token's `client_id`. */
  id: string;
  /** The roles Sitewide gave the client, when its token was issued (empty when none). */
  roles: string[];
}

/** The `sub` prefix of every service client's token. */
export const CLIENT_SUBJECT_PREFIX = 'client:';

/**
 * The client id a verified token names: its `client_id` when `sub` is `client:<that id>`; undefined
 * for a user's token (no `client:` prefix); null for a token that claims a client inconsistently.
 */
export function clientIdOf(payload: JWTPayload): string | null | undefined {
  const sub = payload.sub;
  if (typeof sub !== 'string' || !sub.startsWith(CLIENT_SUBJECT_PREFIX)) return undefined;
  const id = payload.client_id;
  return typeof id === 'string' && id !== '' && sub === `${CLIENT_SUBJECT_PREFIX}${id}` ? id : null;
}

export function clientFromClaims(id: string, payload: JWTPayload): SitewideClient {
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { id, roles };
}
