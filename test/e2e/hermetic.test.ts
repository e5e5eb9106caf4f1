import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { generateAuthSecret, generateSigningJwk } from '../../scripts/secrets.ts';
import { parseConfig } from '../../src/config/config';
import { signInFlow } from '../support/sign-in-flow';
import { childEnv } from './child-env.ts';
import { freePort, startSitewide } from './harness';
import { apiFetchFor } from './http';
import { copyProject, type ProjectCopy, ROOT } from './project-copy.ts';

// Neither a developer's .dev.vars, .env nor shell reaches a test run. After the walkthrough of
// docs/access.md, "Try it locally", a .dev.vars says ALLOWED_EMAIL_DOMAINS=example.test;
// here every [vars] name and secret is set to another valid value, in a .dev.vars and a .env
// beside a copy of wrangler.toml and in the environment, and still:
//   - vitest in workerd (test/hermetic-env.test.ts, test/sign-in.test.ts) passes, and
//   - the e2e harness's wrangler dev signs the test user in.

let copy: ProjectCopy;
let hostile: Record<string, string>;

beforeAll(async () => {
  copy = copyProject();
  hostile = {
    AUTH_URL: 'https://api.hostile.test',
    APP_URL: 'https://app.hostile.test/',
    COOKIE_DOMAIN: 'hostile.test',
    ALLOWED_ORIGINS: 'https://app.hostile.test',
    AUTH_GOOGLE_ID: 'hostile-client.apps.googleusercontent.com',
    AUTH_GOOGLE_ISSUER: 'https://issuer.hostile.test',
    SESSION_TOKEN_TTL: '120',
    SESSION_MAX_AGE: '3600',
    SESSION_ABSOLUTE_MAX_AGE: '7200',
    TOKEN_AUDIENCES: 'https://billing.hostile.test',
    ACCESS_TOKEN_TTL: '60',
    REVOCATION_POLL: '1',
    DIAGNOSE: 'off',
    SITE_NAME: 'Hostile Site',
    ALLOWED_EMAIL_DOMAINS: 'example.org',
    ALLOWED_EMAILS: 'someone@example.org',
    APP_ACCESS: '{"https://app.hostile.test":["admin"]}',
    AUTH_SECRET: generateAuthSecret(),
    AUTH_GOOGLE_SECRET: 'hostile-secret',
    SESSION_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]),
    // The Workspace link, switched on: a valid service account key (a fresh RSA key) and its settings.
    GOOGLE_SERVICE_ACCOUNT: JSON.stringify({
      type: 'service_account',
      client_email: 'sitewide@hostile.iam.gserviceaccount.com',
      client_id: '1234567890',
      private_key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }),
    }),
    GOOGLE_WORKSPACE_ADMIN: 'admin@hostile.test',
    GOOGLE_WORKSPACE_DOMAIN: 'hostile.test',
    GROUP_ROLES: '{"admins@hostile.test":["admin"]}',
    GATES: '{"https://wiki.hostile.test":{"roles":["admin"]}}',
    // Not in [vars]: wrangler drops them, and nothing may read them either.
    SESSION_DBS: '["DB"]',
    SESSION_SLIDE_INTERVAL: '60',
  };
  const lines = Object.entries(hostile).map(([k, v]) => `${k}='${v}'`);
  writeFileSync(join(copy.dir, '.dev.vars'), `${lines.join('\n')}\n`);
  writeFileSync(join(copy.dir, '.env'), `${lines.join('\n')}\n`);
});
afterAll(() => copy?.remove());

describe('a hostile .dev.vars, .env and environment change no test', () => {
  it('the hostile set covers every [vars] name and secret of wrangler.toml, and is itself a valid config', () => {
    const config = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') }, { hideWarnings: true });
    const names = [...Object.keys(config.vars), ...(config.secrets?.required ?? [])];
    expect(names.filter((name) => !(name in hostile))).toEqual([]);
    // SESSION_DBS=["DB"] is valid where DB is bound, as it is in the Worker.
    const db = { prepare: () => undefined };
    expect(() => parseConfig({ ...hostile, DB: db } as Parameters<typeof parseConfig>[0])).not.toThrow();
  });

  it('vitest in workerd: the Worker sees the pinned values, and the sign-in suite passes', async () => {
    const env = childEnv({
      ...hostile,
      CLOUDFLARE_ENV: 'production',
      CLOUDFLARE_INCLUDE_PROCESS_ENV: 'true',
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true',
    });
    const args = ['run', 'test/hermetic-env.test.ts', 'test/sign-in.test.ts', '--project', 'one-database'];
    const vitest = spawn('vitest', args, { cwd: copy.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    vitest.stdout.on('data', (chunk) => {
      output += chunk;
    });
    vitest.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => vitest.once('exit', resolve));
    expect(code, output.slice(-4000)).toBe(0);
    expect(output).toMatch(/Test Files .*2 passed/);
  }, 120_000);

  it("the e2e harness's wrangler dev: the test user signs in; the hostile values show nowhere", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, hostile, { CLOUDFLARE_ENV: 'production' });
    const origin = `http://localhost:${await freePort()}`;
    let sitewide: Awaited<ReturnType<typeof startSitewide>> | undefined;
    try {
      sitewide = await startSitewide({
        authUrl: origin,
        configPath: join(copy.dir, 'wrangler.toml'),
        vars: { APP_URL: `${origin}/api/me`, COOKIE_DOMAIN: 'localhost', ALLOWED_ORIGINS: origin },
      });
      const api = apiFetchFor(origin);
      const { jar, callback } = await signInFlow(
        api,
        origin,
        { sub: 'hermetic', email: 'hermetic@example.test' },
        {
          callbackUrl: `${origin}/api/me`,
        },
      );
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe(`${origin}/api/me`);
      const me = await api('/api/me', { jar });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { email: string }).email).toBe('hermetic@example.test');
      const page = await (await api('/auth/signin')).text();
      expect(page).toContain(`<title>Sign in to ${new URL(origin).host}</title>`);
    } finally {
      process.env = saved;
      await sitewide?.stop();
    }
  });
});
