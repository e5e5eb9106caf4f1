import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { signIn } from './support/sign-in';
import { api, SESSION_COOKIE } from './support/worker';

// Real D1 failures, not a mock: the tables are dropped under a running Worker.
// (This file has its own storage; the other files keep theirs.)

it('D1 failing on GET /api/me: 503 service_unavailable with Retry-After, never 500 or a user let in', async () => {
  const { jar } = await signIn({ sub: 'google-sub-outage' });
  await env.DB.exec('DROP TABLE sessions; DROP TABLE accounts; DROP TABLE users;');
  const res = await api('/api/me', { jar });
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
