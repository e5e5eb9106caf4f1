/** The SQL that seeds a local D1 (the D1 phase, the scale study): realistic users with a Google account, live sessions. */

const UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`;
const UA = `'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36'`;

/** Users from..to (rowid = i) with a realistic profile, and one Google account each (sub = 1 + 20 digits). */
function usersSql(t: number, from: number, to: number): string {
  return `INSERT INTO users (id, email, email_verified, name, image, hosted_domain, created_at, updated_at, disabled_at)
WITH RECURSIVE c(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM c WHERE i < ${to})
SELECT ${UUID}, 'user' || i || '@example.com', 1, 'User ' || i,
  'https://lh3.googleusercontent.com/a/ACg8oc' || lower(hex(randomblob(24))) || '=s96-c', NULL, ${t}, ${t}, NULL FROM c;
INSERT INTO accounts (provider, provider_account_id, user_id, created_at)
SELECT 'google', '1' || printf('%020d', rowid), id, created_at FROM users WHERE rowid BETWEEN ${from} AND ${to};`;
}

/**
 * Sessions from..to, user = rowid 1 + i % users: live (created up to 20 days ago), last slide
 * under 12 h ago (so a refresh with the default one-day interval does not slide).
 */
function sessionsSql(t: number, from: number, to: number, users: number): string {
  return `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at, user_agent)
WITH RECURSIVE c(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM c WHERE i < ${to})
SELECT ${UUID}, (SELECT id FROM users WHERE rowid = 1 + (i % ${users})),
  ${t} - (i % 20) * 86400000, ${t} - (i % 43200000), ${t} - (i % 43200000) + 2592000000, NULL, ${UA} FROM c;`;
}

export interface SeedChunk {
  /** `users-FROM` or `sessions-FROM`. */
  name: string;
  /** Rows of the table once this chunk is in. */
  rows: number;
  sql: string;
}

/** The chunks that seed `users` users, then `sessions` sessions, `chunk` rows at a time, as of `now`. */
export function* seedChunks(users: number, sessions: number, chunk: number, now = Date.now()): Generator<SeedChunk> {
  for (let from = 1; from <= users; from += chunk) {
    const to = Math.min(users, from + chunk - 1);
    yield { name: `users-${from}`, rows: to, sql: usersSql(now, from, to) };
  }
  for (let from = 0; from < sessions; from += chunk) {
    const to = Math.min(sessions, from + chunk) - 1;
    yield { name: `sessions-${from}`, rows: to + 1, sql: sessionsSql(now, from, to, users) };
  }
}
