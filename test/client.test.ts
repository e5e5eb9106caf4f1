import { exports } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { createSitewideClient } from '../src/client';
import type { ErrorBody } from '../src/errors';
import { FROM_APP } from './support/http';
import { signIn } from './support/sign-in';
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
