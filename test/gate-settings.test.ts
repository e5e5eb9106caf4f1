// GATES (src/gate/settings.ts): validated like every setting, and a bad one answers every request,
// a gated host's included, with 500 misconfigured: a gated app is never reached half-configured.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../src/config/config';
import type { ConfigEnv } from '../src/config/env';
import { ECHO_ORIGIN, gateWith } from './support/gate';

const base: ConfigEnv = {
  AUTH_URL: 'https://api.example.com',
  APP_URL: 'https://app.example.com/',
  COOKIE_DOMAIN: 'example.com',
  ALLOWED_ORIGINS: 'https://app.example.com',
  AUTH_SECRET: 'x'.repeat(32),
  AUTH_GOOGLE_ID: 'id',
  AUTH_GOOGLE_SECRET: 'secret',
  SESSION_SIGNING_KEYS: '[]',
};
const WIKI = 'https://wiki.example.com';
const gates = (value: unknown) =>
  parseConfig({ ...base, GATES: typeof value === 'string' ? value : JSON.stringify(value) });

function refusal(value: unknown, env: Partial<ConfigEnv> = {}): string {
  try {
    parseConfig({ ...base, ...env, GATES: typeof value === 'string' ? value : JSON.stringify(value) });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`GATES ${JSON.stringify(value)} was accepted`);
}

describe('GATES', () => {
  it('unset or empty: no gates', () => {
    expect(parseConfig(base).gates.size).toBe(0);
    expect(gates('').gates.size).toBe(0);
    expect(gates('  ').gates.size).toBe(0);
  });

  it('an entry with defaults: every signed-in user, no public path, the route’s own origin, Sitewide-* headers', () => {
    const config = gates({ [`${WIKI}/`]: {} });
    expect(config.gates.get(WIKI)).toEqual({
      origin: WIKI,
      host: 'wiki.example.com',
      roles: undefined,
      publicPaths: { exact: new Set(), prefixes: [] },
      upstream: undefined,
      headers: 'sitewide',
    });
  });

  it('a gated origin is an allowed origin (redirects, CORS, CSRF) and may be an APP_ACCESS key, whose roles it takes', () => {
    const config = parseConfig({
      ...base,
      GATES: JSON.stringify({ [WIKI]: {}, 'https://grafana.example.com': { roles: ['ops', 'ops'] } }),
      APP_ACCESS: JSON.stringify({ [WIKI]: ['staff'] }),
    });
    expect([...config.allowedOrigins]).toEqual(['https://app.example.com', WIKI, 'https://grafana.example.com']);
    expect(config.gates.get(WIKI)?.roles).toEqual(['staff']);
    expect(config.gates.get('https://grafana.example.com')?.roles).toEqual(['ops']);
  });

  it('takes every field, and a TOML table as wrangler binds it (an object)', () => {
    const config = parseConfig({
      ...base,
      GATES: {
        [WIKI]: {
          roles: ['staff'],
          public: ['/healthz', '/assets/*'],
          origin: 'https://wiki-origin.example.net',
          headers: 'cloudflare-access',
        },
      } as unknown as string,
    });
    expect(config.gates.get(WIKI)).toMatchObject({
      roles: ['staff'],
      publicPaths: { exact: new Set(['/healthz']), prefixes: ['/assets/'] },
      upstream: 'https://wiki-origin.example.net',
      headers: 'cloudflare-access',
    });
  });

  it('http only for localhost, as ALLOWED_ORIGINS', () => {
    const local = parseConfig({
      ...base,
      AUTH_URL: 'http://localhost:8787',
      APP_URL: 'http://localhost:8788/',
      ALLOWED_ORIGINS: 'http://localhost:8788',
      COOKIE_DOMAIN: 'localhost',
      GATES: JSON.stringify({ 'http://localhost:8789': { origin: 'http://127.0.0.1:8791' } }),
    });
    expect(local.gates.get('http://localhost:8789')?.upstream).toBe('http://127.0.0.1:8791');
  });

  it.each([
    ['not JSON', '{', /GATES is not JSON/],
    ['an array', ['https://wiki.example.com'], /GATES must be a JSON object/],
    ['a key that is not a URL', { wiki: {} }, /GATES key 'wiki' is not a URL/],
    ['a key with a path', { [`${WIKI}/docs`]: {} }, /must be a bare http\(s\) origin/],
    ['plain http', { 'http://wiki.example.com': {} }, /must be https \(plain http is only for localhost\)/],
    ['outside COOKIE_DOMAIN', { 'https://wiki.example.net': {} }, /outside COOKIE_DOMAIN 'example.com'/],
    ['the API itself', { 'https://api.example.com': {} }, /is the API itself/],
    ['an entry that is not an object', { [WIKI]: ['staff'] }, /must be an object/],
    ['an unknown field', { [WIKI]: { role: ['staff'] } }, /unknown field 'role'/],
    ['empty roles', { [WIKI]: { roles: [] } }, /roles must list at least one role name/],
    ['a bad role name', { [WIKI]: { roles: ['Staff'] } }, /roles must list/],
    ['public not a list', { [WIKI]: { public: '/healthz' } }, /public must be a list of paths/],
    ['a relative public path', { [WIKI]: { public: ['healthz'] } }, /public path 'healthz'/],
    ['a wildcard inside', { [WIKI]: { public: ['/assets/*.css'] } }, /public path/],
    ['a dot segment', { [WIKI]: { public: ['/assets/../admin'] } }, /public path/],
    ['a percent', { [WIKI]: { public: ['/a%2fb'] } }, /public path/],
    ['the gate’s own paths', { [WIKI]: { public: ['/_sitewide/*'] } }, /not under \/_sitewide/],
    ['an origin that is not a URL', { [WIKI]: { origin: 'wiki-origin' } }, /origin 'wiki-origin' is not a URL/],
    ['an origin over plain http', { [WIKI]: { origin: 'http://10.0.0.5:3000' } }, /must be https/],
    ['an origin with a path', { [WIKI]: { origin: 'https://o.example.net/x' } }, /bare http\(s\) origin/],
    ['the API as origin', { [WIKI]: { origin: 'https://api.example.com' } }, /is the API itself/],
    [
      'another gate as origin',
      { [WIKI]: { origin: 'https://docs.example.com' }, 'https://docs.example.com': {} },
      /is itself gated/,
    ],
    [
      'unknown header names',
      { [WIKI]: { headers: 'oauth2-proxy' } },
      /headers must be "sitewide" \(default\) or "cloudflare-access"/,
    ],
  ])('refuses %s', (_, value, message) => {
    expect(refusal(value)).toMatch(message);
  });

  it('a misconfigured GATES answers every request, a gated host included, with 500 misconfigured', async () => {
    const broken = gateWith({
      GATES: JSON.stringify({ 'https://wiki.example.test': { origin: ECHO_ORIGIN, roles: [] } }),
    });
    for (const url of ['https://wiki.example.test/', 'https://api.example.test/api/me']) {
      const res = await broken(url);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        error: {
          code: 'misconfigured',
          message: expect.stringContaining("GATES 'https://wiki.example.test' roles must list"),
        },
      });
    }
  });
  it('a setting that breaks the parser itself (a number where wrangler binds text) answers JSON on every host, never the runtime page', async () => {
    const broken = gateWith({ COOKIE_DOMAIN: 42 as unknown as string });
    for (const url of ['https://wiki.example.test/', 'https://api.example.test/api/me']) {
      const res = await broken(url);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    }
  });
});
