import { describe, expect, it } from 'vitest';
import { type AdmissionClaims, type AdmissionPolicy, admit, refusalDetail } from '../src/access/admission';
import { landingFor, mayReach } from '../src/access/app-access';
import { admittedAccounts } from '../src/access/refusal';
import { parseConfig } from '../src/config/config';
import type { ConfigEnv } from '../src/config/env';

const policy = (domains: string[], emails: string[] = []): AdmissionPolicy => ({ domains, emails: new Set(emails) });
const claims = (email: string | null, hd: string | null = null, emailVerified = true): AdmissionClaims => ({
  email,
  emailVerified,
  hostedDomain: hd,
});

describe('admit (pure)', () => {
  const acme = policy(['acme.test', 'gmail.com'], ['pat@partner.test']);
  const cases: Array<[string, AdmissionClaims, AdmissionPolicy, boolean, ReturnType<typeof admit>]> = [
    ['nothing listed: anyone', claims(null, null, false), policy([]), false, { ok: true, by: 'open' }],
    [
      'Workspace hd equals a listed domain',
      claims('a@acme.test', 'acme.test'),
      acme,
      false,
      { ok: true, by: 'domain' },
    ],
    [
      'hd is what counts, not the spelling of the address',
      claims('a@acme-alias.test', 'acme.test'),
      acme,
      false,
      { ok: true, by: 'domain' },
    ],
    [
      'no hd on a Workspace domain',
      claims('a@acme.test'),
      acme,
      false,
      { ok: false, reason: 'hd_mismatch', emailDomain: 'acme.test' },
    ],
    [
      'another hd on a Workspace domain',
      claims('a@acme.test', 'evil.test'),
      acme,
      false,
      { ok: false, reason: 'hd_mismatch', emailDomain: 'acme.test' },
    ],
    ['gmail.com without hd', claims('A@GMAIL.COM'), acme, false, { ok: true, by: 'domain' }],
    [
      'gmail.com address with an hd (not a consumer account)',
      claims('a@gmail.com', 'gmail.com'),
      acme,
      false,
      { ok: false, reason: 'hd_mismatch', emailDomain: 'gmail.com' },
    ],
    ['a listed address, any case', claims('Pat@Partner.TEST'), acme, false, { ok: true, by: 'email' }],
    [
      'a listed address, unverified',
      claims('pat@partner.test', null, false),
      acme,
      true,
      { ok: false, reason: 'email_unverified', emailDomain: 'partner.test' },
    ],
    ['invited', claims('guest@else.test'), acme, true, { ok: true, by: 'invitation' }],
    [
      'not invited',
      claims('guest@else.test'),
      acme,
      false,
      { ok: false, reason: 'domain_not_allowed', emailDomain: 'else.test' },
    ],
    [
      'only addresses listed',
      claims('guest@else.test'),
      policy([], ['pat@partner.test']),
      false,
      { ok: false, reason: 'email_not_allowed', emailDomain: 'else.test' },
    ],
    ['no email', claims(null, 'acme.test'), acme, true, { ok: false, reason: 'email_missing', emailDomain: null }],
  ];
  for (const [name, input, p, invited, expected] of cases) {
    it(name, () => expect(admit(input, p, invited)).toEqual(expected));
  }

  it('the audit detail carries the domain, never the address', () => {
    const decision = admit(claims('someone@example.org'), acme, false);
    expect(decision.ok ? '' : refusalDetail(decision)).toBe('domain_not_allowed example.org');
    expect(refusalDetail({ ok: false, reason: 'email_missing', emailDomain: null })).toBe('email_missing');
  });

  it('the page names the domains, not the addresses', () => {
    expect(admittedAccounts(acme)).toBe(
      'This site admits Google Workspace accounts of acme.test and personal Google accounts (@gmail.com), and people it has invited.',
    );
    expect(admittedAccounts(policy([], ['pat@partner.test']))).toBe('This site admits only people it has invited.');
  });
});

describe('APP_ACCESS (pure)', () => {
  const access = new Map([['https://admin.example.test', ['admin', 'ops']]]);
  it('any one of the roles will do; unlisted keys are open', () => {
    expect(mayReach(access, 'https://admin.example.test', ['ops'])).toBe(true);
    expect(mayReach(access, 'https://admin.example.test', [])).toBe(false);
    expect(mayReach(access, 'https://app.example.test', [])).toBe(true);
  });
  it('the landing page falls back to APP_URL', () => {
    const config = { appAccess: access, appUrl: 'https://app.example.test/' };
    expect(landingFor('https://admin.example.test/x', [], config)).toBe('https://app.example.test/');
    expect(landingFor('https://admin.example.test/x', ['admin'], config)).toBe('https://admin.example.test/x');
  });
});

