import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { DiagnoseReport } from '../src/session/diagnose';
import { APP_ORIGIN } from './support/http';
import { signIn } from './support/sign-in';
import { mint, strangerKeys, tamper } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

async function diagnose(headers: Record<string, string>) {
  const res = await api('/auth/diagnose', { headers });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { report: JSON.parse(text) as DiagnoseReport, text };
}

describe('GET /auth/diagnose', () => {
  it('a signed-in browser: authenticated, cookie names only (never values)', async () => {
    const { jar } = await signIn({ sub: 'diagnosed' });
    const token = jar.get(SESSION_COOKIE) ?? '';
    const { report, text } = await diagnose({
      cookie: `theme=dark; ${jar.header()}`,
      origin: APP_ORIGIN,
    });
    expect(report).toMatchObject({
      authenticated: true,
      request: { origin: APP_ORIGIN, originAllowed: true },
      sessionCookie: {
        name: SESSION_COOKIE,
        domain: 'example.test',
        present: true,
        count: 1,
        chunked: false,
        token: { status: 'valid', kid: 'test-key-1' },
      },
    });
    expect(report.cookies.received).toContain('theme');
    expect(report.cookies.received).toContain(SESSION_COOKIE);
    expect(text).not.toContain(token);
    expect(text).not.toContain('dark');
  });

  const cases: Array<[string, () => Promise<Record<string, string>>, RegExp]> = [
    [
      'no cookie',
      async () => ({}),
      /No __Secure-sitewide\.session cookie arrived\. Sign in at https:\/\/api\.example\.test\/auth\/signin; the cookie is set for Domain=example\.test/,
    ],
    [
      'a duplicated cookie',
      async () => {
        const t = await mint();
        return { cookie: `${SESSION_COOKIE}=${t}; ${SESSION_COOKIE}=${t}` };
      },
      /arrived 2 times/,
    ],
    ['a chunked cookie', async () => ({ cookie: `${SESSION_COOKIE}.0=a; ${SESSION_COOKIE}.1=b` }), /arrived in chunks/],
    [
      'an expired token',
      async () => ({ cookie: `${SESSION_COOKIE}=${await mint({ now: new Date(Date.now() - 3_600_000) })}` }),
      /expired but renewable/,
    ],
    [
      'a token signed by an unknown key',
      async () => ({ cookie: `${SESSION_COOKIE}=${await mint({ keys: await strangerKeys('retired-key') })}` }),
      /signed by an unknown key \(kid 'retired-key'\)/,
    ],
    [
      'a tampered token',
      async () => ({ cookie: `${SESSION_COOKIE}=${tamper(await mint(), { sub: 'x' })}` }),
      /the signature does not match/,
    ],
    [
      'a token for another service',
      async () => ({ cookie: `${SESSION_COOKIE}=${await mint({ audience: 'https://other.test' })}` }),
      /issued for another service/,
    ],
    [
      'an origin not allowed',
      async () => ({ origin: 'https://evil.example.test' }),
      /Requests from https:\/\/evil\.example\.test are not allowed: it is not in ALLOWED_ORIGINS/,
    ],
  ];
  for (const [name, headers, verdict] of cases) {
    it(`explains ${name}`, async () => {
      const { report } = await diagnose(await headers());
      expect(report.verdict).toMatch(verdict);
    });
  }

  it('is off unless DIAGNOSE=on (production default): 404 not_found', async () => {
    const res = await createApp().fetch(
      new Request(`${API}/auth/diagnose`),
      { ...env, DIAGNOSE: 'off' },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'GET /auth/diagnose is disabled here (set DIAGNOSE=on to enable it)' },
    });
  });
});
