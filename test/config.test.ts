import { createExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { parseConfig } from '../src/config/config';
import type { ConfigEnv } from '../src/config/env';

const base: ConfigEnv = {
  AUTH_URL: 'https://api.example.com',
  APP_URL: 'https://app.example.com/',
  COOKIE_DOMAIN: 'example.com',
  ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com',
  AUTH_SECRET: 'x'.repeat(32),
  AUTH_GOOGLE_ID: 'id',
  AUTH_GOOGLE_SECRET: 'secret',
  SESSION_SIGNING_KEYS: '[]',
};

describe('parseConfig', () => {
  it('derives the cookie model from AUTH_URL', () => {
    const config = parseConfig(base);
    expect(config).toMatchObject({
      apiOrigin: 'https://api.example.com',
      cookieDomain: 'example.com',
      secureCookies: true,
      sessionCookieName: '__Secure-sitewide.session',
      sessionTokenTtl: 600,
      sessionMaxAge: 2592000,
      google: { issuer: 'https://accounts.google.com' },
    });
    expect([...config.allowedOrigins]).toEqual(['https://app.example.com', 'https://admin.example.com']);
  });

  it('slides the session expiry at most once a day by default (SESSION_SLIDE_INTERVAL)', () => {
    expect(parseConfig(base).sessionSlideInterval).toBe(86400);
    expect(parseConfig({ ...base, SESSION_SLIDE_INTERVAL: '3600' }).sessionSlideInterval).toBe(3600);
    // A session idle-capped below two days slides at half its idle lifetime by default.
    expect(parseConfig({ ...base, SESSION_TOKEN_TTL: '60', SESSION_MAX_AGE: '7200' }).sessionSlideInterval).toBe(3600);
  });

  it('polls the revocation feed every 5 s by default (REVOCATION_POLL: seconds, fractions allowed)', () => {
    expect(parseConfig(base).revocationPoll).toBe(5);
    expect(parseConfig({ ...base, REVOCATION_POLL: '0.5' }).revocationPoll).toBe(0.5);
    for (const bad of ['0', '-1', 'soon', '61', '0.01']) {
      expect(() => parseConfig({ ...base, REVOCATION_POLL: bad }), bad).toThrow(/REVOCATION_POLL/);
    }
    expect(() => parseConfig({ ...base, SESSION_TOKEN_TTL: '30', REVOCATION_POLL: '30' })).toThrow(
      /REVOCATION_POLL must be shorter than SESSION_TOKEN_TTL/,
    );
  });

  it('a registrable domain under a private suffix is accepted (myapp.workers.dev is yours)', () => {
    expect(
      parseConfig({
        ...base,
        AUTH_URL: 'https://myapp.workers.dev',
        COOKIE_DOMAIN: 'myapp.workers.dev',
        ALLOWED_ORIGINS: '',
      }).cookieDomain,
    ).toBe('myapp.workers.dev');
  });

  it('plain-http localhost drops the __Secure- prefix and Domain (browsers refuse both there)', () => {
    const config = parseConfig({
      ...base,
      AUTH_URL: 'http://localhost:8787',
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: 'http://localhost:3000',
    });
    expect(config).toMatchObject({
      secureCookies: false,
      cookieDomain: undefined,
      sessionCookieName: 'sitewide.session',
    });
  });

  const bad: Array<[string, ConfigEnv, string]> = [
    ['AUTH_URL missing', { ...base, AUTH_URL: '' }, 'AUTH_URL is not set'],
    ['AUTH_URL not a URL', { ...base, AUTH_URL: 'api.example.com' }, "AUTH_URL 'api.example.com' is not a URL"],
    ['plain http off localhost', { ...base, AUTH_URL: 'http://api.example.com' }, 'must be https'],
    [
      'API host outside the cookie domain',
      { ...base, COOKIE_DOMAIN: 'example.org' },
      "AUTH_URL host 'api.example.com' is not inside COOKIE_DOMAIN 'example.org'",
    ],
    ['a suffix that is not a label boundary', { ...base, COOKIE_DOMAIN: 'ample.com' }, 'is not inside COOKIE_DOMAIN'],
    ['allowed origin with a path', { ...base, ALLOWED_ORIGINS: 'https://app.example.com/x' }, 'must be a bare origin'],
    [
      'a plain-http allowed origin off localhost',
      { ...base, ALLOWED_ORIGINS: 'http://app.example.com' },
      "ALLOWED_ORIGINS entry 'http://app.example.com' must be https",
    ],
    [
      'an allowed origin on another site',
      { ...base, ALLOWED_ORIGINS: 'https://app.example.org' },
      "ALLOWED_ORIGINS entry 'https://app.example.org' is outside COOKIE_DOMAIN 'example.com'",
    ],
    [
      'an allowed origin on a look-alike domain',
      { ...base, ALLOWED_ORIGINS: 'https://app.notexample.com' },
      'is outside COOKIE_DOMAIN',
    ],
    ...(
      [
        ['workers.dev', 'https://sitewide.workers.dev'],
        ['pages.dev', 'https://sitewide.pages.dev'],
        ['vercel.app', 'https://sitewide.vercel.app'],
        ['com', 'https://example.com'],
        ['co.uk', 'https://api.example.co.uk'],
        // The Worker's structural check (src/config/domain-rules.ts isPublicSuffix); the doctor checks the whole list at deploy.
        ['netlify.app', 'https://sitewide.netlify.app'],
        ['github.io', 'https://sitewide.github.io'],
        ['herokuapp.com', 'https://sitewide.herokuapp.com'],
        ['com.au', 'https://api.example.com.au'],
        ['co.jp', 'https://api.example.co.jp'],
      ] as const
    ).map(([domain, authUrl]): [string, ConfigEnv, string] => [
      `public suffix ${domain}`,
      { ...base, AUTH_URL: authUrl, COOKIE_DOMAIN: domain, ALLOWED_ORIGINS: '' },
      `COOKIE_DOMAIN '${domain}' is a public suffix; browsers reject Domain= cookies there. Use a domain you own`,
    ]),
    [
      'a session longer than its cap',
      { ...base, SESSION_TOKEN_TTL: '60', SESSION_MAX_AGE: '200', SESSION_ABSOLUTE_MAX_AGE: '100' },
      'must not be longer than SESSION_ABSOLUTE_MAX_AGE',
    ],
    ['a cap past 400 days', { ...base, SESSION_ABSOLUTE_MAX_AGE: String(401 * 86400) }, 'at most 400 days'],
    ['short AUTH_SECRET', { ...base, AUTH_SECRET: 'short' }, 'AUTH_SECRET must be at least 32 characters'],
    ['missing Google secret', { ...base, AUTH_GOOGLE_SECRET: undefined }, 'AUTH_GOOGLE_SECRET is not set'],
    ['bad TTL', { ...base, SESSION_TOKEN_TTL: '10m' }, "SESSION_TOKEN_TTL '10m' must be a positive whole number"],
    ['TTL longer than the session', { ...base, SESSION_TOKEN_TTL: '100', SESSION_MAX_AGE: '50' }, 'must not be longer'],
    [
      'a bad slide interval',
      { ...base, SESSION_SLIDE_INTERVAL: '1d' },
      "SESSION_SLIDE_INTERVAL '1d' must be a positive",
    ],
    [
      'a slide interval as long as the idle lifetime',
      { ...base, SESSION_SLIDE_INTERVAL: '2592000' },
      'SESSION_SLIDE_INTERVAL must be shorter than SESSION_MAX_AGE',
    ],
  ];
  for (const [name, input, message] of bad) {
    it(`refuses ${name}`, () => expect(() => parseConfig(input)).toThrow(message));
  }
});

async function fetchWith(overrides: Record<string, string>, path = '/health') {
  const app = createApp();
  const res = await app.fetch(
    new Request(`https://api.example.test${path}`),
    { ...env, ...overrides },
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
}

describe('a misconfigured Worker answers every request with 500 misconfigured', () => {
  it('cookie domain that does not contain the API host', async () => {
    expect(await fetchWith({ COOKIE_DOMAIN: 'other.test' }, '/api/me')).toEqual({
      status: 500,
      body: {
        error: {
          code: 'misconfigured',
          message:
            "AUTH_URL host 'api.example.test' is not inside COOKIE_DOMAIN 'other.test'; browsers would drop the cookie",
        },
      },
    });
  });

  const badKeys: Array<[string, string, string]> = [
    ['not JSON', '{oops', 'SESSION_SIGNING_KEYS is not valid JSON'],
    ['empty list', '[]', 'must be a non-empty JSON array'],
    [
      'an RSA key',
      JSON.stringify([{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'x', kid: 'r' }]),
      'must be an ES256 private key',
    ],
    [
      'a public key only',
      JSON.stringify([{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'p' }]),
      'must be an ES256 private key',
    ],
    [
      'a broken EC key',
      JSON.stringify([{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c', kid: 'z' }]),
      'cannot import',
    ],
  ];
  for (const [name, keys, message] of badKeys) {
    it(`signing keys: ${name}`, async () => {
      const { status, body } = await fetchWith({ SESSION_SIGNING_KEYS: keys });
      expect(status).toBe(500);
      expect(body.error.code).toBe('misconfigured');
      expect(body.error.message).toContain(message);
    });
  }

  it('the healthy Worker is not affected', async () => {
    expect((await exports.default.fetch('https://api.example.test/health')).status).toBe(200);
  });
});
