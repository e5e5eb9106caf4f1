import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  type Deployment,
  type DoctorInput,
  diagnoseConfig,
  type Finding,
  formatFindings,
} from '../scripts/doctor-checks';

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
/** A deployment of `good` (npm run doctor -- --env production): its route and a real D1 id. */
const deployment = (overrides: Partial<Deployment> = {}): Deployment => ({
  environment: 'production',
  routes: [{ pattern: 'api.acme.dev', custom_domain: true }],
  databases: [{ binding: 'DB', database_name: 'sitewide', database_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b' }],
  ...overrides,
});
const problems = (findings: Finding[]) => findings.filter((f) => f.verdict !== 'ok');

describe('npm run doctor', () => {
  it('a good production config: every line ok, with the Google redirect URI to register', async () => {
    const findings = await doctor({}, { deployment: deployment() });
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

  it('an ALLOWED_ORIGINS entry with a trailing slash (the Worker accepts it) still counts APP_URL in', async () => {
    const origins = `${good.ALLOWED_ORIGINS}`
      .split(',')
      .map((o) => `${o}/`)
      .join(',');
    const findings = await doctor({ ALLOWED_ORIGINS: origins }, { deployment: deployment() });
    expect(problems(findings)).toEqual([]);
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
    const findings = await doctor(
      {},
      { deployment: deployment({ routes: [{ pattern: 'sitewide.acme.workers.dev' }] }) },
    );
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

  it('https with a local stand-in for Google (npm run dev:https) where anyone may sign in: no warning', async () => {
    const findings = await doctor({ ALLOWED_EMAIL_DOMAINS: '', AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:8790' });
    expect(findings.some((f) => f.topic === 'who may sign in')).toBe(false);
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

describe('npm run doctor -- --env production: the examples of wrangler.toml are refused', () => {
  /** wrangler.toml's [env.production] as committed: every value an example. */
  const examples: Partial<DoctorInput['vars']> = {
    AUTH_URL: 'https://api.example.com',
    APP_URL: 'https://app.example.com/',
    COOKIE_DOMAIN: 'example.com',
    ALLOWED_ORIGINS: 'https://app.example.com',
    AUTH_GOOGLE_ID: 'your-client-id.apps.googleusercontent.com',
    ALLOWED_EMAIL_DOMAINS: 'example.com',
  };
  const zeros = '00000000-0000-0000-0000-000000000000';
  const committed = deployment({
    routes: [{ pattern: 'api.example.com', custom_domain: true }],
    databases: [
      { binding: 'DB', database_name: 'sitewide', database_id: zeros },
      { binding: 'SESSIONS_0', database_name: 'sitewide-sessions-0', database_id: zeros },
    ],
  });
  const failures = async (vars: Partial<DoctorInput['vars']>, d = committed) =>
    (await diagnoseConfig({ vars: { ...good, ...vars }, secretsKnown: false, deployment: d })).filter(
      (f) => f.verdict === 'fail',
    );

  it('each placeholder is a failure with its fix: hosts, routes, client id, D1 ids (session databases too)', async () => {
    expect(await failures(examples)).toEqual([
      {
        verdict: 'fail',
        topic: 'AUTH_URL',
        message: 'api.example.com is the example placeholder',
        fix: "Put your API's origin in AUTH_URL ([env.production.vars] of wrangler.toml)",
      },
      {
        verdict: 'fail',
        topic: 'COOKIE_DOMAIN',
        message: 'example.com is the example placeholder',
        fix: 'Put your registrable domain in COOKIE_DOMAIN ([env.production.vars] of wrangler.toml)',
      },
      {
        verdict: 'fail',
        topic: 'ALLOWED_ORIGINS',
        message: 'app.example.com is the example placeholder',
        fix: "Put your apps' origins in ALLOWED_ORIGINS ([env.production.vars] of wrangler.toml)",
      },
      {
        verdict: 'fail',
        topic: 'APP_URL',
        message: 'app.example.com is the example placeholder',
        fix: "Put your app's URL in APP_URL ([env.production.vars] of wrangler.toml)",
      },
      {
        verdict: 'fail',
        topic: 'AUTH_GOOGLE_ID',
        message: "'your-client-id.apps.googleusercontent.com' is the example placeholder",
        fix: 'Create an OAuth client (Web application) in the Google Cloud console and put its client id in AUTH_GOOGLE_ID ([env.production.vars] of wrangler.toml)',
      },
      {
        verdict: 'fail',
        topic: 'who may sign in',
        message:
          "ALLOWED_EMAIL_DOMAINS entry 'example.com' is the example placeholder: no Google account belongs to it",
        fix: 'Put your Google Workspace domain in ALLOWED_EMAIL_DOMAINS ([env.production.vars] of wrangler.toml)',
      },
      {
        verdict: 'fail',
        topic: 'routes',
        message: 'api.example.com is the example placeholder',
        fix: "Put your API's hostname in routes under [env.production] (and in AUTH_URL)",
      },
      {
        verdict: 'fail',
        topic: 'D1',
        message: 'DB: database_id is the placeholder (all zeros)',
        fix: 'Run `npx wrangler d1 create sitewide` and put its database_id on binding "DB" under [[env.production.d1_databases]]',
      },
      {
        verdict: 'fail',
        topic: 'D1',
        message: 'SESSIONS_0: database_id is the placeholder (all zeros)',
        fix: 'Run `npx wrangler d1 create sitewide-sessions-0` and put its database_id on binding "SESSIONS_0" under [[env.production.d1_databases]]',
      },
    ]);
  });

  it('a deployment of real values passes: a real D1 id is an ok line per database', async () => {
    const findings = await diagnoseConfig({ vars: good, secretsKnown: true, deployment: deployment() });
    expect(problems(findings)).toEqual([]);
    expect(findings).toContainEqual({
      verdict: 'ok',
      topic: 'D1',
      message: 'DB: database sitewide (6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b)',
    });
  });

  it('a missing database_id fails', async () => {
    const d = deployment({ databases: [{ binding: 'DB', database_name: 'sitewide' }] });
    expect(await failures({}, d)).toEqual([
      expect.objectContaining({ topic: 'D1', message: 'DB: database_id is missing' }),
    ]);
  });

  it('a loopback or plain-http sign-in issuer fails in a deployment; empty (Google) and an https issuer pass', async () => {
    const fix = 'Set AUTH_GOOGLE_ISSUER = "" under [env.production].vars (empty: Google)';
    const d = deployment();
    expect(await failures({ AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:8790' }, d)).toEqual([
      {
        verdict: 'fail',
        topic: 'AUTH_GOOGLE_ISSUER',
        message: 'http://127.0.0.1:8790 is not https: a deployment would sign in against a local stand-in',
        fix,
      },
    ]);
    expect(await failures({ AUTH_GOOGLE_ISSUER: 'https://localhost:8790' }, d)).toEqual([
      {
        verdict: 'fail',
        topic: 'AUTH_GOOGLE_ISSUER',
        message: 'https://localhost:8790 is a loopback address: a deployment would sign in against a local stand-in',
        fix,
      },
    ]);
    expect(await failures({ AUTH_GOOGLE_ISSUER: 'http://idp.acme.dev' }, d)).toHaveLength(1);
    expect(await failures({ AUTH_GOOGLE_ISSUER: '' }, d)).toEqual([]);
    expect(await failures({ AUTH_GOOGLE_ISSUER: 'https://idp.acme.dev' }, d)).toEqual([]);
  });

  it('local development keeps its loopback issuer and all-zero D1 id (no deployment checks)', async () => {
    const findings = await doctor({
      AUTH_URL: 'http://localhost:8787',
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: 'http://localhost:8788',
      APP_URL: 'http://localhost:8788/',
      AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:8790',
    });
    expect(problems(findings)).toEqual([]);
  });

  it("locally, example domains are fine to try (docs/access.md's walkthrough: ALLOWED_EMAIL_DOMAINS=example.org)", async () => {
    const findings = await doctor({
      AUTH_URL: 'http://localhost:8787',
      COOKIE_DOMAIN: 'localhost',
      ALLOWED_ORIGINS: 'http://localhost:8788',
      APP_URL: 'http://localhost:8788/',
      AUTH_GOOGLE_ISSUER: 'http://127.0.0.1:8790',
      ALLOWED_EMAIL_DOMAINS: 'example.org',
    });
    expect(problems(findings)).toEqual([]);
  });

  it('a missing secret names the command that makes one: npm run dev locally, keys:secrets for a deployment', async () => {
    const local = await doctor({ AUTH_SECRET: '', SESSION_SIGNING_KEYS: '' });
    expect(problems(local)).toContainEqual({
      verdict: 'fail',
      topic: 'AUTH_SECRET',
      message: 'is not set',
      fix: 'Delete the AUTH_SECRET line from .dev.vars and run npm run dev: it writes a fresh one',
    });
    expect(problems(local)).toContainEqual({
      verdict: 'fail',
      topic: 'SESSION_SIGNING_KEYS',
      message: 'is not set',
      fix: 'Delete the SESSION_SIGNING_KEYS line from .dev.vars and run npm run dev: it writes a fresh one',
    });
    const deployed = await doctor({ AUTH_SECRET: '' }, { deployment: deployment() });
    expect(problems(deployed)).toContainEqual({
      verdict: 'fail',
      topic: 'AUTH_SECRET',
      message: 'is not set',
      fix: 'npm run keys:secrets prints the command that sets a fresh AUTH_SECRET',
    });
  });
});
