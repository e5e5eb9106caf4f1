import { describe, expect, it } from 'vitest';
import { condense } from '../../scripts/dev-migrations.ts';
import { parseDevOptions } from '../../scripts/dev-options.ts';
import { isOfflineNoise } from '../../scripts/dev-output.ts';
import { devSettings, settingLines } from '../../scripts/dev-settings.ts';

// The pure parts of `npm run dev` (scripts/dev-*.ts), on Node; test/e2e/dev-script.test.ts runs the whole.

describe('npm run dev options', () => {
  it('defaults, environment variables, and flags winning over them', () => {
    expect(parseDevOptions([], {})).toEqual({
      https: false,
      ports: { api: 8787, app: 8788, idp: 8790, docs: 8789 },
    });
    expect(parseDevOptions([], { SITEWIDE_PORT: '9000', SITEWIDE_IDP_PORT: '9002' })).toEqual({
      https: false,
      ports: { api: 9000, app: 8788, idp: 9002, docs: 8789 },
    });
    expect(
      parseDevOptions(['--https', '--port', '9100', '--app-port=9101', '--docs-port', '9103'], {
        SITEWIDE_PORT: '9000',
      }),
    ).toEqual({
      https: true,
      ports: { api: 9100, app: 9101, idp: 8790, docs: 9103 },
    });
  });

  it('a bad port, a shared port or an unknown flag: one message with the usage', () => {
    expect(parseDevOptions(['--port', '80x'], {})).toMatch(
      /^--port '80x' is not a port \(1-65535\)\nusage: npm run dev/,
    );
    expect(parseDevOptions([], { SITEWIDE_APP_PORT: '70000' })).toMatch(/^SITEWIDE_APP_PORT '70000' is not a port/);
    expect(parseDevOptions(['--app-port', '8787'], {})).toBe(
      'the API (wrangler dev) and the demo app cannot share port 8787: give --app-port another one',
    );
    expect(parseDevOptions(['--prot', '1'], {})).toMatch(/Unknown option '--prot'/);
  });
});

describe('npm run dev settings: what follows the ports', () => {
  const toml = {
    AUTH_URL: 'http://localhost:8787',
    ALLOWED_ORIGINS: 'http://localhost:8788',
    COOKIE_DOMAIN: 'localhost',
  };
  const moved = { https: false, ports: { api: 9100, app: 9101, idp: 9102, docs: 9103 } };

  it('AUTH_URL, APP_URL, ALLOWED_ORIGINS and AUTH_GOOGLE_ISSUER follow; .dev.vars origins of your own are kept', () => {
    const s = devSettings(moved, toml, {
      ALLOWED_ORIGINS: 'http://localhost:8788,http://localhost:3001',
      AUTH_URL: 'x',
    });
    expect(s.cliVars).toEqual({
      AUTH_URL: 'http://localhost:9100',
      APP_URL: 'http://localhost:9101/',
      ALLOWED_ORIGINS: 'http://localhost:9101,http://localhost:3001',
      AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:9102',
    });
    expect(s.effective).toMatchObject({ ...s.cliVars, COOKIE_DOMAIN: 'localhost' });
    expect(settingLines(s, { ALLOWED_ORIGINS: 'x', AUTH_URL: 'x', ALLOWED_EMAIL_DOMAINS: 'example.test' })).toEqual([
      ['who may sign in', 'anyone (ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty)'],
      ['roles', 'APP_ACCESS is empty: no app requires a role (grant with npm run admin -- roles grant EMAIL ROLE)'],
      [
        'settings',
        'wrangler.toml [vars]; .dev.vars sets ALLOWED_ORIGINS, ALLOWED_EMAIL_DOMAINS; .dev.vars AUTH_URL ignored: npm run dev sets them from the ports',
      ],
    ]);
  });

  it('--https: the test domain, its cookie domain', () => {
    const s = devSettings({ ...moved, https: true }, toml, {});
    expect(s.cliVars).toEqual({
      AUTH_URL: 'https://api.example.test:9100',
      APP_URL: 'https://app.example.test:9101/',
      ALLOWED_ORIGINS: 'https://app.example.test:9101',
      AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:9102',
      COOKIE_DOMAIN: 'example.test',
    });
  });
});

describe('npm run dev output', () => {
  it('drops the offline lookups of Cloudflare endpoints, keeps everything else', () => {
    expect(isOfflineNoise('Error: getaddrinfo ENOTFOUND workers.cloudflare.com')).toBe(true);
    expect(isOfflineNoise('    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:123:26)')).toBe(true);
    expect(isOfflineNoise('[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back…')).toBe(true);
    expect(isOfflineNoise('[wrangler:info] GET /api/me 200 OK (5ms)')).toBe(false);
    expect(isOfflineNoise('✘ [ERROR] Build failed with 1 error')).toBe(false);
  });

  it('migrations in one phrase per database', () => {
    const applied =
      'migrate: DB\n ⛅️ wrangler\n? About to apply 5 migration(s)\n…\nmigrate: SESSIONS_0\n✅ No migrations to apply!\n';
    expect(condense(applied)).toBe('applied 5 migration(s) to DB, SESSIONS_0 up to date');
  });
});
