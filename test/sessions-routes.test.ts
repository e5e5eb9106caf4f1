import { describe, expect, it } from 'vitest';
import { CookieJar, setCookies } from './support/cookies';
import { rows, userIdOf } from './support/db';
import { BYE, codeOf, FORM, FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

const sidOf = (jar: CookieJar) => sessionOf(jar).sid;

describe('GET /api/sessions', () => {
  it("lists the caller's live sessions, newest first, marking the current one", async () => {
    const first = await signIn({ sub: 'lister' }, { userAgent: 'Firefox' });
    const second = await signIn({ sub: 'lister' }, { userAgent: 'Chrome' });
    await signIn({ sub: 'someone-else' });
    const res = await api('/api/sessions', { jar: second.jar });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { sessions } = (await res.json()) as { sessions: Array<Record<string, unknown>> };
    expect(sessions.map((s) => [s.id, s.userAgent, s.current])).toEqual([
      [sidOf(second.jar), 'Chrome', true],
      [sidOf(first.jar), 'Firefox', false],
    ]);
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual([
      'createdAt',
      'current',
      'expiresAt',
      'id',
      'lastSeenAt',
      'userAgent',
    ]);
  });
});

describe('POST /api/sessions/:id/revoke', () => {
  it('revokes another of my sessions; it disappears from the list; the audit row is written', async () => {
    const phone = await signIn({ sub: 'revoker' }, { userAgent: 'Phone' });
    const laptop = await signIn({ sub: 'revoker' }, { userAgent: 'Laptop' });
    const res = await api(`/api/sessions/${sidOf(phone.jar)}/revoke`, {
      method: 'POST',
      jar: laptop.jar,
      headers: FROM_APP,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 1, current: false });
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE)).toBe(false);
    const list = (await (await api('/api/sessions', { jar: laptop.jar })).json()) as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toEqual([sidOf(laptop.jar)]);
    expect(await rows('auth_events', "session_id = ? AND kind = 'session_revoked'", sidOf(phone.jar))).toHaveLength(1);
  });

  it("another user's session answers 404 not_found and stays live", async () => {
    const victim = await signIn({ sub: 'victim' });
    const attacker = await signIn({ sub: 'attacker' });
    const res = await api(`/api/sessions/${sidOf(victim.jar)}/revoke`, {
      method: 'POST',
      jar: attacker.jar,
      headers: FROM_APP,
    });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe('not_found');
    expect(await rows('sessions', 'id = ? AND revoked_at IS NULL', sidOf(victim.jar))).toHaveLength(1);
    expect(await rows('auth_events', 'session_id = ?', sidOf(victim.jar))).toMatchObject([{ kind: 'sign_in' }]);
  });

  it('revoking the current session also clears its cookie', async () => {
    const { jar } = await signIn({ sub: 'self-revoker' });
    const res = await api(`/api/sessions/${sidOf(jar)}/revoke`, { method: 'POST', jar, headers: FROM_APP });
    expect(await res.json()).toEqual({ revoked: 1, current: true });
    const cleared = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(cleared).toMatchObject({ value: '', attributes: { domain: 'example.test', path: '/', 'max-age': '0' } });
  });
});

describe('sign-out (POST /auth/signout)', () => {
  async function signOut(jar: CookieJar) {
    const csrf = await api('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    return api('/auth/signout', {
      method: 'POST',
      jar,
      headers: { ...FORM, ...FROM_APP },
      body: new URLSearchParams({ csrfToken, callbackUrl: BYE }),
    });
  }

  it('revokes the session in D1 and clears the cookie with its Domain, plus any host-only duplicate', async () => {
    const { jar } = await signIn({ sub: 'leaver' });
    const sid = sidOf(jar);
    const res = await signOut(jar);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(BYE);
    const clears = setCookies(res).filter((c) => c.name === SESSION_COOKIE);
    expect(clears.map((c) => [c.value, c.attributes.domain ?? 'host-only', c.attributes.path])).toEqual([
      ['', 'example.test', '/'],
      ['', 'host-only', '/'],
    ]);
    const [row] = await rows<{ revoked_at: number | null }>('sessions', 'id = ?', sid);
    expect(row?.revoked_at).toBeTypeOf('number');
    expect(await rows('auth_events', "session_id = ? AND kind = 'sign_out'", sid)).toHaveLength(1);
    jar.store(res);
    expect(jar.has(SESSION_COOKIE)).toBe(false);
  });

  it('revokes the session even when the token in the cookie has expired', async () => {
    const { jar } = await signIn({ sub: 'late-leaver' });
    const sid = sidOf(jar);
    const expired = await mint({ sub: await userIdOf('late-leaver'), sid, now: new Date(Date.now() - 3_600_000) });
    const stale = new CookieJar();
    stale.entries.set(`${SESSION_COOKIE}|example.test`, { name: SESSION_COOKIE, value: expired });
    const res = await signOut(stale);
    expect(res.status).toBe(302);
    expect(await rows('sessions', 'id = ? AND revoked_at IS NOT NULL', sid)).toHaveLength(1);
  });

  it('without the CSRF token nothing is revoked (the Origin cases: test/sign-out-page.test.ts)', async () => {
    const { jar } = await signIn({ sub: 'forged-leaver' });
    const res = await api('/auth/signout', { method: 'POST', jar, headers: FROM_APP });
    expect(res.headers.get('location')).toContain('error=MissingCSRF');
    expect(await rows('sessions', 'id = ? AND revoked_at IS NULL', sidOf(jar))).toHaveLength(1);
  });

  it('signing in clears a host-only duplicate of the session cookie', async () => {
    const { callback } = await signIn({ sub: 'migrator' });
    const clears = setCookies(callback).filter((c) => c.name === SESSION_COOKIE && c.value === '');
    expect(clears).toHaveLength(1);
    expect(clears[0]?.attributes.domain).toBeUndefined();
    expect(clears[0]?.attributes['max-age']).toBe('0');
  });
});
