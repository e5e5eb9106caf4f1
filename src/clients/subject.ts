/**
 * How a service client appears in tokens and in the revocation feed: `sub` = `client:<id>`,
 * `client_id` = `<id>`. User ids are UUIDs, so the prefix never names a user. No imports: the
 * admin CLI (scripts/admin/clients) runs this file under Node as it is.
 */

/** The `sub` prefix of every client token, and of the feed's entries for clients. */
export const CLIENT_SUBJECT_PREFIX = 'client:';

/** The `sub` of a client's tokens (and its subject in the revocation feed and auth_events). */
export function clientSubject(id: string): string {
  return `${CLIENT_SUBJECT_PREFIX}${id}`;
}

/** The client id a `sub` names, or undefined for a user's `sub`. */
export function clientIdOfSubject(sub: unknown): string | undefined {
  return typeof sub === 'string' && sub.startsWith(CLIENT_SUBJECT_PREFIX) && sub.length > CLIENT_SUBJECT_PREFIX.length
    ? sub.slice(CLIENT_SUBJECT_PREFIX.length)
    : undefined;
}
