// The service binding: SitewideRpc.verify / .refresh, called as a sibling Worker would through
// `[[services]] entrypoint = "SitewideRpc"` (here: the main module's exports, a loopback stub).
import { exports } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { RpcOutcome } from '../src/rpc';
import { parseSetCookie } from './support/cookies';
import { run } from './support/db';
import { sessionOf, signIn } from './support/sign-in';
import { mint, mintAccessToken } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const rpc = exports.SitewideRpc;

async function signedIn(googleSub: string) {
  const { jar } = await signIn({ sub: googleSub, email: `${googleSub}@example.test`, name: googleSub });
  const { token, userId, sid } = sessionOf(jar);
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
  return { userId, sid, fresh: `${SESSION_COOKIE}=${token}`, expired: `${SESSION_COOKIE}=${expired}` };
}

const user = (googleSub: string, id: string) => ({
  id,
  email: `${googleSub}@example.test`,
  name: googleSub,
  image: expect.any(String),
  roles: [],
});

/** The renewed session cookie among `setCookie`, parsed. */
const renewedCookie = (outcome: RpcOutcome) =>
  outcome.setCookie.map(parseSetCookie).find((c) => c.name === SESSION_COOKIE && c.value !== '');

describe('SitewideRpc.verify (as GET /api/me)', () => {
  it('a fresh cookie: ok, the user and session id, nothing to set (no D1 read for the session)', async () => {
    const s = await signedIn('rpc-verify-fresh');
    const outcome = await rpc.verify({ cookie: s.fresh });
    expect(outcome).toEqual({
      ok: true,
      user: user('rpc-verify-fresh', s.userId),
      session: { id: s.sid },
      setCookie: [],
    });
  });

  it('headers as entries work too', async () => {
    const s = await signedIn('rpc-verify-entries');
    const outcome = await rpc.verify([
      ['cookie', s.fresh],
      ['user-agent', 'sibling'],
    ]);
    expect(outcome.ok).toBe(true);
  });

  it('an expired cookie: renewed, setCookie carries the new cookie (Domain), expiresAt = now + Max-Age', async () => {
    const s = await signedIn('rpc-verify-expired');
    const outcome = await rpc.verify({ cookie: s.expired });
    expect(outcome).toMatchObject({ ok: true, user: user('rpc-verify-expired', s.userId), session: { id: s.sid } });
    const cookie = renewedCookie(outcome);
    expect(cookie?.attributes).toMatchObject({ domain: 'example.test', path: '/', httponly: true, secure: true });
    expect(decodeJwt(cookie?.value ?? '')).toMatchObject({ sub: s.userId, sid: s.sid });
    if (!outcome.ok) throw new Error('not ok');
    const maxAge = Number(cookie?.attributes['max-age']);
    expect(Math.abs(Date.parse(outcome.session.expiresAt ?? '') - (Date.now() + maxAge * 1000))).toBeLessThan(5_000);
  });

  it('a Bearer access token: ok (as /api/me accepts it), its session id', async () => {
    const s = await signedIn('rpc-verify-bearer');
    const token = await mintAccessToken({ sub: s.userId, sid: s.sid, audience: API });
    const outcome = await rpc.verify({ authorization: `Bearer ${token}` });
    expect(outcome).toMatchObject({ ok: true, user: { id: s.userId }, session: { id: s.sid }, setCookie: [] });
  });

  it('refusals: missing_session, invalid_session (duplicates, with clears), session_revoked', async () => {
    expect(await rpc.verify({})).toMatchObject({ ok: false, status: 401, code: 'missing_session' });

    const [a, b] = [await signedIn('rpc-verify-dup-a'), await signedIn('rpc-verify-dup-b')];
    const dup = await rpc.verify({ cookie: `${a.fresh}; ${b.fresh}` });
    expect(dup).toMatchObject({ ok: false, status: 401, code: 'invalid_session', message: expect.any(String) });
    expect(dup.setCookie.length).toBeGreaterThan(0);

    const r = await signedIn('rpc-verify-revoked');
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), r.sid);
    expect(await rpc.verify({ cookie: r.expired })).toMatchObject({ ok: false, status: 401, code: 'session_revoked' });
  });

  it('a disabled user on renewal: 403 user_disabled', async () => {
    const s = await signedIn('rpc-verify-disabled');
    // Disabled an hour ago, before the token was issued: the revocation feed (which reads disables written
    // by SQL, and refuses tokens issued before them) has nothing to say, so what refuses is the refresh's D1 read.
    await run('UPDATE users SET disabled_at = ? WHERE id = ?', Date.now() - 60 * 60_000, s.userId);
    expect(await rpc.verify({ cookie: s.expired })).toMatchObject({ ok: false, status: 403, code: 'user_disabled' });
  });
});

describe('SitewideRpc.refresh (as POST /auth/refresh)', () => {
  it('a fresh or expired cookie: ok, renewed, the new cookie in setCookie, session.expiresAt', async () => {
    const s = await signedIn('rpc-refresh');
    for (const cookie of [s.fresh, s.expired]) {
      const outcome = await rpc.refresh({ cookie, 'content-type': 'application/json', 'content-length': '0' });
      expect(outcome).toMatchObject({
        ok: true,
        user: user('rpc-refresh', s.userId),
        session: { id: s.sid, expiresAt: expect.any(String) },
      });
      expect(renewedCookie(outcome)?.attributes.domain).toBe('example.test');
    }
  });

  it('refusals: missing_session, invalid_session (duplicates, forged), session_revoked; Bearer is not accepted', async () => {
    expect(await rpc.refresh({})).toMatchObject({ ok: false, status: 401, code: 'missing_session' });
    const [a, b] = [await signedIn('rpc-refresh-dup-a'), await signedIn('rpc-refresh-dup-b')];
    expect(await rpc.refresh({ cookie: `${a.expired}; ${b.expired}` })).toMatchObject({
      ok: false,
      code: 'invalid_session',
    });
    expect(await rpc.refresh({ cookie: `${SESSION_COOKIE}=forged` })).toMatchObject({ code: 'invalid_session' });
    const token = await mintAccessToken({ sub: a.userId, sid: a.sid, audience: API });
    expect(await rpc.refresh({ authorization: `Bearer ${token}` })).toMatchObject({ code: 'missing_session' });

    const r = await signedIn('rpc-refresh-revoked');
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), r.sid);
    expect(await rpc.refresh({ cookie: r.fresh })).toMatchObject({ ok: false, status: 401, code: 'session_revoked' });
  });
});
