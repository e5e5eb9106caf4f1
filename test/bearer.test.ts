import { beforeAll, describe, expect, it } from 'vitest';
import type { CookieJar } from './support/cookies';
import { codeOf } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mintAccessToken, requestToken } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

let jar: CookieJar;
let userId: string;
beforeAll(async () => {
  ({ jar } = await signIn({ sub: 'token-user', email: 'token@example.test' }));
  ({ userId } = sessionOf(jar));
});

describe('Authorization: Bearer', () => {
  const accessToken = (audience: string, options: { now?: Date } = {}) =>
    mintAccessToken({ sub: userId, sid: 'sid-1', audience, now: options.now });
  const me = (authorization: string, extra: Record<string, string> = {}) =>
    api('/api/me', { headers: { authorization, ...extra } });

  it('an access token for this API is accepted', async () => {
    const res = await me(`Bearer ${await accessToken(API)}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: userId, email: 'token@example.test' });
  });

  it('a token minted by POST /auth/token for this API works as Bearer', async () => {
    const minted = (await (await requestToken(jar, { audience: API })).json()) as { access_token: string };
    expect((await me(`Bearer ${minted.access_token}`)).status).toBe(200);
  });

  const rejected: Array<[string, () => Promise<string>, string, string]> = [
    [
      'an access token for another audience',
      () => accessToken('https://billing.example.test'),
      'invalid_session',
      'invalid',
    ],
    ['the session cookie value', async () => jar.get(SESSION_COOKIE) ?? '', 'invalid_session', 'invalid'],
    [
      'an expired access token',
      () => accessToken(API, { now: new Date(Date.now() - 600_000) }),
      'session_expired',
      'expired',
    ],
    ['a tampered access token', async () => `${await accessToken(API)}x`, 'invalid_session', 'invalid'],
  ];
  for (const [name, make, code, description] of rejected) {
    it(`${name}: 401 ${code} with WWW-Authenticate`, async () => {
      const res = await me(`Bearer ${await make()}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        `Bearer realm="${API}", error="invalid_token", error_description="${description}"`,
      );
      expect(await codeOf(res)).toBe(code);
    });
  }

  it('a malformed Authorization header: 401 with error="invalid_request"', async () => {
    const res = await me('Bearer');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('an access token presented as the session cookie is rejected', async () => {
    const res = await api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${await accessToken(API)}` } });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('invalid_session');
  });

  it('when a Bearer header is present the cookie is not consulted', async () => {
    const res = await me(`Bearer ${await accessToken('reports')}`, { cookie: jar.header() });
    expect(res.status).toBe(401);
  });

  it('Bearer writes are exempt from the Origin check (no ambient credential)', async () => {
    const res = await api('/api/sessions/no-such-session/revoke', {
      method: 'POST',
      headers: { authorization: `Bearer ${await accessToken(API)}`, origin: 'https://evil.test' },
    });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe('not_found');
  });

  it('missing credentials advertise the Bearer scheme', async () => {
    const res = await api('/api/me');
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${API}"`);
  });
});
