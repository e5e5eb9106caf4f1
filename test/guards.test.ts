import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import type { CookieJar } from './support/cookies';
import { APP_ORIGIN, codeOf } from './support/http';
import { signIn } from './support/sign-in';
import { API, api } from './support/worker';

let jar: CookieJar;
beforeAll(async () => {
  ({ jar } = await signIn({ sub: 'guarded' }));
});

/**
 * Every Origin a request can carry, and what each guard makes of it: the CSRF guard lets a
 * cookie-authenticated write through for the API itself and exact ALLOWED_ORIGINS entries; CORS
 * answers (echoing the origin, with credentials) for exact ALLOWED_ORIGINS entries only.
 */
const origins: Array<{ name: string; origin: string | null; write: 'allowed' | 'refused'; cors: boolean }> = [
  { name: 'the API itself', origin: API, write: 'allowed', cors: false },
  { name: 'an allowed sibling', origin: APP_ORIGIN, write: 'allowed', cors: true },
  { name: 'another allowed sibling', origin: 'https://admin.example.test', write: 'allowed', cors: true },
  { name: 'a sibling not on the list', origin: 'https://evil.example.test', write: 'refused', cors: false },
  { name: 'an allowed host on another port', origin: `${APP_ORIGIN}:8443`, write: 'refused', cors: false },
  { name: 'an allowed host over http', origin: 'http://app.example.test', write: 'refused', cors: false },
  { name: 'a cross-site origin', origin: 'https://evil.test', write: 'refused', cors: false },
  { name: 'a look-alike', origin: `${APP_ORIGIN}.evil.test`, write: 'refused', cors: false },
  { name: 'the null origin (sandboxed iframe, data: URL)', origin: 'null', write: 'refused', cors: false },
  { name: 'no Origin header', origin: null, write: 'refused', cors: false },
];

describe('CSRF: cookie-authenticated writes need an allowed Origin', () => {
  // POST to a session id that does not exist: 404 once past the guard, 403 when stopped by it.
  const write = (origin: string | null) =>
    api('/api/sessions/no-such-session/revoke', {
      method: 'POST',
      jar,
      headers: origin === null ? {} : { origin },
    });

  for (const { name, origin, write: verdict } of origins) {
    const [status, code] = verdict === 'allowed' ? [404, 'not_found'] : [403, 'csrf_rejected'];
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
  for (const { name, origin, cors } of origins) {
    if (origin === null) continue; // no Origin, no CORS
    const allowed = cors ? origin : null;
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
    const res = await api('/api/me', { jar, headers: { origin: APP_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).not.toBe('*');
  });

  it('error responses carry CORS headers too, so the app can read the error code', async () => {
    const res = await api('/api/me', { headers: { origin: APP_ORIGIN } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
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
      new Request(`${API}${path}`, { method: 'POST', headers: { 'cf-connecting-ip': ip } }),
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
