import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requireSitewideSession } from '../src/express.ts';
import { createSitewideVerifier, SitewideClientTokenError, sitewideClientToken } from '../src/index.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

const AUDIENCE = 'https://billing.example.test';
const CLIENT = '3f6c1c0e-2b1a-4c55-9a7e-0d8f3c2b1a00';
let fake: FakeSitewide;

beforeAll(async () => {
  fake = await startFakeSitewide('__Secure-sitewide.session', { revocationPoll: 0.2 });
});
afterAll(() => fake.close());

/** A service client's access token as Sitewide signs it: sub client:<id>, client_id, roles, no sid. */
function clientToken(claims: Record<string, unknown> = {}, id = CLIENT) {
  return fake.sign(
    { sid: undefined, client_id: id, roles: ['reports'], ...claims },
    { typ: 'at+jwt', aud: AUDIENCE, sub: `client:${id}` },
  );
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('verifying a service client’s token', () => {
  it('with allowClients: kind client, its id and roles, no user and no session', async () => {
    const v = createSitewideVerifier({ issuer: fake.issuer, audience: AUDIENCE, allowClients: true });
    const result = await v.verify(bearer(await clientToken()));
    expect(result).toEqual({
      ok: true,
      kind: 'client',
      client: { id: CLIENT, roles: ['reports'] },
      via: 'bearer',
      setCookie: [],
    });
  });

  it('by default: 403 client_not_allowed, with a hint naming the option', async () => {
    const v = createSitewideVerifier({ issuer: fake.issuer, audience: AUDIENCE });
    const result = await v.verify(bearer(await clientToken()));
    expect(result).toMatchObject({ ok: false, status: 403, code: 'client_not_allowed' });
    expect(result.ok || result.hint).toContain('allowClients: true');
  });

  it('a user’s token is still kind user; a client sub without its matching client_id, or a user token without sid, is invalid', async () => {
    const v = createSitewideVerifier({ issuer: fake.issuer, audience: AUDIENCE, allowClients: true });
    const user = await fake.sign({ roles: ['admin'] }, { typ: 'at+jwt', aud: AUDIENCE });
    expect(await v.verify(bearer(user))).toMatchObject({
      ok: true,
      kind: 'user',
      user: { id: 'user-1', roles: ['admin'] },
      session: { id: 'session-1' },
    });
    for (const token of [
      await clientToken({ client_id: 'someone-else' }),
      await clientToken({ client_id: undefined }),
      await fake.sign({ sid: undefined }, { typ: 'at+jwt', aud: AUDIENCE }),
    ]) {
      expect(await v.verify(bearer(token))).toMatchObject({ ok: false, status: 401, code: 'invalid_session' });
    }
    // A client's token is never a session cookie.
    const asCookie = await v.verify({ cookie: `${fake.cookieName}=${await clientToken()}` });
    expect(asCookie).toMatchObject({ ok: false, code: 'invalid_session' });
  });

  it('the revocation feed’s entry client:<id> refuses its older tokens within the poll (401 session_revoked)', async () => {
    const v = createSitewideVerifier({ issuer: fake.issuer, audience: AUDIENCE, allowClients: true });
    const id = '9a1b2c3d-0000-4000-8000-000000000001';
    const old = await clientToken({}, id);
    expect(await v.verify(bearer(old))).toMatchObject({ ok: true, kind: 'client' });
    fake.feed.users.push({ id: `client:${id}`, before: Math.floor(Date.now() / 1000) + 1 });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const refused = await v.verify(bearer(old));
    expect(refused).toMatchObject({ ok: false, status: 401, code: 'session_revoked' });
    expect(refused.ok || refused.message).toContain('service client was revoked');
    expect(await v.verify(bearer(await clientToken()))).toMatchObject({ ok: true });
  });
});

describe('requireSitewideSession({ allowClients }) in Express', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  async function serve(options: { allowClients?: boolean; roles?: string[] }) {
    const app = express();
    app.get('/reports', requireSitewideSession({ issuer: fake.issuer, audience: AUDIENCE, ...options }), (req, res) => {
      res.json(req.sitewide);
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/reports`;
    return async (token: string) => {
      const res = await fetch(url, {
        headers: { ...bearer(token), accept: 'text/html', 'sec-fetch-mode': 'navigate' },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
  }

  it('lets a client through with req.sitewide.kind client; roles apply to it; off by default (403, never a redirect)', async () => {
    const token = await clientToken();
    expect(await (await serve({ allowClients: true }))(token)).toEqual({
      status: 200,
      body: { kind: 'client', client: { id: CLIENT, roles: ['reports'] }, via: 'bearer' },
    });
    expect((await (await serve({ allowClients: true, roles: ['reports'] }))(token)).status).toBe(200);
    expect(await (await serve({ allowClients: true, roles: ['admin'] }))(token)).toMatchObject({
      status: 403,
      body: { error: { code: 'access_denied' } },
    });
    expect(await (await serve({}))(token)).toMatchObject({
      status: 403,
      body: { error: { code: 'client_not_allowed' } },
    });
  });
});

describe('sitewideClientToken', () => {
  beforeEach(() => {
    fake.tokenRequests.length = 0;
    fake.token = { status: 200, body: { access_token: 'tok-1', token_type: 'Bearer', expires_in: 300 }, delayMs: 0 };
  });

  it('asks with client_secret_basic (form-encoded id and secret) and grant_type; caches the token', async () => {
    const token = sitewideClientToken({
      issuer: `${fake.issuer}/`,
      clientId: CLIENT,
      clientSecret: 'sws_a+b/c',
      audience: AUDIENCE,
    });
    expect(await token()).toBe('tok-1');
    expect(await token()).toBe('tok-1');
    expect(fake.tokenRequests).toHaveLength(1);
    const [request] = fake.tokenRequests;
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: 'client_credentials',
      audience: AUDIENCE,
    });
    expect(atob((request?.authorization ?? '').replace(/^Basic /, ''))).toBe(`${CLIENT}:sws_a%2Bb%2Fc`);
  });

  it('concurrent callers share one request; a token near its end is renewed', async () => {
    fake.token = { status: 200, body: { access_token: 'short', expires_in: 1 }, delayMs: 50 };
    const token = sitewideClientToken({ issuer: fake.issuer, clientId: CLIENT, clientSecret: 's' });
    const all = await Promise.all(Array.from({ length: 10 }, () => token()));
    expect(new Set(all)).toEqual(new Set(['short']));
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.tokenRequests[0]?.body).toBe('grant_type=client_credentials');
    // Renewed a fifth of its lifetime before it ends (0.2 s of 1 s).
    await new Promise((resolve) => setTimeout(resolve, 850));
    fake.token = { status: 200, body: { access_token: 'next', expires_in: 300 }, delayMs: 0 };
    expect(await token()).toBe('next');
    expect(fake.tokenRequests).toHaveLength(2);
    token.reset();
    expect(await token()).toBe('next');
    expect(fake.tokenRequests).toHaveLength(3);
  });

  it('a refusal throws SitewideClientTokenError with the OAuth code (or Sitewide’s) and is not cached', async () => {
    const token = sitewideClientToken({ issuer: fake.issuer, clientId: CLIENT, clientSecret: 'wrong' });
    fake.token = {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed' },
      delayMs: 0,
    };
    const refused = await token().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SitewideClientTokenError);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_client' });
    fake.token = { status: 429, body: { error: { code: 'rate_limited', message: 'Too many' } }, delayMs: 0 };
    await expect(token()).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
    expect(fake.tokenRequests).toHaveLength(2);
    const unreachable = sitewideClientToken({ issuer: 'http://127.0.0.1:9', clientId: CLIENT, clientSecret: 's' });
    await expect(unreachable()).rejects.toMatchObject({ status: 0, code: 'service_unavailable' });
    expect(() => sitewideClientToken({ issuer: 'api.example.com', clientId: 'x', clientSecret: 'y' })).toThrow(
      TypeError,
    );
  });

  it('a 200 that is not the token (an HTML page from a proxy) is service_unavailable, never a SyntaxError', async () => {
    const html = async () => new Response('<!doctype html><title>Sign in</title>', { status: 200 });
    const token = sitewideClientToken({ issuer: fake.issuer, clientId: CLIENT, clientSecret: 's', fetch: html });
    const refused = await token().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SitewideClientTokenError);
    expect(refused).toMatchObject({ status: 200, code: 'service_unavailable' });
  });
});
