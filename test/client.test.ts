import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createSitewideClient } from '../src/client';
import type { ErrorBody } from '../src/errors';
import { rows } from './support/db';
import { FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { API } from './support/worker';

it('the typed client talks to the running app: /api/me, /api/sessions, and a typed error', async () => {
  const { jar } = await signIn({ sub: 'typed-client', email: 'typed@example.test', name: 'Typed' });
  const fetchApp: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
  const client = createSitewideClient(API, {
    fetch: fetchApp,
    headers: { cookie: jar.header(), ...FROM_APP },
  });

  const me = await client.api.me.$get();
  expect(me.status).toBe(200);
  const user = await me.json();
  expect(user).toMatchObject({ email: 'typed@example.test', name: 'Typed' });

  const sessions = await client.api.sessions.$get();
  const { sessions: list } = await sessions.json();
  expect(list.map((s) => s.current)).toEqual([true]);

  const anonymous = createSitewideClient(API, { fetch: fetchApp });
  const denied = await anonymous.api.me.$get();
  expect(denied.status).toBe(401);
  expect(((await denied.json()) as unknown as ErrorBody).error.code).toBe('missing_session');
});

it('the typed client downloads the export and deletes the account: client.api.me.export.$get(), client.api.me.$delete()', async () => {
  const { jar } = await signIn({ sub: 'typed-leaver', email: 'typed-leaver@example.test' });
  const { userId, sid } = sessionOf(jar);
  const fetchApp: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
  const client = createSitewideClient(API, { fetch: fetchApp, headers: { cookie: jar.header(), ...FROM_APP } });

  const exported = await client.api.me.export.$get();
  expect(exported.status).toBe(200);
  const data = await exported.json();
  // Typed: these property reads compile only because the route's JSON type flows into the client.
  expect([data.user.id, data.user.email, data.accounts[0]?.providerAccountId]).toEqual([
    userId,
    'typed-leaver@example.test',
    'typed-leaver',
  ]);
  expect(data.sessions.map((s) => [s.id, s.current])).toEqual([[sid, true]]);
  expect(data.events.map((e) => e.kind)).toEqual(['sign_in']);

  const deleted = await client.api.me.$delete();
  expect(deleted.status).toBe(204);
  expect(await rows('users', 'id = ?', userId)).toEqual([]);
});

it('the typed client renews the session: client.auth.refresh.$post() answers {user, session} (typed)', async () => {
  const { jar } = await signIn({ sub: 'typed-refresher', email: 'typed-refresher@example.test' });
  const { userId, sid } = sessionOf(jar);
  const fetchApp: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));
  const client = createSitewideClient(API, { fetch: fetchApp, headers: { cookie: jar.header(), ...FROM_APP } });
  const res = await client.auth.refresh.$post();
  expect(res.status).toBe(200);
  const { user, session } = await res.json();
  expect([user.id, user.email, session.id]).toEqual([userId, 'typed-refresher@example.test', sid]);
  expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
});
