import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { AppEnv } from '../src/app-env';
import { globalPath } from '../src/middleware/global-path';
import { requireSession } from '../src/middleware/require-session';
import { countingD1 } from './support/counting-d1';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

it('a fresh session token is authenticated without touching D1', async () => {
  const { jar } = await signIn({ sub: 'google-sub-hot-path' });
  const { db, counter } = countingD1(env.DB);
  const app = new Hono<AppEnv>()
    .use('*', globalPath({ onError: (error) => Promise.reject(error) }), requireSession())
    .get('/protected', (c) => c.json({ sub: c.var.session.sub }));
  const res = await app.fetch(
    new Request(`${API}/protected`, { headers: { cookie: jar.header() } }),
    { ...env, DB: db },
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  expect(counter.statements).toBe(0);
});

async function countedMe(cookie: string) {
  const { db, counter } = countingD1(env.DB);
  const res = await createApp().fetch(
    new Request(`${API}/api/me`, { headers: { cookie } }),
    { ...env, DB: db },
    createExecutionContext(),
  );
  return { res, counter };
}

it('GET /api/me on a fresh token answers from its claims: zero D1 statements', async () => {
  const { jar } = await signIn({
    sub: 'google-sub-hot-path-2',
    email: 'hot@example.test',
    name: 'Hot Path',
    picture: 'https://example.test/hot.png',
  });
  expect(jar.has(SESSION_COOKIE)).toBe(true);
  const { res, counter } = await countedMe(jar.header());
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({
    email: 'hot@example.test',
    name: 'Hot Path',
    image: 'https://example.test/hot.png',
  });
  expect(counter.statements).toBe(0);
});

it('GET /api/me on a fresh token without the profile claims (an older token): one D1 read', async () => {
  const { jar } = await signIn({ sub: 'google-sub-hot-path-3', name: 'Older Token' });
  const { userId, sid } = sessionOf(jar);
  const older = await mint({ sub: userId, sid });
  const { res, counter } = await countedMe(`${SESSION_COOKIE}=${older}`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ id: userId, name: 'Older Token' });
  expect(counter.statements).toBe(1);
  expect(counter.writes).toBe(0);
});