describe('config: ALLOWED_EMAIL_DOMAINS, ALLOWED_EMAILS, APP_ACCESS', () => {
  const base: ConfigEnv = {
    AUTH_URL: 'https://api.example.com',
    APP_URL: 'https://app.example.com/',
    COOKIE_DOMAIN: 'example.com',
    ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com',
    AUTH_SECRET: 'x'.repeat(32),
    AUTH_GOOGLE_ID: 'id',
    AUTH_GOOGLE_SECRET: 'secret',
    SESSION_SIGNING_KEYS: '[]',
    TOKEN_AUDIENCES: 'reports',
  };

  it('unset: anyone may sign in, every app open', () => {
    const config = parseConfig(base);
    expect(config.admission.domains).toEqual([]);
    expect(config.admission.emails.size).toBe(0);
    expect(config.appAccess.size).toBe(0);
  });

  it('lists are trimmed, lower-cased and deduplicated', () => {
    const config = parseConfig({
      ...base,
      ALLOWED_EMAIL_DOMAINS: ' Acme.com, acme.com,gmail.com ,',
      ALLOWED_EMAILS: 'Pat@Partner.com',
    });
    expect(config.admission.domains).toEqual(['acme.com', 'gmail.com']);
    expect([...config.admission.emails]).toEqual(['pat@partner.com']);
  });

  it('APP_ACCESS: origins (API, ALLOWED_ORIGINS) and audiences as keys, as JSON text or a TOML table', () => {
    const value = {
      'https://admin.example.com': ['admin'],
      reports: ['analyst', 'admin'],
      'https://api.example.com': ['x'],
    };
    expect(Object.fromEntries(parseConfig({ ...base, APP_ACCESS: JSON.stringify(value) }).appAccess)).toEqual(value);
    const table = { ...base, APP_ACCESS: value } as unknown as ConfigEnv;
    expect(parseConfig(table).appAccess.get('reports')).toEqual(['analyst', 'admin']);
  });

  const bad: Array<[string, ConfigEnv, string]> = [
    [
      'a domain with @',
      { ...base, ALLOWED_EMAIL_DOMAINS: '@acme.com' },
      "ALLOWED_EMAIL_DOMAINS entry '@acme.com' must be a domain",
    ],
    ['a URL as domain', { ...base, ALLOWED_EMAIL_DOMAINS: 'https://acme.com' }, 'must be a domain like example.com'],
    ['a wildcard', { ...base, ALLOWED_EMAIL_DOMAINS: '*.acme.com' }, 'no wildcard'],
    ['a public suffix', { ...base, ALLOWED_EMAIL_DOMAINS: 'co.uk' }, "'co.uk' is a public suffix"],
    [
      'an address without @',
      { ...base, ALLOWED_EMAILS: 'pat' },
      "ALLOWED_EMAILS entry 'pat' must be one email address",
    ],
    ['two @', { ...base, ALLOWED_EMAILS: 'a@b@c.com' }, 'must be one email address'],
    ['APP_ACCESS not JSON', { ...base, APP_ACCESS: '{admin}' }, 'APP_ACCESS is not JSON'],
    ['APP_ACCESS an array', { ...base, APP_ACCESS: '["admin"]' }, 'APP_ACCESS must be a JSON object'],
    [
      'APP_ACCESS an unknown origin',
      { ...base, APP_ACCESS: '{"https://evil.com":["admin"]}' },
      "APP_ACCESS key 'https://evil.com' is not the API origin, an ALLOWED_ORIGINS origin or a TOKEN_AUDIENCES audience",
    ],
    [
      'APP_ACCESS an origin with a trailing slash',
      { ...base, APP_ACCESS: '{"https://admin.example.com/":["admin"]}' },
      "APP_ACCESS key 'https://admin.example.com/'",
    ],
    [
      'APP_ACCESS no roles',
      { ...base, APP_ACCESS: '{"reports":[]}' },
      "APP_ACCESS 'reports' must list at least one role",
    ],
    [
      // npm run admin could never grant it: one rule for role names (ROLE_NAME).
      'APP_ACCESS an upper-case role name',
      { ...base, APP_ACCESS: '{"reports":["Admin"]}' },
      'lower-case letters, digits, _ . : -, starting with a letter',
    ],
    [
      'APP_ACCESS a role that is not a string',
      { ...base, APP_ACCESS: '{"reports":[1]}' },
      'must list at least one role',
    ],
    [
      'APP_ACCESS a string instead of a list',
      { ...base, APP_ACCESS: '{"reports":"admin"}' },
      'must list at least one role',
    ],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => parseConfig(env)).toThrow(message);
    });
  }
});
