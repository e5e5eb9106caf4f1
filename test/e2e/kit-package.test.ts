import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSitewide, startFakeSitewide } from '../../packages/verify/test/fake-sitewide.ts';
import { cleanEnv, NAVIGATION, rawGet, startExample } from './examples';

// @sitewide/verify as a sibling team gets it (issue 22, "not publishable as it stands"): the
// tarball `npm pack` makes, installed into an empty project outside this repository (its
// dependencies from the npm cache, else the registry), with nothing but Node and npm on PATH.
// The examples are copied there and started with `npm start`, on the system's Node 20 and on the
// project's Node 24, against the kit's stand-in Sitewide (which counts refreshes exactly).

const ROOT = resolve(import.meta.dirname, '..', '..');
const KIT = join(ROOT, 'packages', 'verify');
const BIN = join(ROOT, 'node_modules', '.bin');
/** The system's Node (20 here) and the project's (24, node_modules/.bin/node), each first on PATH. */
const NODE_20_PATH = '/usr/bin:/bin';
const NODE_24_PATH = `${BIN}:/usr/bin:/bin`;

let dir: string;
let tarball: string;
let project: string;
let installLog: string;
let fake: FakeSitewide;

function run(command: string, args: string[], cwd: string, path = NODE_20_PATH): string {
  const out = spawnSync(command, args, { cwd, env: cleanEnv(path), encoding: 'utf8' });
  const log = `${out.stdout}${out.stderr}`;
  if (out.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${out.status}:\n${log}`);
  return log;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sitewide-kit-package-'));
  // npm pack runs `prepack` (the build) here, on the publisher's machine.
  const packed = run('npm', ['pack', '--pack-destination', dir, '--silent'], KIT, NODE_24_PATH);
  tarball = join(dir, packed.trim().split('\n').at(-1) ?? '');
  project = join(dir, 'sibling');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'sibling',
      private: true,
      type: 'module',
      dependencies: {
        '@sitewide/verify': `file:${tarball}`,
        express: '^5.3.0',
        hono: '^4.13.19',
        '@hono/node-server': '^2.1.8',
        '@types/express': '^5.0.6',
      },
    }),
  );
  installLog = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
  cpSync(join(ROOT, 'examples', 'express-verifier'), join(project, 'express-verifier'), { recursive: true });
  cpSync(join(ROOT, 'examples', 'hono-sibling'), join(project, 'hono-sibling'), { recursive: true });
  fake = await startFakeSitewide();
}, 180_000);

afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships dist (ESM + declarations), src for the maps, README, LICENSE, CHANGELOG; no tests; 1.0.0, MIT, Node >= 20', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/express.js', 'dist/hono.js', 'dist/browser.js']) {
      expect(files).toContain(`package/${file}`);
    }
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json'])
      expect(files).toContain(`package/${file}`);
    expect(files.filter((f) => /test|tsconfig|\.tgz$/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(project, 'node_modules/@sitewide/verify/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ version: '1.0.0', license: 'MIT', type: 'module', engines: { node: '>=20' } });
    expect(manifest.repository).toMatchObject({ type: 'git', directory: 'packages/verify' });
    // A package we publish needs no install scripts.
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /install|prepare/.test(s))).toEqual([]);
  });

  it('installs into an empty project with no install-script warning (main: "prepare: tsc -p tsconfig.json")', () => {
    expect(installLog).not.toMatch(/install-scripts|prepare|EBADENGINE/i);
  });

  it('passes publint (strict) and attw (ESM-only profile) on the tarball; npm publish --dry-run only asks for a login', () => {
    run(join(BIN, 'publint'), ['--strict', join(project, 'node_modules/@sitewide/verify')], project, NODE_24_PATH);
    run(join(BIN, 'attw'), [tarball, '--profile', 'esm-only'], project, NODE_24_PATH);
    const publish = run('npm', ['publish', '--dry-run'], KIT, NODE_24_PATH);
    expect(publish).toContain('+ @sitewide/verify@1.0.0');
    expect(
      publish.split('\n').filter((l) => /^npm (warn|error|ERR)/i.test(l) && !/requires you to be logged in/.test(l)),
    ).toEqual([]);
  });

  it('imports in ESM on Node 20 and Node 24, and require() from CommonJS', () => {
    writeFileSync(
      join(project, 'check.mjs'),
      `import { createSitewideVerifier, errorBody } from '@sitewide/verify';
import { requireSitewideSession, optionalSitewideSession } from '@sitewide/verify/express';
import { sitewideSession, optionalSitewideSession as optionalHono } from '@sitewide/verify/hono';
import { sitewideFetch, signInUrl, signOut, signOutUrl } from '@sitewide/verify/browser';
const all = [createSitewideVerifier, errorBody, requireSitewideSession, optionalSitewideSession, sitewideSession, optionalHono, sitewideFetch, signInUrl, signOut, signOutUrl];
console.log(process.versions.node.split('.')[0], all.every((f) => typeof f === 'function'));
`,
    );
    writeFileSync(
      join(project, 'check.cjs'),
      `const { createSitewideVerifier } = require('@sitewide/verify');
console.log(process.versions.node.split('.')[0], typeof createSitewideVerifier);
`,
    );
    expect(run('node', ['check.mjs'], project, NODE_20_PATH).trim()).toBe('20 true');
    expect(run('node', ['check.mjs'], project, NODE_24_PATH).trim()).toBe('24 true');
    // require(esm): Node 20.19+ and 22.12+ (an ExperimentalWarning on 20).
    expect(run('node', ['check.cjs'], project, NODE_20_PATH)).toMatch(/^20 function$/m);
    expect(run('node', ['check.cjs'], project, NODE_24_PATH).trim()).toBe('24 function');
  });

  it('type-checks in TypeScript with moduleResolution node16 and bundler', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { createSitewideVerifier, type SitewideResult, sitewideClientToken } from '@sitewide/verify';
import { optionalSitewideSession, requireSitewideSession } from '@sitewide/verify/express';
import { sitewideSession, type SitewideVariables } from '@sitewide/verify/hono';
import { signOutUrl, sitewideFetch } from '@sitewide/verify/browser';
import express from 'express';
import { Hono } from 'hono';

const issuer = 'https://api.example.com';
const result: Promise<SitewideResult> = createSitewideVerifier({ issuer }).verify({ cookie: null });
const app = express();
app.get('/', optionalSitewideSession({ issuer }), (req, res) => { res.send(req.sitewide?.user?.email ?? 'nobody'); });
app.get('/api', requireSitewideSession({ issuer, onMissing: 'json', roles: ['admin'] }), (req, res) => { res.json(req.sitewide?.session?.id); });
app.get('/jobs', requireSitewideSession({ issuer, audience: 'jobs', allowClients: true }), (req, res) => { res.json(req.sitewide?.kind === 'client' ? req.sitewide.client.roles : req.sitewide?.user.id); });
const token: () => Promise<string> = sitewideClientToken({ issuer, clientId: 'id', clientSecret: 'secret', audience: 'jobs' });
const people: Promise<string | undefined> = createSitewideVerifier({ issuer }).verify({ cookie: null }).then((r) => (r.ok ? r.user.id : undefined));
const hono = new Hono<{ Variables: SitewideVariables }>().get('/', sitewideSession({ issuer, origin: 'https://app.example.com' }), (c) => c.text(c.var.sitewide?.user?.id ?? ''));
const page: Promise<Response> = sitewideFetch('/api', {}, { issuer });
export { app, hono, page, people, result, token };
export const out: string = signOutUrl(issuer, 'https://app.example.com/');
`,
    );
    const common = { strict: true, noEmit: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
    for (const [name, options] of [
      ['node16', { module: 'node16', moduleResolution: 'node16' }],
      ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ] as const) {
      const config = join(project, `tsconfig.${name}.json`);
      writeFileSync(config, JSON.stringify({ compilerOptions: { ...common, ...options }, files: ['consumer.ts'] }));
      run(join(BIN, 'tsc'), ['-p', config], project, NODE_24_PATH);
    }
  });
});

