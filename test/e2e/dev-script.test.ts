import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canListen } from '../../scripts/dev-ports.ts';
import { freePort } from '../../scripts/process-group.ts';
import { generateAuthSecret, generateSigningJwk } from '../../scripts/secrets.ts';
import { signInFlow } from '../support/sign-in-flow';
import { type DevRun, runDev } from './dev-runner.ts';
import { apiFetchFor } from './http';
import { copyProject, type ProjectCopy, processesMarked } from './project-copy.ts';

// `npm run dev` as a newcomer runs it (scripts/dev.ts), in a copy of the project so that its
// .dev.vars and .wrangler/ are the test's own, on free ports given by flags.

let copy: ProjectCopy;
let run: DevRun | undefined;
let blocker: Server | undefined;

beforeAll(() => {
  copy = copyProject();
});
afterEach(async () => {
  run?.cleanup();
  run = undefined;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});
afterAll(() => copy?.remove());

/** The API, the demo app, the Google stand-in and the gated docs app, each on a free port. */
async function fourPorts(): Promise<[number, number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  return [...ports] as [number, number, number, number];
}
const flags = ([api, app, idp, docs]: number[]) => [
  ...['--port', `${api}`, '--app-port', `${app}`],
  ...['--idp-port', `${idp}`, '--docs-port', `${docs}`],
];

async function writeDevVars(extra: string[] = []) {
  const lines = [
    `AUTH_SECRET=${generateAuthSecret()}`,
    'AUTH_GOOGLE_SECRET=any',
    `SESSION_SIGNING_KEYS='${JSON.stringify([await generateSigningJwk()])}'`,
    ...extra,
  ];
  writeFileSync(join(copy.dir, '.dev.vars'), `${lines.join('\n')}\n`);
}

/** Nothing of the run is alive and none of its ports is taken. */
async function expectNothingLeft(devRun: DevRun, ports: number[]) {
  expect(processesMarked(devRun.mark)).toEqual([]);
  for (const port of ports) expect(await canListen(port), `port ${port} is free`).toBe(true);
}

describe('npm run dev refuses to start what cannot work, and says why', () => {
  it('a COOKIE_DOMAIN the API is not inside: exit 1, the doctor line and its fix, nothing started', async () => {
    await writeDevVars(['COOKIE_DOMAIN=example.com']);
    const ports = await fourPorts();
    run = runDev(copy.dir, flags(ports));
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain(
      "✗ COOKIE_DOMAIN: the API host localhost is not inside 'example.com': browsers would drop the cookie",
    );
    expect(out).toContain('    → Set COOKIE_DOMAIN=localhost');
    expect(out).toContain('Settings: wrangler.toml [vars]; .dev.vars sets COOKIE_DOMAIN.');
    expect(out).not.toContain('Open the demo app');
    expect(out).not.toMatch(/⛅️|Ready on|migrate:/);
    await expectNothingLeft(run, ports);
  });

  it('an empty AUTH_SECRET line: the fix names npm run dev; a missing line is written afresh', async () => {
    await writeDevVars();
    const ports = await fourPorts();
    writeFileSync(join(copy.dir, '.dev.vars'), 'AUTH_SECRET=\n');
    run = runDev(copy.dir, flags(ports));
    expect(await run.exited).toBe(1);
    const out = run.output();
    expect(out).toContain('added a fresh AUTH_GOOGLE_SECRET, SESSION_SIGNING_KEYS to .dev.vars');
    expect(out).toContain(
      '✗ AUTH_SECRET: is not set\n    → Delete the AUTH_SECRET line from .dev.vars and run npm run dev: it writes a fresh one',
    );
    await expectNothingLeft(run, ports);
  });

  it('a busy port: one line naming it and the flag that moves it; nothing started', async () => {
    await writeDevVars();
    const ports = await fourPorts();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(ports[1], '127.0.0.1', resolve));
    run = runDev(copy.dir, flags(ports));
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^Port ${ports[1]} is in use, so the demo app cannot start there: stop what listens on it, or move it with \`npm run dev -- --app-port (\\d+)\` \\(or SITEWIDE_APP_PORT=\\1\\)\\.$`,
      ),
    );
    expect(lines[1]).toBe('Nothing was started.');
    expect(processesMarked(run.mark)).toEqual([]);
    for (const port of [ports[0], ports[2]]) expect(await canListen(port)).toBe(true);
  });

  it('the API port busy, chosen by SITEWIDE_PORT: the message names --port', async () => {
    await writeDevVars();
    const [api, app, idp, docs] = await fourPorts();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(api, '127.0.0.1', resolve));
    run = runDev(copy.dir, [], {
      SITEWIDE_PORT: `${api}`,
      SITEWIDE_APP_PORT: `${app}`,
      SITEWIDE_IDP_PORT: `${idp}`,
      SITEWIDE_DOCS_PORT: `${docs}`,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      new RegExp(`^Port ${api} is in use, so the API \\(wrangler dev\\) cannot start there: .* --port \\d+\``),
    );
    await expectNothingLeft(run, [app, idp, docs]);
  });
});

