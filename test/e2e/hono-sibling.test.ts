import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevCert } from '../../scripts/dev-cert.ts';
import type { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import { NAVIGATION, rawGet } from './examples';
import { freePort, type RunningSitewide, type RunningWorker, startSitewide, startWorker } from './harness';
import { getParsed, untilExpired } from './http';

// examples/hono-sibling: a second Worker playing app.example.test, protected by
// @sitewide/verify/hono, renewing sessions over a service binding to Sitewide's SitewideRpc.
//
// Two `wrangler dev` processes joined by wrangler's dev registry (a private
// WRANGLER_REGISTRY_PATH), not one `wrangler dev -c wrangler.toml -c examples/hono-sibling/wrangler.toml`:
// with several configs, wrangler serves only the first config's Worker on its port (the others
// are reachable through bindings only; a `routes` entry does not route to them), and the test
// must reach both Sitewide (sign-in, revocation) and the sibling over HTTP.
//
// Sitewide runs on https (our certificate) so its cookie is `__Secure-…` with Domain=example.test;
// Node reaches api.example.test through a lookup pinned to 127.0.0.1.

const COOKIE = '__Secure-sitewide.session';
const APP = 'https://app.example.test';
const BILLING = 'https://billing.example.test';
/** Seconds a session token lives in this run: short, so renewal happens within the test. */
const TTL = 4;

let certDir: string;
let registry: string;
let sitewide: RunningSitewide;
let sibling: RunningWorker;
let API: string;
let jar: CookieJar;
let token: string;

/** fetch for https://*.example.test: resolved to 127.0.0.1, our self-signed certificate accepted. */
function tlsFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = new Headers(init.headers);
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'text/plain;charset=UTF-8');
    const req = httpsRequest(
      url,
      {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers),
        rejectUnauthorized: false,
        lookup: (_host, options, callback) =>
          options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304 || (status >= 300 && status < 400);
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out }));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const api: ApiFetch = (path, init = {}) => {
  const headers = new Headers(init.headers);
  if (init.jar?.size) headers.set('cookie', init.jar.header());
  return tlsFetch(new URL(path, API).href, { ...init, headers });
};

/** GET from the sibling Worker: status, parsed Set-Cookie, JSON (or `{ html }`) body. */
const callSibling = (path: string, headers: Record<string, string> = {}) => getParsed(`${sibling.url}${path}`, headers);

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'sitewide-cert-'));
  registry = mkdtempSync(join(tmpdir(), 'sitewide-registry-'));
  const tls = ensureDevCert(certDir);
  const [apiPort, appPort] = [await freePort(), await freePort()];
  API = `https://api.example.test:${apiPort}`;
  const env = { WRANGLER_REGISTRY_PATH: registry };
  sitewide = await startSitewide({
    authUrl: API,
    vars: {
      APP_URL: `${APP}/`,
      COOKIE_DOMAIN: 'example.test',
      ALLOWED_ORIGINS: APP,
      TOKEN_AUDIENCES: `${APP},${BILLING}`,
      SESSION_TOKEN_TTL: String(TTL),
      // Sitewide requires its revocation-feed poll to be shorter than the token lifetime.
      REVOCATION_POLL: '1',
    },
    tls,
    env,
  });
  sibling = await startWorker({
    configPath: 'examples/hono-sibling/wrangler.toml',
    port: appPort,
    vars: { SITEWIDE_ISSUER: API, SITEWIDE_AUDIENCE: APP },
    env,
  });
  ({ jar } = await signInFlow(
    api,
    API,
    { sub: 'sibling-user', email: 'sibling@example.test', name: 'Sibling User' },
    { callbackUrl: `${APP}/` },
  ));
  token = jar.get(COOKIE) ?? '';
});

afterAll(async () => {
  await sibling?.stop();
  await sitewide?.stop();
  rmSync(certDir, { recursive: true, force: true });
  rmSync(registry, { recursive: true, force: true });
});

