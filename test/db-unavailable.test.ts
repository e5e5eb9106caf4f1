import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createClient, requestClientToken } from './support/clients';
import { gate, NAVIGATION, WIKI } from './support/gate';
import { codeOf } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

// Real D1 failures, not a mock: the tables are dropped under a running Worker.
// (This file has its own storage; the other files keep theirs.)

it('D1 failing on GET /api/me: 503 service_unavailable with Retry-After, never 500 or a user let in', async () => {
  const { jar } = await signIn({ sub: 'google-sub-outage' });
  const { userId, sid } = sessionOf(jar);
  await env.DB.exec('DROP TABLE sessions; DROP TABLE accounts; DROP TABLE users;');
  // A fresh token carrying the profile needs no D1: it is still answered.
  expect((await api('/api/me', { jar })).status).toBe(200);
  // One without the profile claims (signed before they existed) reads the user row.
  const res = await api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${await mint({ sub: userId, sid })}` } });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(await res.json()).toEqual({
    error: { code: 'service_unavailable', message: 'The database is unavailable; try again shortly' },
  });
});

it('D1 failing during the sign-in callback: 503, and no session cookie is set', async () => {
  const { callback } = await signIn({ sub: 'google-sub-outage-2' });
  expect(callback.status).toBe(503);
  expect((await callback.json()) as unknown).toMatchObject({ error: { code: 'service_unavailable' } });
  expect(callback.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
});

// After the first test: sessions, accounts and users are gone; service_clients is still there.

it('D1 failing during the client-credentials grant: 503 service_unavailable in Sitewide’s own shape, never a token', async () => {
  const client = await createClient({ audiences: ['reports'] });
  await env.DB.exec('DROP TABLE service_clients;');
  const res = await requestClientToken(client);
  expect({ status: res.status, code: await codeOf(res) }).toEqual({ status: 503, code: 'service_unavailable' });
});

it('D1 failing during the gate’s inline renewal: 503 with Retry-After, for a navigation too (never a sign-in loop)', async () => {
  const profile = { email: 'ada@example.test', name: 'Ada Lovelace', picture: null };
  const expired = await mint({ sub: 'gate-d1', sid: 'd1-down', now: new Date(Date.now() - 11 * 60_000), profile });
  for (const headers of [{}, NAVIGATION] as Record<string, string>[]) {
    const res = await gate(`${WIKI}/`, { headers: { ...headers, cookie: `${SESSION_COOKIE}=${expired}` } });
    expect({ status: res.status, retryAfter: res.headers.get('retry-after'), code: await codeOf(res) }).toEqual({
      status: 503,
      retryAfter: '5',
      code: 'service_unavailable',
    });
  }
});
