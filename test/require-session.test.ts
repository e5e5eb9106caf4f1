import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROFILE_CLAIM_CAPS } from '../src/session/token';
import { setCookies } from './support/cookies';
import { json } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { hmacWithPublicKey, mint, signRaw, strangerKeys, tamper, unsignedToken } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

async function me(cookie: string | undefined) {
  return json<{ error?: { code: string; message: string } }>(
    await api('/api/me', cookie === undefined ? {} : { headers: { cookie } }),
  );
}

const withToken = (token: string) => `${SESSION_COOKIE}=${token}`;
const refreshed = (res: Response) => setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value !== '');

// The clock (Date only, the test's and the Worker's: one isolate) stands still where a test sets it, so that
// no second ticks between signing a token and the Worker checking it.
afterEach(() => vi.useRealTimers());

/** A live session's token, re-signed to expire `secondsLeft` from now (negative: already expired). */
async function tokenExpiringIn(googleSub: string, secondsLeft: number) {
  const { userId, sid } = sessionOf((await signIn({ sub: googleSub })).jar);
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  vi.setSystemTime(now);
  return mint({ sub: userId, sid, ttl: 600, now: new Date(now.getTime() - (600 - secondsLeft) * 1000) });
}

describe('requireSession failures on GET /api/me', () => {
  it('no cookie at all: 401 missing_session', async () => {
    expect(await me(undefined)).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
  });

  it('other cookies but not ours, or ours empty: 401 missing_session', async () => {
    expect((await me('theme=dark; sitewide.session=abc')).body.error?.code).toBe('missing_session');
    expect((await me(`${SESSION_COOKIE}=`)).body.error?.code).toBe('missing_session');
  });

  it('the message names the cookie and where to sign in', async () => {
    const { body } = await me(undefined);
    expect(body.error?.message).toBe(
      'No __Secure-sitewide.session cookie was sent; sign in at https://api.example.test/auth/signin',
    );
  });

  const invalid: Array<[string, () => Promise<string>]> = [
    ['garbage', async () => 'not-a-token'],
    ['three dots of junk', async () => 'a.b.c'],
    ['alg none', async () => unsignedToken()],
    ['HS256 keyed with the public key', hmacWithPublicKey],
    ['signed by an unknown key', async () => mint({ keys: await strangerKeys() })],
    ['signed by another key under our kid', async () => mint({ keys: await strangerKeys('test-key-1') })],
    ['tampered payload (sub changed)', async () => tamper(await mint(), { sub: 'someone-else' })],
    ['wrong issuer', async () => mint({ issuer: 'https://evil.test' })],
    ['wrong audience', async () => mint({ audience: 'https://other-api.example.test' })],
    ['wrong typ (an access token)', async () => signRaw({ typ: 'at+jwt' }, {})],
    ['no typ', async () => signRaw({ typ: undefined }, {})],
    ['missing sid', async () => signRaw({ typ: 'sitewide-session+jwt' }, { sid: undefined })],
    ['sub of the wrong type', async () => signRaw({ typ: 'sitewide-session+jwt' }, { sub: 42 })],
    ['expired and tampered', async () => tamper(await mint({ now: new Date(Date.now() - 3_600_000) }), { sub: 'x' })],
  ];
  for (const [name, make] of invalid) {
    it(`${name}: 401 invalid_session`, async () => {
      expect(await me(withToken(await make()))).toMatchObject({
        status: 401,
        body: { error: { code: 'invalid_session' } },
      });
    });
  }

  it('the cookie sent twice (e.g. a host-only leftover): 401 invalid_session, not a guess', async () => {
    const token = await mint();
    const res = await me(`${withToken(token)}; ${withToken(token)}`);
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'invalid_session' } } });
    expect(res.body.error?.message).toContain('sent 2 times');
  });

  it('an oversized cookie: 401 invalid_session', async () => {
    expect((await me(withToken('a'.repeat(5000)))).body.error?.code).toBe('invalid_session');
  });

  it('a genuine but expired token for a user that does not exist: 401 user_not_found (checked at refresh)', async () => {
    const token = await mint({ now: new Date(Date.now() - 11 * 60_000), ttl: 600 });
    expect(await me(withToken(token))).toMatchObject({ status: 401, body: { error: { code: 'user_not_found' } } });
  });

  it('a token that expires in one second still works (the boundary is exp itself)', async () => {
    const res = await api('/api/me', { headers: { cookie: withToken(await tokenExpiringIn('last-second', 1)) } });
    // Fresh: 200 from the token alone. Expired, a live session's token answers 200 too, but refreshed.
    expect(res.status).toBe(200);
    expect(refreshed(res)).toBe(false);
  });

  it('a token that expired one second ago is refreshed (the other side of exp)', async () => {
    const res = await api('/api/me', { headers: { cookie: withToken(await tokenExpiringIn('second-late', -1)) } });
    expect(res.status).toBe(200);
    expect(refreshed(res)).toBe(true);
  });

  it('a valid token whose user row is gone: answered from its claims until it expires, then 401 user_not_found', async () => {
    const { jar } = await signIn({ sub: 'google-sub-gone' });
    const { userId, sid } = sessionOf(jar);
    await env.DB.prepare(
      "DELETE FROM users WHERE id = (SELECT user_id FROM accounts WHERE provider_account_id = 'google-sub-gone')",
    ).run();
    // A fresh token carrying the profile costs no D1 read: stale by at most one token lifetime (like roles).
    expect((await api('/api/me', { jar })).status).toBe(200);
    const gone = {
      error: { code: 'user_not_found', message: 'The user of this session no longer exists; sign in again' },
    };
    // A fresh token without the profile claims (signed before they existed) reads D1.
    const older = await api('/api/me', { headers: { cookie: withToken(await mint({ sub: userId, sid })) } });
    expect(older.status).toBe(401);
    expect(await older.json()).toEqual(gone);
    // At its refresh, D1 answers.
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
    const res = await api('/api/me', { headers: { cookie: withToken(expired) } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(gone);
  });

  it('profile claims: a value past its cap is left out of the token and read from D1; a wrong type is refused', async () => {
    const longName = 'N'.repeat(PROFILE_CLAIM_CAPS.name + 1);
    const picture = `https://example.test/${'p'.repeat(PROFILE_CLAIM_CAPS.picture)}`;
    const { jar } = await signIn({ sub: 'google-sub-long', name: longName, picture });
    const claims = decodeJwt(jar.get(SESSION_COOKIE) ?? '');
    expect(claims).toMatchObject({ email: expect.any(String) });
    expect('name' in claims || 'picture' in claims).toBe(false);
    const res = await api('/api/me', { jar });
    expect(await res.json()).toMatchObject({ name: longName, image: picture });

    const { userId, sid } = sessionOf(jar);
    const typed = await signRaw(
      { typ: 'sitewide-session+jwt' },
      { sub: userId, sid, email: 42, name: null, picture: null },
    );
    expect((await me(withToken(typed))).body.error?.code).toBe('invalid_session');
  });

  it('failures are JSON with no-store and never leak the cause', async () => {
    const res = await api('/api/me', { headers: { cookie: withToken(unsignedToken()) } });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).not.toMatch(/ERR_|JOSE|stack|at /);
  });
});
