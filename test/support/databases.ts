import { env } from 'cloudflare:workers';

/** SESSION_DBS of this project's env: the session databases' names, none in the one-database project. */
export function sessionDbNames(): string[] {
  const raw = (env as unknown as { SESSION_DBS?: string }).SESSION_DBS;
  return raw ? (JSON.parse(raw) as string[]) : [];
}

export function bindingOf(name: string): D1Database {
  return (env as unknown as Record<string, D1Database>)[name] as D1Database;
}

/** The session databases (SESSION_DBS), or DB alone when sessions are not split. */
export function sessionDatabases(): D1Database[] {
  const names = sessionDbNames();
  return names.length ? names.map(bindingOf) : [env.DB];
}

/** DB and every session database, each once. */
export function testDatabases(): D1Database[] {
  return [
    env.DB,
    ...sessionDbNames()
      .filter((n) => n !== 'DB')
      .map(bindingOf),
  ];
}
