// With SESSION_DBS (the session-shards project only): a disable written straight into DB, by SQL and
// not through `npm run admin`, reaches the user's copy in their session database through the
// revocation feed's D1 read (src/revocation/copy-disables.ts). Without it, the refresh (which reads
// the copy) would let the user back in once the feed's entry aged out.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { sessionDatabaseOf } from '../src/db/session-databases';
import { codeOf } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const POLL_MS = 200;
const afterPollAndScan = () => new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS + 100));

const copyOf = (userId: string) =>
  sessionDatabaseOf(env, userId)
    .prepare('SELECT disabled_at FROM users WHERE id = ?')
    .bind(userId)
    .first<{ disabled_at: number | null }>();

/** The refresh alone (no feed): what the user's copy says of an expired token. */
async function refreshWithoutFeed(userId: string, sid: string) {
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
  return createApp().fetch(
    new Request(`${API}/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
    { ...env, REVOCATION_FEED: undefined } as unknown as Env,
    createExecutionContext(),
  );
}

describe('a disable written straight into DB reaches the session-database copy through the feed', () => {
  it('SQL on DB only: the copy is disabled after one poll, and the refresh answers 403 user_disabled', async () => {
    const isolate = apiWith({ REVOCATION_POLL: String(POLL_MS / 1000) } as Partial<Record<keyof Env, string>>);
    const { jar } = await signInTo(isolate, { sub: 'copy-disable-sql' });
    const { userId, sid } = sessionOf(jar);
    expect(sessionDatabaseOf(env, userId)).not.toBe(env.DB);
    const at = Date.now();
    await env.DB.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').bind(at, userId).run();
    expect(await copyOf(userId)).toEqual({ disabled_at: null });
    expect((await refreshWithoutFeed(userId, sid)).status).toBe(200);

    await afterPollAndScan();
    const refused = await isolate('/api/me', { jar });
    expect({ status: refused.status, code: await codeOf(refused) }).toEqual({ status: 401, code: 'session_revoked' });
    await afterPollAndScan();
    expect(await copyOf(userId)).toEqual({ disabled_at: at });
    const res = await refreshWithoutFeed(userId, sid);
    expect({ status: res.status, code: await codeOf(res) }).toEqual({ status: 403, code: 'user_disabled' });
  });
});
