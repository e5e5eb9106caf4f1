// POST /auth/refresh's budget (docs/api.md#rate-limits): a session's budget is spent only by requests whose
// token verifies; everything else spends its IP's. Tried as an attacker: forged tokens that merely name a
// victim's `sid` must not use up the victim's refreshes. With the tight limiter (2 per 60 s per key).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { json } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, strangerKeys, tamper } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const tight = { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT } as Env;
const app = createApp();

async function refresh(cookie: string | null, ip: string) {
  const headers: Record<string, string> = { 'cf-connecting-ip': ip };
  if (cookie) headers.cookie = `${SESSION_COOKIE}=${cookie}`;
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${API}/auth/refresh`, { method: 'POST', headers }), tight, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function victim(sub: string) {
  const { userId, sid } = sessionOf((await signIn({ sub })).jar);
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
  return { userId, sid, expired };
}

describe('the refresh budget is spent only after the signature', () => {
  it("forged tokens naming a victim's sid (bad signature, unknown key) leave the victim's refreshes alone", async () => {
    const v = await victim('budget-victim-1');
    const forgedSignature = tamper(v.expired, { name: 'mallory' });
    const unknownKey = await mint({ sub: v.userId, sid: v.sid, keys: await strangerKeys('test-key-1') });
    const statuses = [];
    for (const forged of [forgedSignature, unknownKey, forgedSignature]) {
      statuses.push((await refresh(forged, '203.0.113.66')).status);
    }
    // The attacker's IP runs out of its own budget (2 here)…
    expect(statuses).toEqual([401, 401, 429]);
    // …and the victim, from another IP, still renews: twice (the session's budget is whole), then 429.
    const renewed = [];
    for (let i = 0; i < 3; i++) renewed.push((await refresh(v.expired, '198.51.100.20')).status);
    expect(renewed).toEqual([200, 200, 429]);
  });

  it('verified refreshes never spend the IP budget: one office behind one IP is not one bucket', async () => {
    const office = await Promise.all([1, 2, 3, 4].map((i) => victim(`budget-office-${i}`)));
    for (const member of office) {
      const statuses = [(await refresh(member.expired, '192.0.2.10')).status];
      statuses.push((await refresh(member.expired, '192.0.2.10')).status);
      expect(statuses).toEqual([200, 200]);
    }
  });

  it('requests that do not verify spend the IP budget: missing or malformed cookies, then 429 with Retry-After', async () => {
    expect((await refresh(null, '203.0.113.67')).status).toBe(401);
    expect((await refresh('not.a.token', '203.0.113.67')).status).toBe(401);
    const limited = await refresh(null, '203.0.113.67');
    expect(await json(limited)).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(limited.headers.get('retry-after')).toBe('60');
  });
});