describe('the Hono sibling Worker verifies Sitewide sessions (@sitewide/verify/hono)', () => {
  it('the session cookie from a real sign-in: 200 and the user', async () => {
    expect(token).not.toBe('');
    const res = await callSibling('/api/whoami', { cookie: `theme=dark; ${COOKIE}=${token}` });
    expect(res).toMatchObject({
      status: 200,
      body: { user: { email: 'sibling@example.test', name: 'Sibling User' }, session: { id: decodeJwt(token).sid } },
    });
  });

  it('the page greets a signed-in user and offers sign-in to anyone else', async () => {
    expect((await callSibling('/', { cookie: `${COOKIE}=${token}` })).body.html).toMatch(/Signed in as Sibling User/);
    const anonymous = await callSibling('/');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.html).toContain(`${API}/auth/signin/google?callbackUrl=`);
  });

  it('hints: only other cookies arrived (outside COOKIE_DOMAIN, or no credentials), an access token for another audience', async () => {
    const missing = await callSibling('/api/whoami', { cookie: 'theme=dark' });
    expect(missing).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
    expect(missing.body.error?.hint).toMatch(
      /outside COOKIE_DOMAIN \(example\.test\), or the request was made without credentials: 'include'/,
    );

    const mint = async (audience: string) => {
      const res = await api('/auth/token', {
        method: 'POST',
        jar,
        headers: { 'content-type': 'application/json', origin: APP },
        body: JSON.stringify({ audience }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const foreign = await callSibling('/api/whoami', { authorization: `Bearer ${await mint(BILLING)}` });
    expect(foreign).toMatchObject({ status: 401, body: { error: { code: 'invalid_session' } } });
    expect(foreign.body.error?.hint).toContain(`a token for "${BILLING}", not for "${APP}"`);
    const own = await callSibling('/api/whoami', { authorization: `Bearer ${await mint(APP)}` });
    // An access token carries no profile claims: the user's id and roles only, the rest null.
    expect(own).toMatchObject({
      status: 200,
      body: { via: 'bearer', user: { id: decodeJwt(token).sub, email: null } },
    });
  });

  it('the token expires: renewed over the RPC binding, 200 and the new Set-Cookie with Domain=', async (ctx) => {
    const probe = await api('/auth/refresh', { method: 'POST' });
    if (probe.status === 404) ctx.skip(); // Sitewide without POST /auth/refresh / SitewideRpc yet
    await untilExpired(token);
    const res = await callSibling('/api/whoami', { cookie: `${COOKIE}=${token}` });
    expect(res).toMatchObject({ status: 200, body: { user: { email: 'sibling@example.test' } } });
    const renewed = res.setCookie.find((c) => c.name === COOKIE);
    expect(renewed?.attributes).toMatchObject({ domain: 'example.test', path: '/', httponly: true, secure: true });
    expect(renewed?.value).not.toBe(token);
    expect(decodeJwt(renewed?.value ?? '').sid).toBe(decodeJwt(token).sid);
    token = renewed?.value ?? token;
  });

  it('40 parallel requests with one expired cookie: 40 × 200, and Sitewide minted exactly one new token (one RPC refresh)', async () => {
    await untilExpired(token);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => callSibling('/api/whoami', { cookie: `${COOKIE}=${token}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    // Each renewal signs a new token (ECDSA signatures are randomized): one value means one renewal.
    const minted = new Set(answers.map((a) => a.setCookie.find((c) => c.name === COOKIE)?.value));
    expect(minted.size).toBe(1);
    const [renewed] = minted;
    expect(renewed).toBeTruthy();
    expect(decodeJwt(renewed ?? '').sid).toBe(decodeJwt(token).sid);
    token = renewed ?? token;
  });

  it('a page navigation without a session: 302 to Sitewide’s sign-in page, back to this URL; headers private', async () => {
    const res = await rawGet(`${sibling.url}/account?x=1`, NAVIGATION);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `${API}/auth/signin?callbackUrl=${encodeURIComponent(`${sibling.url}/account?x=1`)}`,
    );
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toMatch(/\bCookie\b/);
    const api401 = await callSibling('/api/whoami');
    expect(api401).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });
    const page = await rawGet(`${sibling.url}/account`, { ...NAVIGATION, cookie: `${COOKIE}=${token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Your account: sibling@example.test.');
  });

  it('after revoke-all, the sibling refuses with session_revoked once the token expires', async (ctx) => {
    const probe = await api('/auth/refresh', { method: 'POST' });
    if (probe.status === 404) ctx.skip();
    const revoke = await api('/api/sessions/revoke-all', {
      method: 'POST',
      headers: { cookie: `${COOKIE}=${token}`, origin: API },
    });
    expect(revoke.status).toBe(200);
    await untilExpired(token);
    const res = await callSibling('/api/whoami', { cookie: `${COOKIE}=${token}` });
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'session_revoked' } } });
    expect(res.body.error?.hint).toMatch(/expired and Sitewide refused to renew it \(session_revoked\)/);
  });
});
