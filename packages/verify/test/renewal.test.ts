import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSitewideVerifier, type SitewideBinding, type SitewideRpcResult } from '../src/index.ts';
import { singleFlight, tokenKey } from '../src/single-flight.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

// Issue 22: 40 parallel requests with one expired cookie renewed it 40 times at Sitewide, and the
// refresh budget (30 per IP per minute) answered the last 10 with 429. One renewal per token now.

let fake: FakeSitewide;
beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.refreshCookies.length = 0;
  fake.refreshDelayMs = 50;
});

const cookie = (token: string) => `${fake.cookieName}=${token}`;
const renewedCookie = (value: string) => `${fake.cookieName}=${value}; Domain=example.test; Path=/; HttpOnly; Secure`;
const renewsAs = (value: string) => {
  fake.refresh = {
    status: 200,
    body: { user: { id: 'user-1', roles: [] }, session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' } },
    setCookie: [renewedCookie(value)],
  };
};
const refuses = (status: number, code: string) => {
  fake.refresh = { status, body: { error: { code, message: code } }, setCookie: [] };
};
const expired = (sid = 'session-1') => fake.sign({}, { expiresIn: -30, sid });

describe('one renewal per expired token, per verifier', () => {
  it('40 parallel verifications of one expired cookie: exactly 1 POST /auth/refresh, 40 × ok with its Set-Cookie', async () => {
    renewsAs('new-1');
    const verifier = createSitewideVerifier({ issuer: fake.issuer });
    const token = await expired();
    const results = await Promise.all(Array.from({ length: 40 }, () => verifier.verify({ cookie: cookie(token) })));
    expect(fake.refreshCookies).toEqual([cookie(token)]);
    expect(results.filter((r) => r.ok)).toHaveLength(40);
    for (const result of results) expect(result.setCookie).toEqual([renewedCookie('new-1')]);
    // Each caller gets its own arrays: one cannot change another's answer.
    expect(results[0]?.setCookie).not.toBe(results[1]?.setCookie);
  });

  it('a straggler within a few seconds reuses the answer; another token renews on its own', async () => {
    renewsAs('new-2');
    const verifier = createSitewideVerifier({ issuer: fake.issuer });
    const [a, b] = [await expired('session-a'), await expired('session-b')];
    await verifier.verify({ cookie: cookie(a) });
    const later = await verifier.verify({ cookie: cookie(a) });
    expect(later).toMatchObject({ ok: true, setCookie: [renewedCookie('new-2')] });
    expect(fake.refreshCookies).toEqual([cookie(a)]);
    await verifier.verify({ cookie: cookie(b) });
    expect(fake.refreshCookies).toEqual([cookie(a), cookie(b)]);
  });

  it('a refusal is shared and reused too; an outage (503) is shared while pending, then retried', async () => {
    refuses(401, 'session_revoked');
    const verifier = createSitewideVerifier({ issuer: fake.issuer });
    const token = await expired('session-r');
    const refused = await Promise.all(Array.from({ length: 5 }, () => verifier.verify({ cookie: cookie(token) })));
    expect(refused.map((r) => (r.ok ? 200 : r.code))).toEqual(Array(5).fill('session_revoked'));
    await verifier.verify({ cookie: cookie(token) });
    expect(fake.refreshCookies).toHaveLength(1);

    refuses(503, 'service_unavailable');
    const down = await expired('session-d');
    await Promise.all(Array.from({ length: 5 }, () => verifier.verify({ cookie: cookie(down) })));
    expect(fake.refreshCookies).toHaveLength(2);
    renewsAs('back');
    expect(await verifier.verify({ cookie: cookie(down) })).toMatchObject({ ok: true });
    expect(fake.refreshCookies).toHaveLength(3);
  });

  it('over a service binding: one binding.refresh for concurrent requests', async () => {
    let calls = 0;
    const binding: SitewideBinding = {
      async refresh() {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { ok: true, user: { id: 'user-1' }, session: { id: 'session-1' }, setCookie: ['c=1'] };
      },
    };
    const verifier = createSitewideVerifier({ issuer: fake.issuer, binding });
    const token = await expired('session-rpc');
    const results = await Promise.all(Array.from({ length: 20 }, () => verifier.verify({ cookie: cookie(token) })));
    expect(calls).toBe(1);
    expect(results.every((r) => r.ok && r.setCookie[0] === 'c=1')).toBe(true);
    expect(fake.refreshCookies).toEqual([]);
  });
});

describe('singleFlight: the bounded, short-lived cache behind it', () => {
  it('reuses a settled answer for ttlMs, then runs again; never across keys', async () => {
    let clock = 0;
    const flight = singleFlight<number>({ ttlMs: 5_000, maxEntries: 3, now: () => clock });
    let runs = 0;
    const work = async () => ++runs;
    expect(await Promise.all([flight.run('a', work), flight.run('a', work)])).toEqual([1, 1]);
    clock = 4_999;
    expect(await flight.run('a', work)).toBe(1);
    expect(await flight.run('b', work)).toBe(2);
    clock = 10_000;
    expect(await flight.run('a', work)).toBe(3);
  });

  it('holds at most maxEntries keys (oldest dropped); unreusable and failed answers are not kept', async () => {
    const flight = singleFlight<SitewideRpcResult>({
      ttlMs: 5_000,
      maxEntries: 3,
      reusable: (answer) => answer.ok || answer.status < 500,
    });
    const ok = async (): Promise<SitewideRpcResult> => ({
      ok: true,
      user: { id: 'u' },
      session: { id: 's' },
      setCookie: [],
    });
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await flight.run(key, ok);
    expect(flight.size).toBe(3);
    await flight.run('down', async () => ({ ok: false, status: 503, code: 'service_unavailable', message: '' }));
    await expect(flight.run('thrown', async () => Promise.reject(new Error('no route')))).rejects.toThrow('no route');
    await flight.run('k6', ok);
    // The 503 and the throw were dropped when the next key came in; the cap held.
    expect(flight.size).toBeLessThanOrEqual(3);
  });

  it('keys are SHA-256 hashes of the token, not the token', async () => {
    const key = await tokenKey('header.payload.signature');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('payload');
    expect(await tokenKey('header.payload.signatur3')).not.toBe(key);
  });
});
