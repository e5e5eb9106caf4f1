import { env } from 'cloudflare:workers';
import { afterEach, expect, it, vi } from 'vitest';
import { importSigningKeys } from '../src/session/keys';
import { verifySessionToken } from '../src/session/token';
import { mint, serverKeys, tamper } from './support/tokens';
import { API } from './support/worker';

afterEach(() => vi.restoreAllMocks());
const ctx = (now = new Date()) => ({ issuer: API, audience: API, now, maxLifetime: 600 });

it('a token verified once is not verified again (no second ECDSA check) until it expires', async () => {
  const keys = await serverKeys();
  const token = await mint({ sub: 'cached' });
  const verify = vi.spyOn(crypto.subtle, 'verify');
  expect((await verifySessionToken(token, keys, ctx())).ok).toBe(true);
  expect((await verifySessionToken(token, keys, ctx())).ok).toBe(true);
  expect((await verifySessionToken(token, keys, ctx())).ok).toBe(true);
  expect(verify).toHaveBeenCalledTimes(1);
});

it('a cached token still expires at its exp', async () => {
  const keys = await serverKeys();
  const now = new Date();
  const token = await mint({ sub: 'cached-expiring', now, ttl: 600 });
  expect((await verifySessionToken(token, keys, ctx(now))).ok).toBe(true);
  const later = await verifySessionToken(token, keys, ctx(new Date(now.getTime() + 601_000)));
  expect(later).toMatchObject({ ok: false, code: 'session_expired', expiredClaims: { sub: 'cached-expiring' } });
});

it('a verification under one key set says nothing under another (rotation retires a key)', async () => {
  const token = await mint({ sub: 'cached-rotation' });
  expect((await verifySessionToken(token, await serverKeys(), ctx())).ok).toBe(true);
  // The same key material under another kid: the token's kid is no longer listed.
  const withoutOldKey = await importSigningKeys(env.SESSION_SIGNING_KEYS.replace('test-key-1', 'renamed-key'));
  expect((await verifySessionToken(token, withoutOldKey, ctx())).ok).toBe(false);
});

it('failures are never cached: a bad signature is checked every time', async () => {
  const token = tamper(await mint({ sub: 'cached-tampered' }), { sub: 'someone-else' });
  const keys = await serverKeys();
  const verify = vi.spyOn(crypto.subtle, 'verify');
  expect((await verifySessionToken(token, keys, ctx())).ok).toBe(false);
  expect((await verifySessionToken(token, keys, ctx())).ok).toBe(false);
  expect(verify).toHaveBeenCalledTimes(2);
});