describe('npm run dev on ports of your choice', () => {
  it('--port/--app-port/--idp-port: the summary, a sign-in through the moved OIDC server to /api/me, Ctrl-C stops it all', async () => {
    rmSync(join(copy.dir, '.dev.vars'), { force: true });
    const ports = await fourPorts();
    const [api, app, idp, docs] = ports;
    const apiOrigin = `http://localhost:${api}`;
    const docsOrigin = `http://localhost:${docs}`;
    const appOrigin = `http://localhost:${app}`;
    run = runDev(copy.dir, flags(ports));
    await run.waitFor(`Open the demo app: ${appOrigin}/`);
    const out = run.output();
    expect(out).toContain('created .dev.vars with fresh AUTH_SECRET and SESSION_SIGNING_KEYS');
    expect(out).toContain(`  API               ${apiOrigin}  (wrangler dev; its request log follows)`);
    expect(out).toContain(`  Google stand-in   http://127.0.0.1:${idp}  (signs you in as Dev User <dev@example.test>`);
    expect(out).toContain(`  gated app         ${docsOrigin}/  (a docs page behind the login: GATES, docs/gate.md)`);
    expect(out).toContain('  who may sign in   anyone (ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty)');
    expect(out).toMatch(/ {2}D1 {16}(applied \d+ migration\(s\) to DB|DB up to date)\n/);
    expect(out).not.toMatch(/ENOTFOUND|Migrations to be applied|⛅️/);
    // The summary is short: the URL to open is within the first 15 lines.
    expect(out.split('\n').findIndex((l) => l.startsWith('Open the demo app'))).toBeLessThan(15);

    // The demo app points at the moved API; the sign-in goes through the OIDC server on --idp-port
    // and lands on the demo app's origin (ALLOWED_ORIGINS and APP_URL followed --app-port).
    const config = await fetch(`http://127.0.0.1:${app}/config.json`);
    expect(await config.json()).toEqual({ api: apiOrigin });
    const { jar, callback, authorizeUrl } = await signInFlow(
      apiFetchFor(apiOrigin),
      apiOrigin,
      { sub: 'moved-ports', email: 'moved@example.test' },
      { callbackUrl: `${appOrigin}/` },
    );
    expect(authorizeUrl.origin).toBe(`http://127.0.0.1:${idp}`);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${appOrigin}/`);
    const me = await fetch(`${apiOrigin}/api/me`, { headers: { cookie: jar.header(), origin: appOrigin } });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBe(appOrigin);
    expect(((await me.json()) as { email: string }).email).toBe('moved@example.test');

    // The gated docs app on --docs-port: signed out it sends a browser to sign in; signed in (the same
    // host-only localhost cookie) the gate forwards with the identity it checked, which the page verifies.
    const signedOut = await fetch(`${docsOrigin}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get('location')).toContain(`${apiOrigin}/auth/signin`);
    const who = await fetch(`${docsOrigin}/_sitewide/me`, { headers: { cookie: jar.header() } });
    expect(who.status).toBe(200);
    expect(((await who.json()) as { email: string }).email).toBe('moved@example.test');
    const page = await fetch(`${docsOrigin}/`, { headers: { cookie: jar.header() } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('verified with @sitewide/verify: moved@example.test');

    // Ctrl-C (SIGINT to dev.ts alone, as a terminal sends it): every server stops, nothing is left.
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    await expectNothingLeft(run, ports);
  });
});
