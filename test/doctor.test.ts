import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type DoctorInput, diagnoseConfig, type Finding, formatFindings } from '../scripts/doctor-checks';

const good: DoctorInput['vars'] = {
  AUTH_URL: 'https://api.acme.dev',
  APP_URL: 'https://app.acme.dev/',
  COOKIE_DOMAIN: 'acme.dev',
  ALLOWED_ORIGINS: 'https://app.acme.dev,https://admin.acme.dev',
  AUTH_GOOGLE_ID: '1234-abc.apps.googleusercontent.com',
  AUTH_SECRET: 'k7Qw9zR2mX4pL8vN1cB6tY3uH5jD0fGs',
  AUTH_GOOGLE_SECRET: 'GOCSPX-secret',
  SESSION_SIGNING_KEYS: env.SESSION_SIGNING_KEYS,
  // A production config names who may sign in; without it the doctor warns (see "who may sign in").
  ALLOWED_EMAIL_DOMAINS: 'acme.dev',
};

async function doctor(vars: Partial<DoctorInput['vars']>, extra: Partial<DoctorInput> = {}) {
  return diagnoseConfig({ vars: { ...good, ...vars }, secretsKnown: true, ...extra });
}
const problems = (findings: Finding[]) => findings.filter((f) => f.verdict !== 'ok');

