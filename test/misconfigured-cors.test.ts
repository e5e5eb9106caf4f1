import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { listedOriginForError } from '../src/middleware/misconfigured-cors';
import { APP_ORIGIN, json } from './support/http';
import { API } from './support/worker';

// `500 misconfigured` carries CORS for a listed origin, so a sibling app's page (the demo) shows the
// message naming the fix instead of "Checking your session…" forever. The config did not parse, so
// ALLOWED_ORIGINS is read on its own: only an exact, listed origin is ever echoed.

const app = createApp();
const request = (origin: string, override: Partial<Env>) =>
  app.request(
    new Request(`${API}/api/me`, { headers: { origin } }),
    undefined,
    { ...env, ...override },
    createExecutionContext(),
  );

describe('a misconfigured API answers a listed origin readably', () => {
  it('the 500 names the problem; the listed origin may read it with credentials', async () => {
    const res = await request(APP_ORIGIN, { COOKIE_DOMAIN: 'example.org' });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(await json(res)).toEqual({
      status: 500,
      body: {
        error: {
          code: 'misconfigured',
          message:
            "AUTH_URL host 'api.example.test' is not inside COOKIE_DOMAIN 'example.org'; browsers would drop the cookie",
        },
      },
    });
  });

  it('a missing secret names the command that makes one', async () => {
    const res = await request(APP_ORIGIN, { AUTH_SECRET: '' });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect((await json(res)).body.error.message).toBe(
      'AUTH_SECRET is not set: locally, delete its line from .dev.vars and run npm run dev (it writes a fresh one); in production, npm run keys:secrets prints the command',
    );
  });

  it('ALLOWED_ORIGINS itself broken: its exact https entries still count, the rest never', async () => {
    const broken = { ALLOWED_ORIGINS: `${APP_ORIGIN}, http://plain.example.test, https://x.example.test/path, *` };
    const ok = await request(APP_ORIGIN, broken);
    expect(ok.status).toBe(500);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    for (const origin of ['http://plain.example.test', 'https://x.example.test', 'https://evil.example.test']) {
      const res = await request(origin, broken);
      expect(res.status).toBe(500);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});

describe('listedOriginForError', () => {
  const cases: Array<[string | null, string | undefined, string | undefined]> = [
    ['https://app.example.test', 'https://app.example.test', 'https://app.example.test'],
    ['https://app.example.test', ' https://a.example.test , https://app.example.test/ ', 'https://app.example.test'],
    ['http://localhost:8788', 'http://localhost:8788', 'http://localhost:8788'],
    ['https://app.example.test', 'https://app.example.test:443', undefined],
    ['https://evil.example.test', 'https://app.example.test', undefined],
    ['https://evil.example.test', '*', undefined],
    ['null', 'null', undefined],
    ['*', '*', undefined],
    ['http://app.example.test', 'http://app.example.test', undefined],
    ['https://app.example.test', 'https://app.example.test/home', undefined],
    ['https://APP.example.test', 'https://APP.example.test', undefined],
    [null, 'https://app.example.test', undefined],
    ['https://app.example.test', undefined, undefined],
    ['https://app.example.test', '', undefined],
  ];
  for (const [origin, listed, expected] of cases) {
    it(`Origin ${origin} against '${listed}': ${expected ?? 'not echoed'}`, () => {
      expect(listedOriginForError(origin, listed)).toBe(expected);
    });
  }
});
