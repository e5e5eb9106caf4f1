// POST /auth/refresh: how a sibling renews the session cookie it was sent (the sibling kit).
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { setCookies } from './support/cookies';
import { rows, run } from './support/db';
import { codeOf, json } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, mintAccessToken } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;

interface Refreshed {
  user: { id: string; email: string | null; name: string | null; image: string | null; roles: string[] };
  session: { id: string; expiresAt: string };
}

/** A signed-in session: its cookie as issued, and one whose token was minted 11 minutes ago (expired). */
async function signedIn(googleSub: string) {
  const { jar } = await signIn({ sub: googleSub, email: `${googleSub}@example.test`, name: googleSub });
  const { token, userId, sid } = sessionOf(jar);
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
  return { userId, sid, fresh: `${SESSION_COOKIE}=${token}`, expired: `${SESSION_COOKIE}=${expired}` };
}

const refresh = (headers: Record<string, string> = {}) => api('/auth/refresh', { method: 'POST', headers });

async function expectRenewed(res: Response, s: { userId: string; sid: string }, googleSub: string) {
  expect(res.status).toBe(200);
  const cookie = setCookies(res).find((c) => c.name === SESSION_COOKIE && c.value !== '');
  expect(cookie?.attributes).toMatchObject({
    domain: 'example.test',
    path: '/',
    httponly: true,
    secure: true,
    samesite: 'Lax',
  });
  const maxAge = Number(cookie?.attributes['max-age']);
  expect(maxAge).toBeGreaterThan(2592000 - 5);
  const claims = decodeJwt(cookie?.value ?? '');
  expect(claims).toMatchObject({ sub: s.userId, sid: s.sid, iss: API, aud: API });
  expect((claims.exp ?? 0) * 1000).toBeGreaterThan(Date.now() + 9 * MINUTE);
  const body = (await res.json()) as Refreshed;
  expect(body).toEqual({
    user: { id: s.userId, email: `${googleSub}@example.test`, name: googleSub, image: expect.any(String), roles: [] },
    session: { id: s.sid, expiresAt: expect.any(String) },
  });
  // expiresAt is now + the cookie's Max-Age.
  expect(Math.abs(Date.parse(body.session.expiresAt) - (Date.now() + maxAge * 1000))).toBeLessThan(5_000);
  expect(res.headers.get('cache-control')).toBe('no-store');
  // The new cookie is good on /api.
  const me = await api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${cookie?.value}` } });
  expect(me.status).toBe(200);
}

describe('POST /auth/refresh', () => {
  it('an expired token of a live session: 200 {user, session} and a new cookie with Domain', async () => {
    const s = await signedIn('refresh-route-expired');
    await expectRenewed(await refresh({ cookie: s.expired }), s, 'refresh-route-expired');
  });

  it('a fresh token: renewed as well (200, new cookie), the session row slid', async () => {
    const s = await signedIn('refresh-route-fresh');
    const [before] = await rows<{ last_seen_at: number }>('sessions', 'id = ?', s.sid);
    await expectRenewed(await refresh({ cookie: s.fresh }), s, 'refresh-route-fresh');
    const [after] = await rows<{ last_seen_at: number }>('sessions', 'id = ?', s.sid);
    expect(after?.last_seen_at).toBeGreaterThanOrEqual(before?.last_seen_at ?? Infinity);
  });

  it('the roles of the session ride in the answer and the new token', async () => {
    const s = await signedIn('refresh-route-roles');
    await run('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', s.userId, 'admin', Date.now());
    const res = await refresh({ cookie: s.expired });
    expect(((await res.json()) as Refreshed).user.roles).toEqual(['admin']);
    const cookie = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(decodeJwt(cookie?.value ?? '').roles).toEqual(['admin']);
  });

  it('a revoked session: 401 session_revoked, no cookie set', async () => {
    const s = await signedIn('refresh-route-revoked');
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), s.sid);
    for (const cookie of [s.fresh, s.expired]) {
      const res = await refresh({ cookie });
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('session_revoked');
      expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value !== '')).toBe(false);
    }
  });

  it('a disabled user: 403 user_disabled', async () => {
    const s = await signedIn('refresh-route-disabled');
    // Disabled an hour ago, before the token was issued: the revocation feed (which reads disables written
    // by SQL, and refuses tokens issued before them) has nothing to say, so what refuses is the refresh's D1 read.
    await run('UPDATE users SET disabled_at = ? WHERE id = ?', Date.now() - 60 * 60_000, s.userId);
    const res = await refresh({ cookie: s.expired });
    expect(await json(res)).toMatchObject({ status: 403, body: { error: { code: 'user_disabled' } } });
  });

  it('two copies of the cookie: 401 invalid_session, nothing picked, the copies we did not set cleared', async () => {
    const [a, b] = [await signedIn('refresh-route-dup-a'), await signedIn('refresh-route-dup-b')];
    const res = await refresh({ cookie: `${b.expired}; ${a.expired}` });
    expect(await json(res)).toMatchObject({ status: 401, body: { error: { code: 'invalid_session' } } });
    const clears = setCookies(res).filter((c) => c.name === SESSION_COOKIE && c.attributes['max-age'] === '0');
    expect(clears.length).toBeGreaterThan(0);
    // Our own slot (Domain=example.test, Path=/) is never cleared.
    expect(clears.some((c) => c.attributes.domain === 'example.test' && c.attributes.path === '/')).toBe(false);
  });

  it('no cookie: 401 missing_session', async () => {
    expect(await json(await refresh())).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
  });

  it('a Bearer access token is not accepted (cookie only): 401 missing_session', async () => {
    const s = await signedIn('refresh-route-bearer');
    const token = await mintAccessToken({ sub: s.userId, sid: s.sid, audience: API });
    const res = await refresh({ authorization: `Bearer ${token}` });
    expect(await json(res)).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
  });

  it('a forged or tampered token: 401 invalid_session', async () => {
    const res = await refresh({ cookie: `${SESSION_COOKIE}=not.a.token` });
    expect(await json(res)).toMatchObject({ status: 401, body: { error: { code: 'invalid_session' } } });
  });

  it('from an allowed origin: CORS with credentials', async () => {
    const s = await signedIn('refresh-route-cors');
    const origin = 'https://app.example.test';
    const res = await refresh({ cookie: s.expired, origin });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('from another origin (even a hostile sibling): no csrf_rejected (it renews the caller own session), no CORS', async () => {
    const s = await signedIn('refresh-route-other-origin');
    for (const origin of ['https://evil.example.test', 'https://evil.test', 'null']) {
      const res = await refresh({ cookie: s.expired, origin });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('is rate limited in its own group: 429 rate_limited', async () => {
    const app = createApp();
    const tight = { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT } as Env;
    const send = () =>
      app.fetch(
        new Request(`${API}/auth/refresh`, { method: 'POST', headers: { 'cf-connecting-ip': '203.0.113.77' } }),
        tight,
      );
    expect([(await send()).status, (await send()).status]).toEqual([401, 401]);
    const last = await send();
    expect(await json(last)).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(last.headers.get('retry-after')).toBe('60');
  });

  it('the refresh budget is per session, not per IP: a sibling server renewing many users is not one bucket', async () => {
    const app = createApp();
    const tight = { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT } as Env;
    const [a, b] = [await signedIn('bucket-a'), await signedIn('bucket-b')];
    // Both from one server's IP (or a service binding: no IP at all).
    const send = (cookie: string) =>
      app.fetch(
        new Request(`${API}/auth/refresh`, {
          method: 'POST',
          headers: { cookie, 'cf-connecting-ip': '198.51.100.9' },
        }),
        tight,
        createExecutionContext(),
      );
    expect([(await send(a.fresh)).status, (await send(a.fresh)).status, (await send(a.fresh)).status]).toEqual([
      200, 200, 429,
    ]);
    expect((await send(b.fresh)).status).toBe(200);
  });
});
