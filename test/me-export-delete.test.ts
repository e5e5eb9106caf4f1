import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { type CookieJar, setCookies } from './support/cookies';
import { rows, run } from './support/db';
import { codeOf, FROM_APP, json } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, mintAccessToken } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

/** Revokes one session of the jar's user through the API, from a known IP (so its audit row carries one). */
async function revoke(jar: CookieJar, sid: string) {
  const res = await api(`/api/sessions/${sid}/revoke`, {
    method: 'POST',
    jar,
    headers: { ...FROM_APP, 'cf-connecting-ip': '203.0.113.5', 'user-agent': 'Revoker/1.0' },
  });
  expect(res.status).toBe(200);
}

async function grantRole(userId: string, role: string, grantedAt: number) {
  await run(
    'INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES (?, ?, ?, ?)',
    userId,
    role,
    grantedAt,
    'ops@example.test',
  );
}

/** An invitation (as `npm run admin -- invites add` writes it) that `userId`'s first sign-in accepted. */
async function acceptedInvitation(email: string, userId: string) {
  await run(
    'INSERT INTO invitations (email, invited_at, invited_by, accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?)',
    email,
    1_700_000_000_000,
    'ops@example.test',
    1_700_000_100_000,
    userId,
  );
}

/** Moves a session's sign-in time (`sessions.created_at`) `ageMs` into the past. */
async function signedInAgo(sid: string, ageMs: number) {
  await run('UPDATE sessions SET created_at = ? WHERE id = ?', Date.now() - ageMs, sid);
}

function deleteMe(jar: CookieJar, headers: Record<string, string> = FROM_APP) {
  return api('/api/me', { method: 'DELETE', jar, headers });
}

/** Every row of the user in each table the account deletion removes. */
async function accountRows(userId: string) {
  return {
    users: await rows('users', 'id = ?', userId),
    accounts: await rows('accounts', 'user_id = ?', userId),
    sessions: await rows('sessions', 'user_id = ?', userId),
    user_roles: await rows('user_roles', 'user_id = ?', userId),
  };
}

