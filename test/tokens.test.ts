import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { importSigningKeys } from '../src/session/keys';
import { ACCESS_TOKEN_TYP, signToken } from '../src/session/token';
import type { CookieJar } from './support/cookies';
import { setCookies } from './support/cookies';
import { run } from './support/db';
import { API, api, SESSION_COOKIE, signIn } from './support/sign-in';
import { mint, serverKeys } from './support/tokens';

const APP = { origin: 'https://app.example.test' };
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

async function requestToken(jar: CookieJar, body: unknown, headers: Record<string, string> = APP) {
  return api('/auth/token', {
    method: 'POST',
    jar,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let jar: CookieJar;
let userId: string;
beforeAll(async () => {
  ({ jar } = await signIn({ sub: 'token-user', email: 'token@example.test' }));
  userId = decodeJwt(jar.get(SESSION_COOKIE) ?? '').sub as string;
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public half of every key, cacheable, with no private member', async () => {
    const res = await api('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'test-key-1' });
    for (const key of keys)
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
  });

  it('/.well-known/sitewide.json names the issuer, keys, cookie and token endpoint', async () => {
    const res = await api('/.well-known/sitewide.json');
    expect(await res.json()).toEqual({
      issuer: API,
      jwks_uri: `${API}/.well-known/jwks.json`,
      token_endpoint: `${API}/auth/token`,
      algorithms: ['ES256'],
      session_cookie: { name: SESSION_COOKIE, domain: 'example.test', typ: 'sitewide-session+jwt', audience: API },
      access_token: { typ: 'at+jwt', audiences: [API, 'https://billing.example.test', 'reports'] },
    });
  });
});

describe('key rotation', () => {
  async function rotatedEnv(keys: unknown[]) {
    return { ...env, SESSION_SIGNING_KEYS: JSON.stringify(keys) };
  }
  const call = async (e: Env, path: string, headers: Record<string, string>) =>
    createApp().fetch(new Request(`${API}${path}`, { headers }), e, createExecutionContext());

  it('a new key put first signs new tokens; the old one still verifies while listed; removed, it stops', async () => {
    const [oldKey] = JSON.parse(env.SESSION_SIGNING_KEYS) as unknown[];
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const newKey = { ...(await exportJWK(privateKey)), kid: 'test-key-2', alg: 'ES256' };
    const rotated = await rotatedEnv([newKey, oldKey]);
    const oldCookie = { cookie: jar.header() };
    expect(decodeProtectedHeader(jar.get(SESSION_COOKIE) ?? '').kid).toBe('test-key-1');

    // Both keys are published, newest first.
    const jwks = (await (await call(rotated, '/.well-known/jwks.json', {})).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['test-key-2', 'test-key-1']);

    // A token signed by the old key still works while the old key is listed...
    expect((await call(rotated, '/api/me', oldCookie)).status).toBe(200);

    // ...and an expired old-key token is refreshed into a new-key token.
    const sid = decodeJwt(jar.get(SESSION_COOKIE) ?? '').sid as string;
    const expiredOld = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
    const refreshed = await call(rotated, '/api/me', { cookie: `${SESSION_COOKIE}=${expiredOld}` });
    expect(refreshed.status).toBe(200);
    const newToken = setCookies(refreshed).find((c) => c.name === SESSION_COOKIE)?.value ?? '';
    expect(decodeProtectedHeader(newToken).kid).toBe('test-key-2');

    // Once the old key is removed from the list, its tokens stop verifying; new ones still do.
    const retired = await rotatedEnv([newKey]);
    const after = await call(retired, '/api/me', oldCookie);
    expect(after.status).toBe(401);
    expect(await codeOf(after)).toBe('invalid_session');
    expect((await call(retired, '/api/me', { cookie: `${SESSION_COOKIE}=${newToken}` })).status).toBe(200);
  });
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
    const bearer = await signToken(ACCESS_TOKEN_TYP, { sub: userId, sid: 'x', ttl: 300 }, await serverKeys(), {
      issuer: API,
      audience: API,
    });
    const res = await api('/auth/token', {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...APP },
      body: JSON.stringify({ audience: 'reports' }),
    });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('missing_session');
  });

  it('a revoked session cannot mint, even while its cookie token is fresh', async () => {
    const other = await signIn({ sub: 'token-revoked' });
    await run(
      'UPDATE sessions SET revoked_at = ? WHERE id = ?',
      Date.now(),
      decodeJwt(other.jar.get(SESSION_COOKIE) ?? '').sid,
    );
    const res = await requestToken(other.jar, { audience: 'reports' });
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('session_revoked');
  });
});

describe('Authorization: Bearer', () => {
  async function accessToken(audience: string, options: { now?: Date } = {}) {
    const keys = await serverKeys();
    return signToken(ACCESS_TOKEN_TYP, { sub: userId, sid: 'sid-1', ttl: 300 }, keys, {
      issuer: API,
      audience,
      now: options.now,
    });
  }
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

it('importSigningKeys keeps the order: the first key signs', async () => {
  const keys = await importSigningKeys(env.SESSION_SIGNING_KEYS);
  expect(keys.current.kid).toBe('test-key-1');
});
