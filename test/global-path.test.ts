import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app';
import { APP_ORIGIN } from './support/http';
import { API } from './support/worker';

/** What every response carries, whatever the route, status or origin (issue 14 kept these exact). */
const SECURITY_HEADERS: Array<[string, string]> = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-site'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'DENY'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];
const JSON_TYPE: [string, string] = ['content-type', 'application/json'];
const NO_STORE: [string, string] = ['cache-control', 'no-store'];
const VARY_ORIGIN: [string, string] = ['vary', 'Origin'];
const CORS_OK: Array<[string, string]> = [
  ['access-control-allow-credentials', 'true'],
  ['access-control-allow-origin', APP_ORIGIN],
];
const REFUSED = 'https://evil.example.test';

interface Case {
  name: string;
  path: string;
  init?: RequestInit;
  /** Overrides of the Worker's env (a misconfiguration). */
  env?: Partial<Env>;
  status: number;
  /** Every header but the security headers and X-Request-Id, exactly. */
  headers: Array<[string, string]>;
}

const cases: Case[] = [
  { name: 'GET /health', path: '/health', status: 200, headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN] },
  {
    name: 'GET /health from an allowed origin',
    path: '/health',
    init: { headers: { origin: APP_ORIGIN } },
    status: 200,
    headers: [...CORS_OK, NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'GET /health from a refused origin',
    path: '/health',
    init: { headers: { origin: REFUSED } },
    status: 200,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'HEAD /health',
    path: '/health',
    init: { method: 'HEAD' },
    status: 200,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a preflight from an allowed origin',
    path: '/api/me',
    init: {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    },
    status: 204,
    headers: [
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-headers', 'Content-Type,Authorization'],
      ['access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE'],
      ['access-control-allow-origin', APP_ORIGIN],
      ['access-control-max-age', '600'],
      NO_STORE,
      ['vary', 'Origin, Access-Control-Request-Headers'],
    ],
  },
  {
    name: 'a preflight from a refused origin',
    path: '/api/me',
    init: { method: 'OPTIONS', headers: { origin: REFUSED, 'access-control-request-method': 'POST' } },
    status: 204,
    headers: [NO_STORE, VARY_ORIGIN],
  },
  { name: 'no route', path: '/nope', status: 404, headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN] },
  {
    name: 'GET /api/me without a cookie',
    path: '/api/me',
    status: 401,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN, ['www-authenticate', `Bearer realm="${API}"`]],
  },
  {
    name: 'GET /api/me without a cookie, from an allowed origin',
    path: '/api/me',
    init: { headers: { origin: APP_ORIGIN } },
    status: 401,
    headers: [...CORS_OK, NO_STORE, JSON_TYPE, VARY_ORIGIN, ['www-authenticate', `Bearer realm="${API}"`]],
  },
  {
    name: 'GET / (a redirect)',
    path: '/',
    status: 302,
    headers: [NO_STORE, ['location', 'https://app.example.test/'], VARY_ORIGIN],
  },
  {
    name: 'a route with its own Cache-Control',
    path: '/.well-known/jwks.json',
    status: 200,
    headers: [['cache-control', 'public, max-age=300'], JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a misconfiguration (500 misconfigured)',
    path: '/health',
    env: { SESSION_SIGNING_KEYS: 'not json' },
    status: 500,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a misconfiguration, from an allowed origin: the page may read why',
    path: '/api/me',
    init: { headers: { origin: APP_ORIGIN } },
    env: { COOKIE_DOMAIN: 'example.org' },
    status: 500,
    headers: [...CORS_OK, NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a misconfiguration, from a refused origin',
    path: '/api/me',
    init: { headers: { origin: REFUSED } },
    env: { COOKIE_DOMAIN: 'example.org' },
    status: 500,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a misconfiguration, a preflight from an allowed origin: answered as usual',
    path: '/api/me',
    init: {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    },
    env: { COOKIE_DOMAIN: 'example.org' },
    status: 204,
    headers: [
      ['access-control-allow-credentials', 'true'],
      ['access-control-allow-headers', 'Content-Type,Authorization'],
      ['access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE'],
      ['access-control-allow-origin', APP_ORIGIN],
      ['access-control-max-age', '600'],
      NO_STORE,
      ['vary', 'Origin, Access-Control-Request-Headers'],
    ],
  },
  {
    name: 'a misconfiguration, a preflight from a refused origin',
    path: '/api/me',
    init: { method: 'OPTIONS', headers: { origin: REFUSED, 'access-control-request-method': 'POST' } },
    env: { COOKIE_DOMAIN: 'example.org' },
    status: 500,
    headers: [NO_STORE, JSON_TYPE, VARY_ORIGIN],
  },
  {
    name: 'a handler returning a Response whose headers are immutable',
    path: '/test/immutable',
    status: 302,
    headers: [NO_STORE, ['location', 'https://app.example.test/x'], VARY_ORIGIN],
  },
  {
    name: 'a handler setting Vary and Cache-Control itself',
    path: '/test/vary',
    status: 200,
    headers: [['cache-control', 'private'], JSON_TYPE, ['vary', 'Cookie, Origin']],
  },
];

function appWithTestRoutes() {
  const app = createApp();
  app.get('/test/immutable', () => Response.redirect('https://app.example.test/x', 302));
  app.get('/test/vary', (c) => c.json({ ok: true }, 200, { Vary: 'Cookie', 'Cache-Control': 'private' }));
  return app;
}

describe('the global path: the headers every response gets, exactly', () => {
  const app = appWithTestRoutes();
  for (const { name, path, init, env: override, status, headers } of cases) {
    it(`${name}: ${status}, the security headers, X-Request-Id and exactly its own`, async () => {
      const res = await app.request(
        new Request(new URL(path, API), init),
        undefined,
        { ...env, ...override },
        createExecutionContext(),
      );
      expect(res.status).toBe(status);
      const all = [...res.headers];
      expect(all.filter(([k]) => k !== 'x-request-id')).toEqual(
        [...SECURITY_HEADERS, ...headers].sort(([a], [b]) => a.localeCompare(b)),
      );
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  }

  it('a misconfiguration still gets its log line, with the code', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    try {
      await app.request('/health', {}, { ...env, SESSION_SIGNING_KEYS: 'not json' }, createExecutionContext());
    } finally {
      vi.restoreAllMocks();
    }
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(line).toMatchObject({ level: 'error', status: 500, error_code: 'misconfigured', path: '/health' });
  });
});
