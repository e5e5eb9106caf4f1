import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifySessionToken } from '../src/session/token';
import { type CookieJar, setCookies } from './support/cookies';
import { run } from './support/db';
import { APP_ORIGIN, APP_URL, codeOf, FROM_APP } from './support/http';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import type { ApiFetch } from './support/sign-in-flow';
import { mint, serverKeys, signRaw } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const ADMIN = 'https://admin.example.test';
const gated = apiWith({
  APP_ACCESS: JSON.stringify({ [ADMIN]: ['admin'], reports: ['analyst', 'admin'] }),
});

const grant = (userId: string, role: string) =>
  run('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', userId, role, Date.now());

/** The session's token re-minted as expired, so the next request refreshes it. */
async function expiredCookie(userId: string, sid: string) {
  return `${SESSION_COOKIE}=${await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) })}`;
}

function token(res: Response): string | undefined {
  return setCookies(res).find((c) => c.name === SESSION_COOKIE && c.value)?.value;
}

const requestTokenFrom = (api: ApiFetch, jar: CookieJar, audience: string) =>
  api('/auth/token', {
    method: 'POST',
    jar,
    headers: { 'content-type': 'application/json', ...FROM_APP },
    body: JSON.stringify({ audience }),
  });

describe('the roles claim', () => {
  it('is absent for a user without roles, and such a token verifies as roles: []', async () => {
    const { jar } = await signInTo(gated, { sub: 'roles-none' });
    const { token: t } = sessionOf(jar);
    expect(decodeJwt(t)).not.toHaveProperty('roles');
    const verified = await verifySessionToken(t, await serverKeys(), { issuer: API, audience: API, maxLifetime: 600 });
    expect(verified.ok && verified.claims.roles).toEqual([]);
  });

  it('carries the roles granted in D1 at sign-in, sorted', async () => {
    const first = await signInTo(gated, { sub: 'roles-signin' });
    const { userId } = sessionOf(first.jar);
    await grant(userId, 'editor');
    await grant(userId, 'admin');
    const { jar } = await signInTo(gated, { sub: 'roles-signin' });
    expect(decodeJwt(sessionOf(jar).token).roles).toEqual(['admin', 'editor']);
  });

  it('a role granted after sign-in appears at the next refresh; a revoked one disappears', async () => {
    const { jar } = await signInTo(gated, { sub: 'roles-refresh' });
    const { userId, sid } = sessionOf(jar);
    await grant(userId, 'admin');
    // Still fresh: the token keeps what it said (stale by at most one token lifetime).
    expect(decodeJwt(sessionOf(jar).token)).not.toHaveProperty('roles');

    const refreshed = await gated('/api/me', { headers: { cookie: await expiredCookie(userId, sid) } });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(token(refreshed) ?? '').roles).toEqual(['admin']);

    await run('DELETE FROM user_roles WHERE user_id = ?', userId);
    const again = await gated('/api/me', { headers: { cookie: await expiredCookie(userId, sid) } });
    expect(decodeJwt(token(again) ?? '')).not.toHaveProperty('roles');
  });

  it('a token whose roles are not an array of strings is invalid', async () => {
    for (const roles of ['admin', [1], [null], { 0: 'admin' }]) {
      const bad = await signRaw({ typ: 'sitewide-session+jwt' }, { roles });
      const res = await gated('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${bad}` } });
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('invalid_session');
    }
  });
});

describe('APP_ACCESS at POST /auth/token', () => {
  it('refuses an audience the user may not reach: 403 access_denied', async () => {
    const { jar } = await signInTo(gated, { sub: 'aa-none' });
    const res = await requestTokenFrom(gated, jar, 'reports');
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('access_denied');
  });

  it('mints for an audience APP_ACCESS does not list', async () => {
    const { jar } = await signInTo(gated, { sub: 'aa-billing' });
    expect((await requestTokenFrom(gated, jar, 'https://billing.example.test')).status).toBe(200);
  });

  it('a role granted in D1 counts at once (the mint reads D1), and rides in the access token', async () => {
    const { jar } = await signInTo(gated, { sub: 'aa-analyst' });
    await grant(sessionOf(jar).userId, 'analyst');
    const res = await requestTokenFrom(gated, jar, 'reports');
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ aud: 'reports', roles: ['analyst'] });
  });
});

describe('APP_ACCESS at the redirect after sign-in', () => {
  it('an origin the user may not reach lands on APP_URL instead', async () => {
    const { callback, jar } = await signInTo(gated, { sub: 'aa-redirect' }, { callbackUrl: `${ADMIN}/console` });
    expect(callback.status).toBe(302);
    expect(locationOf(callback).href).toBe(APP_URL);
    // Signed in all the same.
    expect(sessionOf(jar).userId).toBeTruthy();
  });

  it('a user holding a required role lands where asked', async () => {
    const first = await signInTo(gated, { sub: 'aa-admin' });
    await grant(sessionOf(first.jar).userId, 'admin');
    const { callback } = await signInTo(gated, { sub: 'aa-admin' }, { callbackUrl: `${ADMIN}/console` });
    expect(locationOf(callback).href).toBe(`${ADMIN}/console`);
  });

  it('an origin APP_ACCESS does not list is open to everyone', async () => {
    const { callback } = await signInTo(gated, { sub: 'aa-app' }, { callbackUrl: `${APP_ORIGIN}/home` });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
  });
});
