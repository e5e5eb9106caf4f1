/**
 * docs/clients.md, proven end to end: a real Sitewide under wrangler dev; a service client made with
 * `npm run admin -- clients create` against its local D1; a token from one curl call (the line the
 * CLI prints); the token verified by a plain Node `jose` with nothing but Sitewide's JWKS; the
 * Express example (`npm start`, @sitewide/verify/express with allowClients on /reports) called by
 * its cron job (`npm run cron`: the kit's sitewideClientToken) until `clients revoke`, after which
 * the next calls are refused within seconds (401 session_revoked, then invalid_client).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGroup, stopGroup } from '../../scripts/process-group.ts';
import { runAdmin } from './admin-run.ts';
import { childEnv } from './child-env.ts';
import type { RunningExample } from './examples';
import { type RunningSitewide, startLocalhostSitewide } from './harness';
import { startExpressSibling } from './http';

const AUDIENCE = 'https://billing.example.test';
const ROOT = resolve(import.meta.dirname, '../..');
let sitewide: RunningSitewide;
let origin: string;
let backend: RunningExample;
let dir: string;

/** `npm run --silent admin -- ARGS` against the running Sitewide's local D1. */
const admin = (args: string[]) => runAdmin([...args, '--persist-to', sitewide.persistDir]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sitewide-e2e-clients-'));
  ({ sitewide, origin } = await startLocalhostSitewide(AUDIENCE));
  backend = await startExpressSibling(origin, AUDIENCE);
});

afterAll(async () => {
  await backend?.stop();
  await sitewide?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a cron job as a service client', () => {
  it('one curl call gets a token; any backend verifies it with the JWKS alone; the kit’s cron job is refused within seconds of clients revoke', async () => {
    const created = await admin([
      'clients',
      'create',
      'nightly report',
      '--audience',
      AUDIENCE,
      '--role',
      'reports',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as { id: string; secret: string; curl: string };

    // The curl line exactly as printed (the CLI's config names http://localhost:8787; this Sitewide is elsewhere).
    const curl = client.curl.replace('http://localhost:8787/auth/token', `${origin}/auth/token`);
    expect(curl).toBe(
      `curl -s -u '${client.id}:${client.secret}' -d grant_type=client_credentials -d 'audience=${AUDIENCE}' ${origin}/auth/token`,
    );
    const answered = spawnSync('sh', ['-c', curl], { encoding: 'utf8' });
    expect(answered.status).toBe(0);
    const grant = JSON.parse(answered.stdout) as { access_token: string; token_type: string; expires_in: number };
    expect(grant).toMatchObject({ token_type: 'Bearer', expires_in: 300 });

    // An outside verifier: jose with Sitewide's JWKS, nothing else.
    const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(grant.access_token, jwks, {
      issuer: origin,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'client_id', 'jti', 'iat', 'exp'],
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ sub: `client:${client.id}`, client_id: client.id, roles: ['reports'] });
    expect(payload).not.toHaveProperty('sid');

    // The Express example: a client's token on a route without allowClients is refused, with a clear code.
    const whoami = await fetch(`${backend.url}/whoami`, { headers: { authorization: `Bearer ${grant.access_token}` } });
    expect(whoami.status).toBe(403);
    expect(((await whoami.json()) as { error: { code: string } }).error.code).toBe('client_not_allowed');

    // The cron job (the kit's sitewideClientToken), calling /reports every 250 ms.
    const log = join(dir, 'cron.log');
    const cron = startGroup('npm', ['run', '--silent', 'cron'], {
      cwd: resolve(ROOT, 'examples/express-verifier'),
      env: childEnv({
        SITEWIDE_ISSUER: origin,
        CLIENT_ID: client.id,
        CLIENT_SECRET: client.secret,
        AUDIENCE,
        REPORTS_URL: `${backend.url}/reports`,
        TIMES: '160',
        EVERY_MS: '250',
      }),
      logPath: log,
    });
    type Line = { status: number; body?: Record<string, unknown>; error?: string };
    const lines = (): Line[] =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    const until = async (found: (all: Line[]) => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (found(lines())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`not within ${ms} ms; the cron job printed:\n${readFileSync(log, 'utf8')}`);
    };
    try {
      await until((all) => all.length >= 2, 20_000);
      expect(lines().slice(0, 2)).toEqual([
        { status: 200, body: { client: client.id, roles: ['reports'] } },
        { status: 200, body: { client: client.id, roles: ['reports'] } },
      ]);

      const started = Date.now();
      const before = lines().length;
      const revoked = await admin(['clients', 'revoke', client.id]);
      expect(revoked.code).toBe(0);
      const revokedAt = Date.now();
      await until((all) => all.slice(before).some((l) => l.status === 401), 20_000);
      const lostAccessMs = Date.now() - revokedAt;
      const sinceStartMs = Date.now() - started;
      const after = lines().slice(before);
      const first = after.findIndex((l) => l.status === 401);
      expect(after[first]).toMatchObject({ status: 401, body: { error: { code: 'session_revoked' } } });
      // Within REVOCATION_POLL (5 s) + the feed's D1 scan (1 s) + the location cache (1 s), and slack for a loaded machine.
      expect(lostAccessMs).toBeLessThan(12_000);
      console.log(
        `cron job refused ${lostAccessMs} ms after npm run admin -- clients revoke returned (${sinceStartMs} ms after it started)`,
      );
      // Then its next token request is refused too.
      await until((all) => all.slice(before + first + 1).length >= 1, 5_000);
      expect(lines()[before + first + 1]).toEqual({ status: 401, error: 'invalid_client' });
    } finally {
      await stopGroup(cron);
    }
  });
});
