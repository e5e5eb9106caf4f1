import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { rows } from './support/db';
import { signIn } from './support/sign-in';

it('25 parallel first sign-ins of one Google account make exactly one user and one account', async () => {
  const results = await Promise.all(
    Array.from({ length: 25 }, (_, i) => signIn({ sub: 'google-sub-rush', name: `Rush ${i}` })),
  );
  expect(results.map((r) => r.callback.status)).toEqual(Array(25).fill(302));

  const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())?.n;
  expect(await count("SELECT count(*) AS n FROM accounts WHERE provider_account_id = 'google-sub-rush'")).toBe(1);
  expect(await count('SELECT count(*) AS n FROM users')).toBe(1);
  // In DB, or spread over the session databases (SESSION_DBS).
  const sessions = await rows<{ user_id: string }>('sessions');
  expect(sessions).toHaveLength(25);
  expect(new Set(sessions.map((s) => s.user_id)).size).toBe(1);
});
