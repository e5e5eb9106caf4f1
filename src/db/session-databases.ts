import { sessionDbNameOf } from './session-dbs';

/** The D1 database that holds `userId`'s sessions: `DB` when SESSION_DBS is unset. */
export function sessionDatabaseOf(env: Env, names: readonly string[], userId: string): D1Database {
  return bindingOf(env, sessionDbNameOf(names, userId));
}

/**
 * Every database that holds sessions, `DB` first and each once: what the
 * revocation feed's D1 scan reads. `sessions.revoked_at` lives in each of
 * them; `users.disabled_at` and the deletion rows of `auth_events` are
 * authoritative in `DB` (each session database also holds a copy of its users'
 * rows, `disabled_at` included).
 */
export function sessionDatabases(env: Env, names: readonly string[]): D1Database[] {
  const all = ['DB', ...names.filter((name) => name !== 'DB')];
  return all.map((name) => bindingOf(env, name));
}

function bindingOf(env: Env, name: string): D1Database {
  return (env as unknown as Record<string, D1Database>)[name] as D1Database;
}
