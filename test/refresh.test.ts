import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { sessionDatabases } from './support/databases';
import { rows, run, userIdOf } from './support/db';
import { codeOf, FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A signed-in session, and its token re-minted as if issued `ageMs` ago (so already expired). */
async function sessionWithExpiredToken(googleSub: string, ageMs = 11 * MINUTE) {
  const { userId: sub, sid } = sessionOf((await signIn({ sub: googleSub })).jar);
  const expired = await mint({ sub, sid, now: new Date(Date.now() - ageMs) });
  return { sub, sid, cookie: `${SESSION_COOKIE}=${expired}` };
}

async function me(cookie: string) {
  return api('/api/me', { headers: { cookie } });
}

describe('refresh: a genuine token whose exp has passed', () => {
  it('with a live session: 200, and a re-signed cookie with the same name, Domain, Path and attributes', async () => {
    const { sub, sid, cookie } = await sessionWithExpiredToken('refresh-live');
    const [before] = await rows<{ last_seen_at: number; expires_at: number }>('sessions', 'id = ?', sid);
    const res = await me(cookie);
    expect(res.status).toBe(200);

    const refreshed = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(refreshed?.attributes).toMatchObject({
      domain: 'example.test',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
    const maxAge = Number(refreshed?.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(2592000 - 5);
    expect(maxAge).toBeLessThanOrEqual(2592000);

    const claims = decodeJwt(refreshed?.value ?? '');
    expect(claims).toMatchObject({ sub, sid, iss: API, aud: API });
    expect((claims.exp ?? 0) * 1000).toBeGreaterThan(Date.now() + 9 * MINUTE);

    const [after] = await rows<{ last_seen_at: number; expires_at: number }>('sessions', 'id = ?', sid);
    expect(after?.last_seen_at).toBeGreaterThanOrEqual(before?.last_seen_at ?? Infinity);
    expect(after?.expires_at).toBeGreaterThanOrEqual(before?.expires_at ?? Infinity);

    // The refreshed token is fresh: the next request needs no refresh.
    const again = await me(`${SESSION_COOKIE}=${refreshed?.value}`);
    expect(again.status).toBe(200);
    expect(setCookies(again).some((c) => c.name === SESSION_COOKIE)).toBe(false);
  });

  it('with a revoked session: 401 session_revoked, and an audit row', async () => {
    const { sid, cookie } = await sessionWithExpiredToken('refresh-revoked');
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), sid);
    const res = await me(cookie);
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_revoked');
    expect(await rows('auth_events', "session_id = ? AND kind = 'refresh_failed'", sid)).toMatchObject([
      { detail: 'session_revoked' },
    ]);
  });

  it('with a session past its idle expiry: 401 session_expired', async () => {
    const { sid, cookie } = await sessionWithExpiredToken('refresh-idle');
    await run('UPDATE sessions SET expires_at = ? WHERE id = ?', Date.now() - MINUTE, sid);
    const res = await me(cookie);
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_expired');
  });

  it('with a session past its absolute cap (90 days), however recently used: 401 session_expired', async () => {
    const { sid, cookie } = await sessionWithExpiredToken('refresh-absolute');
    await run(
      'UPDATE sessions SET created_at = ?, expires_at = ? WHERE id = ?',
      Date.now() - 91 * DAY,
      Date.now() + DAY,
      sid,
    );
    const res = await me(cookie);
    expect(await codeOf(res)).toBe('session_expired');
  });

  it('near the absolute cap, the slide stops at the cap (cookie Max-Age shrinks with it)', async () => {
    const { sid, cookie } = await sessionWithExpiredToken('refresh-near-cap');
    const createdAt = Date.now() - 89 * DAY;
    // Last slid two days ago: this refresh slides.
    await run(
      'UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE id = ?',
      createdAt,
      Date.now() - 2 * DAY,
      sid,
    );
    const res = await me(cookie);
    expect(res.status).toBe(200);
    const [row] = await rows<{ expires_at: number }>('sessions', 'id = ?', sid);
    expect(row?.expires_at).toBe(createdAt + 90 * DAY);
    const maxAge = Number(setCookies(res).find((c) => c.name === SESSION_COOKIE)?.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(86400 - 10);
    expect(maxAge).toBeLessThanOrEqual(86400);
  });

  it('near the absolute cap with no slide due, the cookie Max-Age still stops at the cap', async () => {
    const { sid, cookie } = await sessionWithExpiredToken('refresh-near-cap-no-slide');
    const createdAt = Date.now() - 89 * DAY;
    await run('UPDATE sessions SET created_at = ? WHERE id = ?', createdAt, sid);
    const res = await me(cookie);
    expect(res.status).toBe(200);
    const maxAge = Number(setCookies(res).find((c) => c.name === SESSION_COOKIE)?.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(86400 - 10);
    expect(maxAge).toBeLessThanOrEqual(86400);
  });

  it('for a disabled user: 403 user_disabled', async () => {
    const { sub, cookie } = await sessionWithExpiredToken('refresh-disabled');
    // Disabled an hour ago, before the token was issued: the revocation feed (which reads disables written
    // by SQL, and refuses tokens issued before them) has nothing to say, so what refuses is the refresh's D1 read.
    await run('UPDATE users SET disabled_at = ? WHERE id = ?', Date.now() - 60 * 60_000, sub);
    const res = await me(cookie);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('user_disabled');
  });

  it('for a session row that belongs to another user: 401 session_revoked', async () => {
    const a = await sessionWithExpiredToken('refresh-owner-a');
    await signIn({ sub: 'refresh-owner-b' });
    const otherUser = await userIdOf('refresh-owner-b');
    const forged = await mint({ sub: otherUser, sid: a.sid, now: new Date(Date.now() - 11 * MINUTE) });
    const res = await me(`${SESSION_COOKIE}=${forged}`);
    expect(await codeOf(res)).toBe('session_revoked');
  });
});

describe('sign out everywhere', () => {
  it('revoke-all from one device ends the other devices at once (the feed), and at their next refresh', async () => {
    const laptop = await signIn({ sub: 'everywhere' }, { userAgent: 'Laptop' });
    const phone = await signIn({ sub: 'everywhere' }, { userAgent: 'Phone' });

    const revoke = await api('/api/sessions/revoke-all', {
      method: 'POST',
      jar: laptop.jar,
      headers: FROM_APP,
    });
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toEqual({ revoked: 2 });
    const cleared = setCookies(revoke).filter((c) => c.name === SESSION_COOKIE);
    expect(cleared.map((c) => [c.value, c.attributes.domain, c.attributes.path, c.attributes['max-age']])).toEqual([
      ['', 'example.test', '/', '0'],
    ]);

    // The phone's token is still fresh, but the revocation feed refuses it (in this isolate at once;
    // elsewhere within REVOCATION_POLL: test/revocation-feed.test.ts)...
    const fresh = await api('/api/me', { jar: phone.jar });
    expect(fresh.status).toBe(401);
    expect(await codeOf(fresh)).toBe('session_revoked');
    // ...and so is it at its next refresh.
    const { userId: sub, sid } = sessionOf(phone.jar);
    const expired = await mint({ sub, sid, now: new Date(Date.now() - 11 * MINUTE) });
    const res = await me(`${SESSION_COOKIE}=${expired}`);
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_revoked');

    const userId = await userIdOf('everywhere');
    expect(await rows('sessions', 'user_id = ? AND revoked_at IS NULL', userId)).toHaveLength(0);
    expect(await rows('auth_events', "user_id = ? AND kind = 'sessions_revoked_all'", userId)).toHaveLength(1);
  });
});

describe('D1 failing during a refresh', () => {
  it('answers 503 service_unavailable and lets nobody in', async () => {
    const { cookie } = await sessionWithExpiredToken('refresh-outage');
    for (const db of sessionDatabases()) await db.exec('DROP TABLE sessions;');
    const res = await me(cookie);
    expect(res.status).toBe(503);
    expect(await codeOf(res)).toBe('service_unavailable');
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE)).toBe(false);
  });
});
