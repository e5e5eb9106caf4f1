import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeProtectedHeader, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { importSigningKeys } from '../src/session/keys';
import { verifySessionToken } from '../src/session/token';
import { setCookies } from './support/cookies';
import { codeOf } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, newSigningJwk } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

/** The key the Worker under test signs with (kid test-key-1), as SESSION_SIGNING_KEYS lists it. */
const serverJwk = () => (JSON.parse(env.SESSION_SIGNING_KEYS) as JWK[])[0] as JWK;

describe('key rotation', () => {
  async function rotatedEnv(keys: unknown[]) {
    return { ...env, SESSION_SIGNING_KEYS: JSON.stringify(keys) };
  }
  const call = async (e: Env, path: string, headers: Record<string, string>) =>
    createApp().fetch(new Request(`${API}${path}`, { headers }), e, createExecutionContext());

  it('a new key put first signs new tokens; the old one still verifies while listed; removed, it stops', async () => {
    const { jar } = await signIn({ sub: 'token-user', email: 'token@example.test' });
    const { userId, sid } = sessionOf(jar);
    const oldKey = serverJwk();
    const newKey = await newSigningJwk('test-key-2');
    const rotated = await rotatedEnv([newKey, oldKey]);
    const oldCookie = { cookie: jar.header() };
    expect(decodeProtectedHeader(jar.get(SESSION_COOKIE) ?? '').kid).toBe('test-key-1');

    // Both keys are published, newest first.
    const jwks = (await (await call(rotated, '/.well-known/jwks.json', {})).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['test-key-2', 'test-key-1']);

    // A token signed by the old key still works while the old key is listed...
    expect((await call(rotated, '/api/me', oldCookie)).status).toBe(200);

    // ...and an expired old-key token is refreshed into a new-key token.
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

it('importSigningKeys keeps the order: the first key signs', async () => {
  const ctx = { issuer: API, audience: API, maxLifetime: 600 };
  const keyA = serverJwk();
  const keyB = await newSigningJwk('test-key-2');
  // Each key alone signs a token; the two-key set must verify both, whichever key it lists first.
  const signedBy = {
    'test-key-1': await mint({ keys: await importSigningKeys(JSON.stringify([keyA])) }),
    'test-key-2': await mint({ keys: await importSigningKeys(JSON.stringify([keyB])) }),
  };
  for (const order of [
    [keyB, keyA],
    [keyA, keyB],
  ]) {
    const kids = order.map((k) => k.kid);
    const keys = await importSigningKeys(JSON.stringify(order));
    expect(keys.current.kid).toBe(kids[0]);
    expect(decodeProtectedHeader(await mint({ keys })).kid).toBe(kids[0]);
    expect(keys.publicJwks.map((k) => k.kid)).toEqual(kids);
    for (const token of Object.values(signedBy)) expect((await verifySessionToken(token, keys, ctx)).ok).toBe(true);
  }
});
