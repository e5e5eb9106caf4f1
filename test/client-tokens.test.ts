// Service clients' tokens after the grant: refused on Sitewide's own /api routes with a clear code,
// and revoked (`clients revoke`, `clients rotate` without overlap: the CLI's own statements) through
// the revocation feed at every isolate within one poll. Each isolate below is its own env object,
// so its own snapshot of the feed (src/revocation/snapshot.ts), as in test/revocation-feed.test.ts.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { type Config, loadConfig } from '../src/config/config';
import { snapshotOf } from '../src/revocation/snapshot';
import type { RevocationPage } from '../src/revocation/types';
import {
  clientToken,
  createClient,
  oauthError,
  requestClientToken,
  revokeClient,
  rotateClient,
} from './support/clients';
import { codeOf } from './support/http';
import { signIn } from './support/sign-in';
import { mintAccessToken, tamper } from './support/tokens';
import { API, api } from './support/worker';

const POLL_MS = 200;
/** One poll of the isolate, one D1 scan of the feed (at most every POLL_MS here), and slack. */
const afterPollAndScan = () => new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS + 150));

/** An isolate polling the feed every POLL_MS: its fetch, and its own snapshot's verdict on a token. */
function isolate() {
  const app = createApp();
  const isolateEnv = { ...env, REVOCATION_POLL: String(POLL_MS / 1000) } as Env;
  const fetch = async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(new URL(path, API), init), isolateEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  /**
   * What this isolate's snapshot says of a token, after letting it poll: a request that reaches the
   * revocation check (a user's Bearer token here) polls when the snapshot is older than POLL_MS.
   */
  const refuses = async (token: string) => {
    const poller = await mintAccessToken({ sub: 'poller', sid: 'poller', audience: API });
    await fetch('/api/sessions', { headers: { authorization: `Bearer ${poller}` } });
    const claims = decodeJwt(token);
    const snapshot = snapshotOf(isolateEnv, loadConfig(isolateEnv) as Config);
    return snapshot.refuses({ sub: String(claims.sub), sid: '', iat: Number(claims.iat) });
  };
  return { fetch, refuses };
}

async function feedPage(): Promise<RevocationPage> {
  return (await (await isolate().fetch('/.well-known/sitewide-revocations?since=0')).json()) as RevocationPage;
}

describe('client tokens at Sitewide', () => {
  it("its own /api routes are a person's: 403 client_not_allowed with WWW-Authenticate insufficient_scope", async () => {
    const client = await createClient({ audiences: [API] });
    const token = await clientToken(client, { audience: API });
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/sessions'],
      ['POST', '/api/sessions/revoke-all'],
      ['DELETE', '/api/me'],
    ] as const) {
      const res = await api(path, { method, headers: { authorization: `Bearer ${token}` } });
      expect({ status: res.status, code: await codeOf(res) }, `${method} ${path}`).toEqual({
        status: 403,
        code: 'client_not_allowed',
      });
      expect(res.headers.get('www-authenticate'), path).toContain('error="insufficient_scope"');
    }
  });

  it('a forged or foreign client token is the usual 401 invalid_session; user Bearer tokens still pass', async () => {
    const client = await createClient({ audiences: [API, 'reports'] });
    const forReports = await clientToken(client, { audience: 'reports' });
    const forApi = await clientToken(client, { audience: API });
    const other = crypto.randomUUID();
    for (const token of [forReports, tamper(forApi, { sub: `client:${other}`, client_id: other })]) {
      const res = await api('/api/me', { headers: { authorization: `Bearer ${token}` } });
      expect({ status: res.status, code: await codeOf(res) }).toEqual({ status: 401, code: 'invalid_session' });
    }
    const { jar } = await signIn({ sub: 'client-tokens-user' });
    const session = decodeJwt(jar.get('__Secure-sitewide.session') ?? '');
    const userToken = await mintAccessToken({ sub: String(session.sub), sid: String(session.sid), audience: API });
    expect((await api('/api/me', { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(200);
  });
});

describe('revocation reaches every isolate within one poll', () => {
  it('clients revoke: its token is refused by another isolate’s snapshot; the feed lists client:<id>; no new token', async () => {
    const a = isolate();
    const b = isolate();
    const client = await createClient({ audiences: ['reports'] });
    const token = await clientToken(client);
    const bystander = await createClient({ audiences: ['reports'] });
    const bystanderToken = await clientToken(bystander);
    expect(await b.refuses(token)).toBe(false);

    await revokeClient(client.id);
    await afterPollAndScan();
    expect(await b.refuses(token)).toBe(true);
    expect(await a.refuses(token)).toBe(true);
    expect(await b.refuses(bystanderToken)).toBe(false);
    const entry = (await feedPage()).users.find((u) => u.id === `client:${client.id}`);
    expect(entry?.before).toBeGreaterThan(Number(decodeJwt(token).iat));
    expect(await oauthError(await requestClientToken(client))).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('clients rotate without overlap: the old secret and its tokens are refused; a token from the new secret, even in the same second, is not', async () => {
    const b = isolate();
    const client = await createClient({ audiences: ['reports'] });
    const oldToken = await clientToken(client);
    const secret = await rotateClient(client.id);
    const newToken = await clientToken({ id: client.id, secret });
    expect(await oauthError(await requestClientToken(client))).toEqual({ status: 401, error: 'invalid_client' });
    await afterPollAndScan();
    expect(await b.refuses(oldToken)).toBe(true);
    expect(await b.refuses(newToken)).toBe(false);
    const entry = (await feedPage()).users.find((u) => u.id === `client:${client.id}`);
    expect(Number(decodeJwt(newToken).iat)).toBeGreaterThanOrEqual(entry?.before ?? Number.POSITIVE_INFINITY);
  });

  it('clients rotate --overlap 1h: both secrets get tokens, no token is refused, the feed says nothing', async () => {
    const b = isolate();
    const client = await createClient({ audiences: ['reports'] });
    const oldToken = await clientToken(client);
    const secret = await rotateClient(client.id, 3600);
    expect((await requestClientToken(client)).status).toBe(200);
    const newToken = await clientToken({ id: client.id, secret });
    await afterPollAndScan();
    expect(await b.refuses(oldToken)).toBe(false);
    expect(await b.refuses(newToken)).toBe(false);
    expect((await feedPage()).users.some((u) => u.id === `client:${client.id}`)).toBe(false);
    // A rotation without overlap later ends the old secret at once (and the earlier tokens with it).
    const third = await rotateClient(client.id);
    expect(await oauthError(await requestClientToken(client))).toEqual({ status: 401, error: 'invalid_client' });
    expect(await oauthError(await requestClientToken({ id: client.id, secret }))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
    expect((await requestClientToken({ id: client.id, secret: third })).status).toBe(200);
  });
});
