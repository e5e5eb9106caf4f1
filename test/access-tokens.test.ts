import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CookieJar } from './support/cookies';
import { run } from './support/db';
import { APP_ORIGIN, codeOf, FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mintAccessToken, requestToken } from './support/tokens';
import { API, api } from './support/worker';

let jar: CookieJar;
let userId: string;
beforeAll(async () => {
  ({ jar } = await signIn({ sub: 'token-user', email: 'token@example.test' }));
  ({ userId } = sessionOf(jar));
});

describe('POST /auth/token', () => {
  it('mints a short-lived at+jwt access token for an allowed audience', async () => {
    const res = await requestToken(jar, { audience: 'https://billing.example.test' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(decodeProtectedHeader(body.access_token)).toEqual({ alg: 'ES256', kid: 'test-key-1', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({ iss: API, aud: 'https://billing.example.test', sub: userId });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  const refused: Array<[string, unknown, number, string]> = [
    ['an audience not on the list', { audience: 'https://evil.test' }, 400, 'invalid_audience'],
    ['no audience', {}, 400, 'invalid_audience'],
    ['a non-string audience', { audience: ['reports'] }, 400, 'invalid_audience'],
    ['a body that is not JSON', 'audience=reports', 400, 'validation_failed'],
  ];
  for (const [name, body, status, code] of refused) {
    it(`${name}: ${status} ${code}`, async () => {
      const res = await requestToken(jar, body);
      expect(res.status).toBe(status);
      expect(await codeOf(res)).toBe(code);
    });
  }

  it('CSRF rules apply: a cross-site Origin gets 403 csrf_rejected', async () => {
    const res = await requestToken(jar, { audience: 'reports' }, { origin: 'https://evil.test' });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('csrf_rejected');
  });

  it('a Bearer token cannot mint tokens: only the cookie counts', async () => {
    const bearer = await mintAccessToken({ sub: userId, sid: 'x', audience: API });
    const res = await api('/auth/token', {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...FROM_APP },
      body: JSON.stringify({ audience: 'reports' }),
    });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('missing_session');
  });

  it('a revoked session cannot mint, even while its cookie token is fresh', async () => {
    const other = await signIn({ sub: 'token-revoked' });
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), sessionOf(other.jar).sid);
    const res = await requestToken(other.jar, { audience: 'reports' });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_revoked');
  });
});

describe('POST /auth/token: client_id (RFC 9068 §2.2)', () => {
  it('is the Origin of the app that asked for the token', async () => {
    const res = await requestToken(jar, { audience: 'https://billing.example.test' });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).client_id).toBe(APP_ORIGIN);
  });

  it('follows the asking app, whatever the audience', async () => {
    const res = await requestToken(jar, { audience: 'reports' }, { origin: 'https://admin.example.test' });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ aud: 'reports', client_id: 'https://admin.example.test' });
  });

  it('is not in the session token', () => {
    expect(decodeJwt(sessionOf(jar).token)).not.toHaveProperty('client_id');
  });
});
