import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import apiPage from '../docs/api.md?raw';
import { createApp } from '../src/app';
import type { AppEnv } from '../src/app-env';
import { noteRoutes } from './fixtures/note-routes';
import fixture from './fixtures/note-routes.ts?raw';
import { codeOf, FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { API } from './support/worker';

// The "Add your own protected endpoint" recipe of docs/api.md, copied verbatim into
// test/fixtures/note-routes.ts and mounted the way the page says.
const app = createApp({ protectedRoutes: [noteRoutes] });
const call = (path: string, init: RequestInit = {}) =>
  app.fetch(new Request(new URL(path, API), init), env, createExecutionContext());

describe('docs/api.md: add your own protected endpoint', () => {
  it('the page shows exactly the fixture (only the import path differs)', () => {
    const block = /```ts\n(\/\/ src\/routes\/notes\.ts\n[\s\S]*?)```/.exec(apiPage)?.[1];
    const asOnPage = fixture.replace("'../../src/routes/authed-routes'", "'./authed-routes'");
    expect(block).toBe(`// src/routes/notes.ts\n${asOnPage}`);
  });

  it('without a cookie: 401 missing_session', async () => {
    const res = await call('/api/notes');
    expect(res.status).toBe(401);
    expect(await codeOf(res)).toBe('missing_session');
  });

  it('with a cookie: 200, and the handler sees the caller', async () => {
    const { jar } = await signIn({ sub: 'recipe-reader' });
    const res = await call('/api/notes', { headers: { cookie: jar.header() } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ owner: sessionOf(jar).userId, notes: [] });
  });

  it('a cross-origin write: 403 csrf_rejected; from an allowed origin: 201', async () => {
    const { jar } = await signIn({ sub: 'recipe-writer' });
    const write = (origin: string) =>
      call('/api/notes', {
        method: 'POST',
        headers: { cookie: jar.header(), origin, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });
    const refused = await write('https://evil.example.test');
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('csrf_rejected');
    const created = await write(FROM_APP.origin);
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ owner: sessionOf(jar).userId, text: 'hello' });
  });
});

describe('the session is typed only behind requireSession', () => {
  it('a handler outside authedRoutes() cannot read c.var.session (checked by tsc)', () => {
    const open = new Hono<AppEnv>().get('/open', (c) =>
      // @ts-expect-error: AppEnv has no session; only AuthedEnv (authedRoutes) does.
      c.json({ sub: c.var.session.sub }),
    );
    expect(open.routes).toHaveLength(1);
  });
});
