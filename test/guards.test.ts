import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { CookieJar } from './support/cookies';
import { api, signIn } from './support/sign-in';

let jar: CookieJar;
beforeAll(async () => {
  ({ jar } = await signIn({ sub: 'guarded' }));
});

const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;

describe('CSRF: cookie-authenticated writes need an allowed Origin', () => {
  // POST to a session id that does not exist: 404 once past the guard, 403 when stopped by it.
  const write = (origin: string | null) =>
    api('/api/sessions/no-such-session/revoke', {
      method: 'POST',
      jar,
      headers: origin === null ? {} : { origin },
    });

  const table: Array<[string, string | null, number, string]> = [
    ['the API itself', 'https://api.example.test', 404, 'not_found'],
    ['an allowed sibling', 'https://app.example.test', 404, 'not_found'],
    ['another allowed sibling', 'https://admin.example.test', 404, 'not_found'],
    ['a sibling not on the list', 'https://evil.example.test', 403, 'csrf_rejected'],
    ['an allowed host on another port', 'https://app.example.test:8443', 403, 'csrf_rejected'],
    ['an allowed host over http', 'http://app.example.test', 403, 'csrf_rejected'],
    ['a cross-site origin', 'https://evil.test', 403, 'csrf_rejected'],
    ['a look-alike', 'https://app.example.test.evil.test', 403, 'csrf_rejected'],
    ['the null origin (sandboxed iframe, data: URL)', 'null', 403, 'csrf_rejected'],
    ['no Origin header', null, 403, 'csrf_rejected'],
  ];
  for (const [name, origin, status, code] of table) {
    it(`${name}: ${status} ${code}`, async () => {
      const res = await write(origin);
      expect(res.status).toBe(status);
      expect(await codeOf(res)).toBe(code);
    });
  }

  it('safe methods need no Origin', async () => {
    expect((await api('/api/me', { jar })).status).toBe(200);
  });

  it('the refusal names the origin', async () => {
    const res = await write('https://evil.test');
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
      "Origin 'https://evil.test' may not make cookie-authenticated POST requests; allowed: the API and ALLOWED_ORIGINS",
    );
  });
});

describe('CORS: only ALLOWED_ORIGINS, with credentials', () => {
  const table: Array<[string, string, string | null]> = [
    ['an allowed sibling', 'https://app.example.test', 'https://app.example.test'],
    ['a sibling not on the list', 'https://evil.example.test', null],
    ['a cross-site origin', 'https://evil.test', null],
    ['the null origin', 'null', null],
  ];
  for (const [name, origin, allowed] of table) {
    it(`GET from ${name}: ${allowed ? 'echoed' : 'no CORS headers'}`, async () => {
      const res = await api('/api/me', { jar, headers: { origin } });
      expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(res.headers.get('access-control-allow-credentials')).toBe(allowed ? 'true' : null);
      expect(res.headers.get('vary')).toContain('Origin');
    });

    it(`preflight from ${name}, without a cookie: ${allowed ? 'allowed' : 'no CORS headers'}`, async () => {
      const res = await api('/api/sessions/x/revoke', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
      if (allowed) {
        expect(res.headers.get('access-control-allow-credentials')).toBe('true');
        expect(res.headers.get('access-control-allow-methods')).toContain('POST');
        expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      }
    });
  }

  it('never answers * with credentials', async () => {
    const res = await api('/api/me', { jar, headers: { origin: 'https://app.example.test' } });
    expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('error responses carry CORS headers too, so the app can read the error code', async () => {
    const res = await api('/api/me', { headers: { origin: 'https://app.example.test' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(await codeOf(res)).toBe('missing_session');
  });
});

describe('headers on every response', () => {
  for (const path of ['/health', '/api/me', '/nope', '/auth/signin']) {
    it(`${path}: security headers and no-store`, async () => {
      const res = await api(path);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
    });
  }
});

describe('rate limits (Workers Rate Limiting binding)', () => {
  async function post(path: string, ip: string) {
    const app = createApp();
    const res = await app.fetch(
      new Request(`https://api.example.test${path}`, { method: 'POST', headers: { 'cf-connecting-ip': ip } }),
      { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT },
      createExecutionContext(),
    );
    return res;
  }

  it('sign-in: the third attempt in a minute from one IP gets 429 rate_limited with Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await post('/auth/signin/google', '203.0.113.7'));
    expect(statuses.slice(0, 2).map((r) => r.status)).toEqual([302, 302]);
    const limited = statuses[2] as Response;
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await codeOf(limited)).toBe('rate_limited');
  });

  it('another IP has its own budget', async () => {
    for (let i = 0; i < 2; i++) await post('/auth/signin/google', '203.0.113.8');
    expect((await post('/auth/signin/google', '203.0.113.9')).status).toBe(302);
  });

  it('revocation routes are limited too (before authentication)', async () => {
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await post('/api/sessions/revoke-all', '203.0.113.10')).status);
    expect(results).toEqual([401, 401, 429]);
  });
});
