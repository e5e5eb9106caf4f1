import { parseSessionDbs } from '../config/session-dbs';
import { sessionDbNameOf } from './shard-of';

/**
 * The databases that hold sessions, from `env` (bindings) and SESSION_DBS.
 * For code with a Config at hand, `config.sessionDbs` is the parsed list; code
 * without one (the revocation feed's Durable Object) passes nothing and the
 * list is parsed here (a misconfiguration throws its message: the Worker
 * answers `500 misconfigured` for it anyway).
 */
function namesOf(env: Env, names?: readonly string[]): readonly string[] {
  if (names) return names;
  const parsed = parseSessionDbs(env as unknown as Record<string, unknown>);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.names;
}

/** The D1 database that holds `userId`'s sessions: `DB` when SESSION_DBS is unset. */
export function sessionDatabaseOf(env: Env, userId: string, names?: readonly string[]): D1Database {
  return bindingOf(env, sessionDbNameOf(namesOf(env, names), userId));
}

/**
 * Every database that may hold sessions, `DB` first and each once: what the
 * revocation feed's D1 scan reads for `sessions.revoked_at` (with SESSION_DBS
 * unset, `[env.DB]`; set, `DB`, whose `sessions` table is then empty, and each
 * session database). `users.disabled_at` and the deletion rows of
 * `auth_events` (`account_deleted`, `admin_user_deleted`) are written in `DB`
 * only: the session databases hold copies of their users' rows, which the
 * Worker and `npm run admin` keep in step, but a disabling reaches `DB` first
 * (the feed copies a disable written there by SQL: revocation/copy-disables).
 * The feed reads them by name (sessionDatabaseNames, revocation/d1-scan), to
 * keep a read mark per database.
 */
export function sessionDatabases(env: Env, names?: readonly string[]): D1Database[] {
  return sessionDatabaseNames(env, names).map((name) => bindingOf(env, name));
}

/** The binding names of sessionDatabases(env): `DB` first, then each session database once. */
export function sessionDatabaseNames(env: Env, names?: readonly string[]): string[] {
  return ['DB', ...namesOf(env, names).filter((name) => name !== 'DB')];
}

/** A D1 binding by name. */
export function bindingOf(env: Env, name: string): D1Database {
  return (env as unknown as Record<string, D1Database>)[name] as D1Database;
}