interface SessionRow {
  id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface EventRow {
  id: string;
  kind: string;
  session_id: string | null;
  detail: string | null;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
}

describe('GET /api/me/export', () => {
  it("is everything about the caller: user, accounts, roles, every session (current marked), events; no one else's", async () => {
    const me = { sub: 'exporter', email: 'ex@example.test', name: 'Ex Porter', picture: 'https://example.test/ex.png' };
    const old = await signIn(me, { userAgent: 'Old' });
    const phone = await signIn(me, { userAgent: 'Phone' });
    const laptop = await signIn(me, { userAgent: 'Laptop' });
    const other = await signIn(
      { sub: 'bystander', email: 'by@example.test', name: 'By Stander' },
      { userAgent: 'Spy' },
    );
    const { userId, sid: current } = sessionOf(laptop.jar);
    const { userId: otherId, sid: otherSid } = sessionOf(other.jar);
    const oldSid = sessionOf(old.jar).sid;
    const phoneSid = sessionOf(phone.jar).sid;
    await revoke(laptop.jar, oldSid);
    await run('UPDATE sessions SET expires_at = ? WHERE id = ?', Date.now() - MINUTE, phoneSid);
    await grantRole(userId, 'editor', 1_700_000_000_000);
    await grantRole(otherId, 'admin', 1_700_000_000_000);
    await acceptedInvitation('ex@example.test', userId);
    await acceptedInvitation('by@example.test', otherId);

    const res = await api('/api/me/export', { jar: laptop.jar });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="sitewide-export-${today}.json"`);
    const text = await res.text();
    const body = JSON.parse(text);

    const [user] = await rows<Record<string, number>>('users', 'id = ?', userId);
    const sessionRows = await rows<SessionRow>('sessions', 'user_id = ?', userId);
    const session = (id: string) => sessionRows.find((s) => s.id === id);
    const events = await rows<EventRow>('auth_events', 'user_id = ? ORDER BY created_at, id', userId);
    expect(events.map((e) => e.kind)).toEqual(['sign_in', 'sign_in', 'sign_in', 'session_revoked']);

    // Every column of the users row, whatever columns it has.
    const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    expect(Object.keys(body.user).sort()).toEqual(
      Object.keys(user ?? {})
        .map(camel)
        .sort(),
    );
    expect(body).toEqual({
      exportedAt: expect.stringMatching(new RegExp(`^${today}T`)),
      user: {
        ...body.user,
        id: userId,
        email: 'ex@example.test',
        emailVerified: true,
        name: 'Ex Porter',
        image: 'https://example.test/ex.png',
        createdAt: iso(user?.created_at),
        updatedAt: iso(user?.updated_at),
        disabledAt: null,
      },
      accounts: [{ provider: 'google', providerAccountId: 'exporter', createdAt: expect.any(String) }],
      roles: [
        { role: 'editor', grantedAt: '2023-11-14T22:13:20.000Z', grantedBy: 'ops@example.test', source: 'admin' },
      ],
      invitations: [
        {
          email: 'ex@example.test',
          invitedAt: '2023-11-14T22:13:20.000Z',
          invitedBy: 'ops@example.test',
          acceptedAt: '2023-11-14T22:15:00.000Z',
          acceptedBy: userId,
        },
      ],
      sessions: [oldSid, phoneSid, current].map((id) => ({
        id,
        createdAt: iso(session(id)?.created_at),
        lastSeenAt: iso(session(id)?.last_seen_at),
        expiresAt: iso(session(id)?.expires_at),
        revokedAt: iso(session(id)?.revoked_at),
        userAgent: { [oldSid]: 'Old', [phoneSid]: 'Phone', [current]: 'Laptop' }[id],
        current: id === current,
      })),
      events: events.map((e) => ({
        id: e.id,
        kind: e.kind,
        sessionId: e.session_id,
        detail: e.detail,
        createdAt: iso(e.created_at),
        ip: e.ip,
        userAgent: e.user_agent,
      })),
    });
    // The revoked and the expired session are there, as they are.
    expect(body.sessions[0].revokedAt).not.toBeNull();
    expect(Date.parse(body.sessions[1].expiresAt)).toBeLessThan(Date.now());
    expect(body.events[3]).toMatchObject({ kind: 'session_revoked', sessionId: oldSid, ip: '203.0.113.5' });

    // Nothing of the other user (their role admin; the word alone is also the source of the caller's own grant).
    for (const foreign of [otherId, otherSid, 'bystander', 'by@example.test', 'By Stander', 'Spy', '"role":"admin"']) {
      expect(text).not.toContain(foreign);
    }
  });

  it('a Bearer-less, cookie-less request gets 401 missing_session', async () => {
    const res = await api('/api/me/export');
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('missing_session');
  });
});

describe('DELETE /api/me', () => {
  it('within 10 minutes of sign-in: 204, every row gone, audit rows kept without ip/user agent, cookie cleared', async () => {
    const phone = await signIn({ sub: 'leaving', email: 'leaving@example.test' }, { userAgent: 'Phone' });
    const laptop = await signIn({ sub: 'leaving', email: 'leaving@example.test' }, { userAgent: 'Laptop' });
    const bystander = await signIn({ sub: 'staying' }, { userAgent: 'Staying' });
    const { userId, sid } = sessionOf(laptop.jar);
    const phoneSid = sessionOf(phone.jar).sid;
    const otherId = sessionOf(bystander.jar).userId;
    await grantRole(userId, 'editor', Date.now());
    await grantRole(otherId, 'editor', Date.now());
    await acceptedInvitation('leaving@example.test', userId);
    await acceptedInvitation('staying@example.test', otherId);
    const extra = await signIn({ sub: 'leaving' }, { userAgent: 'Tablet' });
    await revoke(laptop.jar, sessionOf(extra.jar).sid);
    // Nine minutes ago is still recent enough.
    await signedInAgo(sid, 9 * MINUTE);
    expect(await accountRows(userId)).toMatchObject({
      users: [{}],
      accounts: [{}],
      sessions: [{}, {}, {}],
      user_roles: [{}],
    });
    const before = await rows<EventRow>('auth_events', 'user_id = ?', userId);
    expect(before.some((e) => e.ip !== null) && before.every((e) => e.user_agent !== null)).toBe(true);

    const res = await deleteMe(laptop.jar);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const cleared = setCookies(res).filter((c) => c.name === SESSION_COOKIE);
    expect(cleared.map((c) => [c.value, c.attributes.domain, c.attributes.path, c.attributes['max-age']])).toEqual([
      ['', 'example.test', '/', '0'],
    ]);

    // Only the users row is deleted by name: accounts, sessions and roles go by ON DELETE CASCADE (D1 enforces FKs).
    expect(await accountRows(userId)).toEqual({ users: [], accounts: [], sessions: [], user_roles: [] });
    // The invitation held the address: it goes too; the bystander's stays.
    expect(await rows('invitations', 'accepted_by = ?', userId)).toEqual([]);
    expect(await rows('invitations', 'accepted_by = ?', otherId)).toHaveLength(1);
    const after = await rows<EventRow>('auth_events', 'user_id = ? ORDER BY created_at, id', userId);
    expect(after.map((e) => e.id).sort()).toEqual(
      [...before.map((e) => e.id), ...after.filter((e) => e.kind === 'account_deleted').map((e) => e.id)].sort(),
    );
    expect(after.map((e) => [e.kind, e.ip, e.user_agent])).toEqual([
      ['sign_in', null, null],
      ['sign_in', null, null],
      ['sign_in', null, null],
      ['session_revoked', null, null],
      ['account_deleted', null, null],
    ]);
    expect(after.at(-1)).toMatchObject({ kind: 'account_deleted', session_id: sid });

    // Another user is untouched, personal data included.
    expect(await accountRows(otherId)).toMatchObject({ users: [{}], accounts: [{}], sessions: [{}], user_roles: [{}] });
    expect(await rows('auth_events', 'user_id = ? AND user_agent = ?', otherId, 'Staying')).toHaveLength(1);

    // The deletion is in the revocation feed: the phone's cookie is refused at once, fresh or expired
    // (in this isolate at once; elsewhere within REVOCATION_POLL: test/revocation-feed.test.ts).
    const expired = await mint({ sub: userId, sid: phoneSid, now: new Date(Date.now() - 11 * MINUTE) });
    const refused = await api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${expired}` } });
    expect(await json(refused)).toMatchObject({ status: 401, body: { error: { code: 'session_revoked' } } });
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/me/export'],
      ['DELETE', '/api/me'],
    ] as const) {
      const stale = await api(path, { method, jar: phone.jar, headers: FROM_APP });
      expect(await json(stale), `${method} ${path}`).toMatchObject({
        status: 401,
        body: { error: { code: 'session_revoked' } },
      });
    }
    expect(await rows('auth_events', "user_id = ? AND kind = 'account_deleted'", userId)).toHaveLength(1);
  });

  it('with a sign-in older than 10 minutes: 403 reauth_required naming the sign-in URL; nothing deleted', async () => {
    const { jar } = await signIn({ sub: 'stale-leaver' });
    const { userId, sid } = sessionOf(jar);
    await grantRole(userId, 'editor', Date.now());
    await signedInAgo(sid, 10 * MINUTE + 1000);
    const res = await deleteMe(jar);
    const { status, body } = await json(res);
    expect(status).toBe(403);
    expect(body.error.code).toBe('reauth_required');
    expect(body.error.message).toContain(`${API}/auth/signin`);
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE)).toBe(false);
    expect(await accountRows(userId)).toMatchObject({ users: [{}], accounts: [{}], sessions: [{}], user_roles: [{}] });
    expect(await rows('auth_events', 'user_id = ?', userId)).toMatchObject([
      { kind: 'sign_in', user_agent: 'sitewide-test' },
    ]);

    // Signing in again opens a fresh session, which may delete.
    const again = await signIn({ sub: 'stale-leaver' });
    expect((await deleteMe(again.jar)).status).toBe(204);
    expect(await rows('users', 'id = ?', userId)).toEqual([]);
  });

  it('with a Bearer access token of a recent session: 204, no Origin needed (no ambient credential)', async () => {
    const { jar } = await signIn({ sub: 'bearer-leaver' });
    const { userId, sid } = sessionOf(jar);
    const token = await mintAccessToken({ sub: userId, sid, audience: API });
    const res = await api('/api/me', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(204);
    expect(await accountRows(userId)).toEqual({ users: [], accounts: [], sessions: [], user_roles: [] });
  });

  it('from a revoked session whose token is still fresh: 401 session_revoked; nothing deleted', async () => {
    const { jar } = await signIn({ sub: 'revoked-leaver' });
    const { userId, sid } = sessionOf(jar);
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), sid);
    const res = await deleteMe(jar);
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_revoked');
    expect(await rows('users', 'id = ?', userId)).toHaveLength(1);
  });

  it('CSRF: a cookie DELETE from a hostile sibling, or with no Origin, is refused with 403 csrf_rejected', async () => {
    const { jar } = await signIn({ sub: 'csrf-target' });
    const { userId } = sessionOf(jar);
    const origins: Array<Record<string, string>> = [{ origin: 'https://evil.example.test' }, { origin: 'null' }, {}];
    for (const headers of origins) {
      const res = await deleteMe(jar, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await codeOf(res)).toBe('csrf_rejected');
    }
    expect(await accountRows(userId)).toMatchObject({ users: [{}], accounts: [{}], sessions: [{}] });
    expect(await rows('auth_events', "user_id = ? AND kind = 'account_deleted'", userId)).toEqual([]);
  });
});

describe('rate limits', () => {
  it('export and deletion each get their own budget per IP, checked before authentication', async () => {
    const app = createApp();
    const call = (method: string, path: string) =>
      app.fetch(
        new Request(`${API}${path}`, { method, headers: { 'cf-connecting-ip': '203.0.113.20' } }),
        { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT },
        createExecutionContext(),
      );
    for (const [method, path] of [
      ['GET', '/api/me/export'],
      ['DELETE', '/api/me'],
    ] as const) {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(method, path)).status);
      expect(statuses, `${method} ${path}`).toEqual([401, 401, 429]);
    }
  });
});
