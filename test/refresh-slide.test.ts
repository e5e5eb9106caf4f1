import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { setCookies } from './support/cookies';
import { countingEnv } from './support/counting-d1';
import { rows, run } from './support/db';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A signed-in session and its token re-minted 11 minutes ago (expired), as a token from before profiles. */
async function expiredSession(googleSub: string, identity: { name?: string; email?: string } = {}) {
  const { userId, sid } = sessionOf((await signIn({ sub: googleSub, ...identity })).jar);
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
  return { userId, sid, cookie: `${SESSION_COOKIE}=${expired}` };
}

/**
 * GET /api/me through a D1 binding that counts statements and their verbs. `withoutFeed`: no
 * revocation feed, so what refuses is the refresh's own D1 read (else the feed's D1 scan may see a
 * change written by SQL first and refuse it as revoked: test/revocation-copy-disables.test.ts).
 */
async function countedMe(cookie: string, options: { withoutFeed?: boolean } = {}) {
  const counted = countingEnv(env);
  const { counter } = counted;
  const res = await createApp().fetch(
    new Request(`${API}/api/me`, { headers: { cookie } }),
    options.withoutFeed ? ({ ...counted.env, REVOCATION_FEED: undefined } as unknown as Env) : counted.env,
    createExecutionContext(),
  );
  return { res, counter };
}

type SessionRow = { last_seen_at: number; expires_at: number };

describe('refresh reads, and writes the sliding expiry only once per SESSION_SLIDE_INTERVAL', () => {
  it('no slide due: one SELECT, no write; the row is untouched; the new token carries the profile', async () => {
    const { userId, sid, cookie } = await expiredSession('slide-not-due', {
      name: 'Not Due',
      email: 'nd@example.test',
    });
    const [before] = await rows<SessionRow>('sessions', 'id = ?', sid);
    const { res, counter } = await countedMe(cookie);
    expect(res.status).toBe(200);
    expect(counter.verbs).toEqual(['SELECT']);
    expect(counter.statements).toBe(1);
    expect(counter.writes).toBe(0);
    const [after] = await rows<SessionRow>('sessions', 'id = ?', sid);
    expect(after).toEqual(before);

    const refreshed = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(decodeJwt(refreshed?.value ?? '')).toMatchObject({
      sub: userId,
      sid,
      email: 'nd@example.test',
      name: 'Not Due',
    });
    expect(await res.json()).toMatchObject({ id: userId, email: 'nd@example.test', name: 'Not Due' });
  });

  it('slide due (last slide a day old): one UPDATE, in a batch that re-reads the state', async () => {
    const { sid, cookie } = await expiredSession('slide-due');
    await run('UPDATE sessions SET last_seen_at = ? WHERE id = ?', Date.now() - DAY - MINUTE, sid);
    const started = Date.now();
    const { res, counter } = await countedMe(cookie);
    expect(res.status).toBe(200);
    expect(counter.writes).toBe(1);
    expect(counter.verbs).toEqual(['SELECT', 'UPDATE', 'SELECT']);
    const [after] = await rows<SessionRow>('sessions', 'id = ?', sid);
    expect(after?.last_seen_at).toBeGreaterThanOrEqual(started);
    expect(after?.expires_at).toBeGreaterThanOrEqual(started + 30 * DAY);
    const maxAge = Number(setCookies(res).find((c) => c.name === SESSION_COOKIE)?.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(2592000 - 5);
  });

  it('revocation and disabling stay exact with no slide due', async () => {
    const revoked = await expiredSession('slide-revoked');
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), revoked.sid);
    const r1 = await countedMe(revoked.cookie, { withoutFeed: true });
    expect(r1.res.status).toBe(401);
    expect(await r1.res.json()).toMatchObject({ error: { code: 'session_revoked' } });

    const disabled = await expiredSession('slide-disabled');
    await run('UPDATE users SET disabled_at = ? WHERE id = ?', Date.now(), disabled.userId);
    const r2 = await countedMe(disabled.cookie, { withoutFeed: true });
    expect(r2.res.status).toBe(403);
    expect(await r2.res.json()).toMatchObject({ error: { code: 'user_disabled' } });
  });

  it('a profile changed in D1 reaches the token at the next refresh', async () => {
    const { userId, cookie } = await expiredSession('slide-profile', { name: 'Before' });
    await run('UPDATE users SET name = ? WHERE id = ?', 'After', userId);
    const { res } = await countedMe(cookie);
    const refreshed = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(decodeJwt(refreshed?.value ?? '')).toMatchObject({ name: 'After' });
    expect(await res.json()).toMatchObject({ name: 'After' });
  });

  it('roles granted in D1 reach the token at the next refresh, sorted', async () => {
    const { userId, cookie } = await expiredSession('slide-roles');
    for (const role of ['zeta', 'admin']) {
      await run('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', userId, role, Date.now());
    }
    const { res } = await countedMe(cookie);
    expect(await res.json()).toMatchObject({ roles: ['admin', 'zeta'] });
  });
});
