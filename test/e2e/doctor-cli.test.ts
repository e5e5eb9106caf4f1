import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAuthSecret, generateSigningJwk } from '../../scripts/secrets.ts';
import { childEnv } from './child-env.ts';
import { copyProject, type ProjectCopy, ROOT } from './project-copy.ts';

// `npm run doctor` on the committed wrangler.toml, as an operator runs it: production refuses every
// example value (so `npm run deploy`, which runs it first, stops before touching anything), and
// local development passes.

let copy: ProjectCopy;
/** An empty HOME: no saved wrangler login can reach Cloudflare from here, whatever the deploy step tries. */
let home: string;
beforeAll(() => {
  copy = copyProject();
  // The committed wrangler.toml, not the working tree's (a developer may have filled in [env.production]).
  writeFileSync(join(copy.dir, 'wrangler.toml'), execFileSync('git', ['show', 'HEAD:wrangler.toml'], { cwd: ROOT }));
  home = mkdtempSync(join(tmpdir(), 'sitewide-home-'));
});
afterAll(() => {
  copy?.remove();
  if (home) rmSync(home, { recursive: true, force: true });
});

function npm(args: string[], cwd: string) {
  const env = childEnv({ HOME: home });
  const run = spawnSync('npm', ['run', '--silent', ...args], { cwd, env, encoding: 'utf8' });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('npm run doctor on the committed wrangler.toml', () => {
  it('npm run deploy: the production doctor lists each placeholder with its fix, exit 1, nothing deployed', () => {
    // npm run deploy = npm run doctor -- --env production && migrate --remote && wrangler deploy.
    const { code, out } = npm(['deploy'], copy.dir);
    expect(code).toBe(1);
    expect(out).toContain('Sitewide doctor: [env.production] of wrangler.toml');
    const failures = out.split('\n').filter((line) => line.startsWith('✗'));
    expect(failures).toEqual([
      '✗ AUTH_URL: api.example.com is the example placeholder',
      '✗ COOKIE_DOMAIN: example.com is the example placeholder',
      '✗ ALLOWED_ORIGINS: app.example.com is the example placeholder',
      '✗ APP_URL: app.example.com is the example placeholder',
      "✗ AUTH_GOOGLE_ID: 'your-client-id.apps.googleusercontent.com' is the example placeholder",
      "✗ who may sign in: ALLOWED_EMAIL_DOMAINS entry 'example.com' is the example placeholder: no Google account belongs to it",
      '✗ routes: api.example.com is the example placeholder',
      '✗ D1: DB: database_id is the placeholder (all zeros)',
    ]);
    // Each failure is followed by its fix.
    const lines = out.split('\n');
    for (const failure of failures) expect(lines[lines.indexOf(failure) + 1]).toMatch(/^ {4}→ \S/);
    expect(out).toContain(
      '    → Run `npx wrangler d1 create sitewide` and put its database_id on binding "DB" under [[env.production.d1_databases]]',
    );
    expect(out).toContain('8 problem(s) will stop sign-in');
    expect(out).not.toMatch(/migrate:|Uploaded|wrangler deploy/);
  });

  it('local development (no --env): the committed [vars] with fresh .dev.vars secrets pass', async () => {
    const devVars = [
      `AUTH_SECRET=${generateAuthSecret()}`,
      'AUTH_GOOGLE_SECRET=any',
      `SESSION_SIGNING_KEYS='${JSON.stringify([await generateSigningJwk()])}'`,
    ];
    writeFileSync(join(copy.dir, '.dev.vars'), `${devVars.join('\n')}\n`);
    const { code, out } = npm(['doctor'], copy.dir);
    expect(code, out).toBe(0);
    expect(out).toContain('Sitewide doctor: local development of wrangler.toml with secrets from .dev.vars');
    expect(out).not.toContain('✗');
    expect(out).toContain('✓ Worker config: the Worker accepts this configuration');
  });
});
