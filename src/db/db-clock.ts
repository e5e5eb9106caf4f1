import { type SQL, sql } from 'drizzle-orm';

// `npm run admin` loads this file with Node as is (type stripping): it imports only packages.

/**
 * Now, in whole ms, by the database's clock: for times that verifiers compare with a token's `iat`
 * (a service client's revocation, the end of a rotation's overlap), which an operator's laptop
 * whose clock is behind must not move back. SQLite takes `now` once per statement, so two columns
 * set from it in one UPDATE hold the same time.
 */
export const DB_NOW_MS = sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;

/** `ms` milliseconds after now, by the database's clock (DB_NOW_MS). */
export function dbTimeAfter(ms: number): SQL {
  return sql`${DB_NOW_MS} + ${ms}`;
}
