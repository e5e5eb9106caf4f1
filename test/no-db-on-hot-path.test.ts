import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { AppEnv } from '../src/app-env';
import { loadConfigMiddleware } from '../src/middleware/load-config';
import { requireSession } from '../src/middleware/require-session';
import { signIn } from './support/sign-in';
import { API, SESSION_COOKIE } from './support/worker';

/** The real D1 binding, wrapped to count the statements prepared through it. */
function countingD1(d1: D1Database) {
  const counter = { statements: 0 };
  const db = new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'prepare' || prop === 'exec' || prop === 'batch') {
        return (...args: unknown[]) => {
          counter.statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, counter };
}

it('a fresh session token is authenticated without touching D1', async () => {
  const { jar } = await signIn({ sub: 'google-sub-hot-path' });
  const { db, counter } = countingD1(env.DB);
  const app = new Hono<AppEnv>()
    .use('*', loadConfigMiddleware(), requireSession())
    .get('/protected', (c) => c.json({ sub: c.var.session.sub }));
  const res = await app.fetch(
    new Request(`${API}/protected`, { headers: { cookie: jar.header() } }),
    { ...env, DB: db },
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  expect(counter.statements).toBe(0);
});

it('GET /api/me runs exactly one D1 statement: the user lookup, none for authentication', async () => {
  const { jar } = await signIn({ sub: 'google-sub-hot-path-2' });
  expect(jar.has(SESSION_COOKIE)).toBe(true);
  const { db, counter } = countingD1(env.DB);
  const res = await createApp().fetch(
    new Request(`${API}/api/me`, { headers: { cookie: jar.header() } }),
    { ...env, DB: db },
    createExecutionContext(),
  );
  expect(res.status).toBe(200);
  expect(counter.statements).toBe(1);
});