describe('npm run doctor', () => {
  it('a good production config: every line ok, with the Google redirect URI to register', async () => {
    const findings = await doctor({}, { routes: [{ pattern: 'api.acme.dev', custom_domain: true }] });
    expect(problems(findings)).toEqual([]);
    expect(formatFindings(findings)).toContain(
      '✓ Google OAuth client: register the redirect URI https://api.acme.dev/auth/callback/google and the JavaScript origin https://api.acme.dev',
    );
    expect(formatFindings(findings)).toContain(
      '__Secure-sitewide.session; Domain=acme.dev; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
    expect(findings.at(-1)).toEqual({
      verdict: 'ok',
      topic: 'Worker config',
      message: 'the Worker accepts this configuration',
    });
  });

  // Each misconfiguration of DESIGN.md §5, with its own message and fix.
  const cases: Array<[string, Partial<DoctorInput['vars']>, Partial<Finding>]> = [
    [
      'a public-suffix cookie domain',
      {
        AUTH_URL: 'https://sitewide.workers.dev',
        COOKIE_DOMAIN: 'workers.dev',
        ALLOWED_ORIGINS: '',
        APP_URL: 'https://sitewide.workers.dev/',
      },
      {
        verdict: 'fail',
        topic: 'COOKIE_DOMAIN',
        message: "'workers.dev' is a public suffix: browsers reject Domain=workers.dev cookies",
      },
    ],
    [
      'a public suffix only the full list knows (the Worker checks a short list; the doctor runs at deploy)',
      {
        AUTH_URL: 'https://sitewide.s3.amazonaws.com',
        COOKIE_DOMAIN: 's3.amazonaws.com',
        ALLOWED_ORIGINS: '',
        APP_URL: 'https://sitewide.s3.amazonaws.com/',
      },
      {
        verdict: 'fail',
        topic: 'COOKIE_DOMAIN',
        message: "'s3.amazonaws.com' is a public suffix: browsers reject Domain=s3.amazonaws.com cookies",
      },
    ],
    [
      'a public-suffix email domain',
      { ALLOWED_EMAIL_DOMAINS: 'blogspot.com' },
      {
        verdict: 'fail',
        topic: 'who may sign in',
        message: "ALLOWED_EMAIL_DOMAINS entry 'blogspot.com' is a public suffix, not one organisation's domain",
      },
    ],
    [
      'the API outside the cookie domain',
      { COOKIE_DOMAIN: 'acme.io' },
      {
        verdict: 'fail',
        topic: 'COOKIE_DOMAIN',
        message: "the API host api.acme.dev is not inside 'acme.io': browsers would drop the cookie",
        fix: 'Set COOKIE_DOMAIN=acme.dev',
      },
    ],
    [
      'a plain-http API',
      { AUTH_URL: 'http://api.acme.dev' },
      { verdict: 'fail', topic: 'AUTH_URL', message: 'http://api.acme.dev is plain http' },
    ],
    [
      'an app origin over http',
      { ALLOWED_ORIGINS: 'http://app.acme.dev' },
      { verdict: 'fail', topic: 'ALLOWED_ORIGINS', message: 'http://app.acme.dev is plain http' },
    ],
    [
      'an app origin on another site',
      { ALLOWED_ORIGINS: 'https://app.other.dev' },
      {
        verdict: 'fail',
        topic: 'ALLOWED_ORIGINS',
        message: 'https://app.other.dev is outside acme.dev: the cookie never reaches it and it is another site',
      },
    ],
    [
      'an app origin with a path',
      { ALLOWED_ORIGINS: 'https://app.acme.dev/home' },
      { verdict: 'fail', topic: 'ALLOWED_ORIGINS', message: "'https://app.acme.dev/home' is not a bare origin" },
    ],
    [
      'an app not allowed to call the API',
      { APP_URL: 'https://www.acme.dev/' },
      {
        verdict: 'warn',
        topic: 'APP_URL',
        message: 'https://www.acme.dev is not in ALLOWED_ORIGINS: that app cannot call the API with credentials',
      },
    ],
    [
      'a short AUTH_SECRET',
      { AUTH_SECRET: 'short' },
      { verdict: 'fail', topic: 'AUTH_SECRET', message: 'is shorter than 32 characters' },
    ],
    [
      'a guessable AUTH_SECRET',
      { AUTH_SECRET: 'a'.repeat(40) },
      { verdict: 'fail', topic: 'AUTH_SECRET', message: 'has almost no variety: it is guessable' },
    ],
    [
      'a missing Google secret',
      { AUTH_GOOGLE_SECRET: '' },
      { verdict: 'fail', topic: 'AUTH_GOOGLE_SECRET', message: 'is not set' },
    ],
    [
      'signing keys that do not parse',
      { SESSION_SIGNING_KEYS: 'not json' },
      {
        verdict: 'fail',
        topic: 'SESSION_SIGNING_KEYS',
        message: 'SESSION_SIGNING_KEYS is not valid JSON; expected a JSON array of private JWKs',
      },
    ],
    [
      'an RSA signing key',
      { SESSION_SIGNING_KEYS: JSON.stringify([{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'x', kid: 'r' }]) },
      { verdict: 'fail', topic: 'SESSION_SIGNING_KEYS' },
    ],
    [
      'a Google client id that is not one',
      { AUTH_GOOGLE_ID: 'my-app' },
      { verdict: 'warn', topic: 'AUTH_GOOGLE_ID', message: "'my-app' does not look like a Google client id" },
    ],
  ];
  for (const [name, vars, expected] of cases) {
    it(`catches ${name}`, async () => {
      const findings = await doctor(vars);
      expect(problems(findings)).toContainEqual(expect.objectContaining(expected));
    });
  }

  it('every failing config also fails the last line: what the Worker itself will decide', async () => {
    const findings = await doctor({ COOKIE_DOMAIN: 'acme.io' });
    expect(findings.at(-1)).toMatchObject({ verdict: 'fail', topic: 'Worker config' });
    expect(findings.at(-1)?.message).toContain('the Worker would answer 500 misconfigured');
  });

  it('a deployment without a custom-domain route for the API host', async () => {
    const findings = await doctor({}, { routes: [{ pattern: 'sitewide.acme.workers.dev' }] });
    expect(problems(findings)).toContainEqual(
      expect.objectContaining({ verdict: 'fail', topic: 'routes', message: 'no custom-domain route for api.acme.dev' }),
    );
  });

  it('production secrets it cannot see are a warning with the command to check them, not a pass', async () => {
    const findings = await diagnoseConfig({ vars: { ...good, AUTH_SECRET: undefined }, secretsKnown: false });
    expect(findings).toContainEqual(expect.objectContaining({ verdict: 'warn', topic: 'secrets' }));
    expect(findings.some((f) => f.topic === 'Worker config')).toBe(false);
  });

  it('plain-http localhost development: host-only cookie without the prefix', async () => {
    const findings = await doctor({
      AUTH_URL: 'http://localhost:8787',
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: 'http://localhost:8788',
      APP_URL: 'http://localhost:8788/',
      AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:8790',
    });
    expect(problems(findings)).toEqual([]);
    expect(formatFindings(findings)).toContain('sitewide.session, host-only, without Secure');
  });

  it('a deployment where anyone may sign in: one warning line', async () => {
    const findings = await doctor({ ALLOWED_EMAIL_DOMAINS: '', ALLOWED_EMAILS: '' });
    const lines = problems(findings).filter((f) => f.topic === 'who may sign in');
    expect(lines).toEqual([
      {
        verdict: 'warn',
        topic: 'who may sign in',
        message: 'ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty: any Google account in the world may sign in',
        fix: 'Set ALLOWED_EMAIL_DOMAINS to your Google Workspace domain (or list addresses in ALLOWED_EMAILS)',
      },
    ]);
    expect(formatFindings(lines).split('\n')[0]).toBe(
      '! who may sign in: ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty: any Google account in the world may sign in',
    );
  });

  it('who may sign in: the listed domains, a count of addresses (never the addresses)', async () => {
    const findings = await doctor({ ALLOWED_EMAIL_DOMAINS: 'acme.dev,gmail.com', ALLOWED_EMAILS: 'ada@partner.dev' });
    const line = findings.find((f) => f.topic === 'who may sign in');
    expect(line).toEqual({
      verdict: 'ok',
      topic: 'who may sign in',
      message: 'accounts of acme.dev, gmail.com, 1 listed address(es), invited addresses',
    });
    expect(formatFindings(findings)).not.toContain('ada@partner.dev');
  });

  it('a bad policy entry fails the Worker config line with the config message', async () => {
    const findings = await doctor({ ALLOWED_EMAIL_DOMAINS: '@acme.dev' });
    expect(findings.at(-1)?.message).toContain("ALLOWED_EMAIL_DOMAINS entry '@acme.dev' must be a domain");
  });

  it('plain-http localhost development where anyone may sign in: no warning', async () => {
    const findings = await doctor({
      AUTH_URL: 'http://localhost:8787',
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: 'http://localhost:8788',
      APP_URL: 'http://localhost:8788/',
      ALLOWED_EMAIL_DOMAINS: '',
    });
    expect(findings.some((f) => f.topic === 'who may sign in')).toBe(false);
  });
});
