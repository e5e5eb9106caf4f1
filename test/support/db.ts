import { env } from 'cloudflare:workers';
import { dbFor } from '../../src/db/client';
import { sessionDbNameOf } from '../../src/db/shard-of';
import { loadUserCopy, writeUserCopy } from '../../src/users/user-copy';
import { bindingOf, sessionDatabases, sessionDbNames, testDatabases } from './databases';

/**
 * Rows of a table (or join) straight from D1, for assertions. `sessions` come
 * from every session database (SESSION_DBS; DB when unset) and `auth_events`
 * from every database, so a test reads the same whether sessions are split.
 */
export async function rows<T = Record<string, unknown>>(table: string, where = '1 = 1', ...binds: unknown[]) {
  const databases = table === 'sessions' ? sessionDatabases() : table === 'auth_events' ? testDatabases() : [env.DB];
  const found: T[] = [];
  for (const db of databases) {
    found.push(
      ...(
        await db
          .prepare(`SELECT * FROM ${table} WHERE ${where}`)
          .bind(...binds)
          .all<T>()
      ).results,
    );
  }
  // Rows of several databases in time order, as one database gives them (insertion order).
  if (databases.length > 1 && table === 'auth_events') {
    found.sort(
      (a, b) => Number((a as { created_at: number }).created_at) - Number((b as { created_at: number }).created_at),
    );
  }
  return found;
}

/**
 * Runs a statement as an operator would. With SESSION_DBS: a statement on
 * `sessions` runs in every session database (the row is in one); any other
 * runs in DB, and then every user's copy is written to its session database,
 * as `npm run admin` does after a change (users/user-copy).
 */
export async function run(sql: string, ...binds: unknown[]) {
  const names = sessionDbNames();
  if (names.length > 0 && /\bsessions\b/i.test(sql)) {
    for (const db of sessionDatabases())
      await db
        .prepare(sql)
        .bind(...binds)
        .run();
    return;
  }
  const result = await env.DB.prepare(sql)
    .bind(...binds)
    .run();
  if (names.length > 0) await copyUsersToSessionDbs(names);
  return result;
}

async function copyUsersToSessionDbs(names: string[]) {
  const directory = dbFor(env.DB);
  const { results } = await env.DB.prepare('SELECT id FROM users').all<{ id: string }>();
  for (const { id } of results) {
    const copy = await loadUserCopy(directory, id);
    if (!copy) continue;
    const name = sessionDbNameOf(names, id);
    if (name === 'DB') continue;
    const target = dbFor(bindingOf(name));
    await target.batch(writeUserCopy(target, copy) as unknown as Parameters<typeof target.batch>[0]);
  }
}

/** The user id that a Google `sub` signed in as. */
export async function userIdOf(googleSub: string): Promise<string> {
  const row = await env.DB.prepare('SELECT user_id FROM accounts WHERE provider_account_id = ?')
    .bind(googleSub)
    .first<{ user_id: string }>();
  if (!row) throw new Error(`no account for ${googleSub}`);
  return row.user_id;
}