describe.each([
  ['Node 20', NODE_20_PATH, '20'],
  ['Node 24', NODE_24_PATH, '24'],
])('the examples, installed from the tarball, started with npm start on %s', (_name, path, major) => {
  it.each([
    ['express-verifier', '/whoami', '/account'],
    ['hono-sibling', '/api/whoami', '/account'],
  ])(
    '%s: verifies, renews a 40-request burst once, redirects a page navigation to sign-in',
    async (example, api, pageUrl) => {
      const running = await startExample({
        dir: join(project, example),
        env: { SITEWIDE_ISSUER: fake.issuer },
        outside: { path },
      });
      try {
        expect(running.log()).toContain(`(Node ${major}.`);
        const cookie = (token: string) => ({ cookie: `${fake.cookieName}=${token}` });
        const fresh = await fetch(`${running.url}${api}`, {
          headers: cookie(await fake.sign({ email: 'a@example.test' })),
        });
        expect(fresh.status).toBe(200);
        expect(fresh.headers.get('cache-control')).toBe('private, no-store');

        fake.refreshCookies.length = 0;
        fake.refreshDelayMs = 50;
        fake.refresh = {
          status: 200,
          body: {
            user: { id: 'user-1', roles: [] },
            session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' },
          },
          setCookie: [`${fake.cookieName}=renewed; Path=/; HttpOnly; Secure`],
        };
        const expired = await fake.sign({}, { expiresIn: -30, sid: `${example}-${major}` });
        const burst = await Promise.all(
          Array.from({ length: 40 }, () => fetch(`${running.url}${api}`, { headers: cookie(expired) })),
        );
        expect(burst.map((r) => r.status)).toEqual(Array(40).fill(200));
        expect(fake.refreshCookies).toHaveLength(1);

        const navigation = await rawGet(`${running.url}${pageUrl}`, NAVIGATION);
        expect(navigation.status).toBe(302);
        expect(navigation.headers.get('location')).toBe(
          `${fake.issuer}/auth/signin?callbackUrl=${encodeURIComponent(`${running.url}${pageUrl}`)}`,
        );
      } finally {
        await running.stop();
      }
    },
  );
});
