import { env } from 'cloudflare:workers';

/** Rows of a table (or join) straight from D1, for assertions. */
export async function rows<T = Record<string, unknown>>(table: string, where = '1 = 1', ...binds: unknown[]) {
  return (
    await env.DB.prepare(`SELECT * FROM ${table} WHERE ${where}`)
      .bind(...binds)
      .all<T>()
  ).results;
}

export async function run(sql: string, ...binds: unknown[]) {
  return env.DB.prepare(sql)
    .bind(...binds)
    .run();
}

/** The user id that a Google `sub` signed in as. */
export async function userIdOf(googleSub: string): Promise<string> {
  const row = await env.DB.prepare('SELECT user_id FROM accounts WHERE provider_account_id = ?')
    .bind(googleSub)
    .first<{ user_id: string }>();
  if (!row) throw new Error(`no account for ${googleSub}`);
  return row.user_id;
}
