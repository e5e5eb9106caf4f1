import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  basicAuthorization,
  clientToken,
  createClient,
  oauthError,
  requestClientToken,
  revokeClient,
  type TestClient,
} from './support/clients';
import { rows } from './support/db';
import { FROM_APP } from './support/http';
import { apiWith } from './support/policy';
import { signIn } from './support/sign-in';
import { API, api } from './support/worker';

const BILLING = 'https://billing.example.test';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A raw form POST to the token endpoint. */
function post(body: string, headers: Record<string, string> = {}, fetcher = api) {
  return fetcher('/auth/token', { method: 'POST', headers: { ...FORM, ...headers }, body });
}

describe('the grant', () => {
  it('client_secret_basic: an at+jwt with sub client:<id>, client_id, aud, roles, jti, iat, exp; no-store', async () => {
    const client = await createClient({ audiences: ['reports'], roles: ['reports', 'ops'] });
    const res = await requestClientToken(client, { via: 'basic', audience: 'reports' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(decodeProtectedHeader(body.access_token)).toEqual({ alg: 'ES256', kid: 'test-key-1', typ: 'at+jwt' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toEqual({
      iss: API,
      aud: 'reports',
      sub: `client:${client.id}`,
      client_id: client.id,
      roles: ['reports', 'ops'],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    expect(Math.abs((claims.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    // last_used_at is written after the answer.
    await vi.waitFor(async () => {
      const [row] = await rows<{ last_used_at: number | null }>('service_clients', 'id = ?', client.id);
      expect(row?.last_used_at).toBeGreaterThan(Date.now() - 10_000);
    });
  });

  it('client_secret_post: the same token', async () => {
    const client = await createClient({ audiences: [BILLING, 'reports'] });
    const token = await clientToken(client, { via: 'post', audience: BILLING });
    expect(decodeJwt(token)).toMatchObject({
      aud: BILLING,
      sub: `client:${client.id}`,
      client_id: client.id,
      roles: [],
    });
  });

  it('without an audience: the client’s only one; RFC 8707 resource names it too', async () => {
    const one = await createClient({ audiences: [BILLING] });
    expect(decodeJwt(await clientToken(one)).aud).toBe(BILLING);
    expect(decodeJwt(await clientToken(one, { form: { resource: BILLING } })).aud).toBe(BILLING);
  });

  it('a cookie sent along changes nothing, and no Origin is checked: the grant carries no ambient credential', async () => {
    const { jar } = await signIn({ sub: 'grant-with-cookie' });
    const client = await createClient({ audiences: ['reports'] });
    const res = await requestClientToken(client, {
      headers: { cookie: jar.header(), origin: 'https://evil.test' },
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token).sub).toBe(`client:${client.id}`);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the cookie flow is unchanged: JSON with the cookie still mints a user token', async () => {
    const { jar } = await signIn({ sub: 'grant-cookie-flow' });
    const res = await api('/auth/token', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/json', ...FROM_APP },
      body: JSON.stringify({ audience: 'reports' }),
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ aud: 'reports', sid: expect.any(String) });
  });
});

describe('invalid_client: 401 with WWW-Authenticate: Basic, whichever the method', () => {
  const realm = `Basic realm="${API}", charset="UTF-8"`;

  it('a wrong secret, an unknown client and a revoked client get the same answer', async () => {
    const client = await createClient({ audiences: ['reports'] });
    const revoked = await createClient({ audiences: ['reports'] });
    await revokeClient(revoked.id);
    // One character changed (not the last: with 32 bytes it holds only 4 random bits, and may already be 'A').
    const changed = client.secret[4] === 'A' ? 'B' : 'A';
    const wrong: TestClient = {
      id: client.id,
      secret: `${client.secret.slice(0, 4)}${changed}${client.secret.slice(5)}`,
    };
    const unknown: TestClient = { id: crypto.randomUUID() as TestClient['id'], secret: client.secret };
    for (const via of ['basic', 'post'] as const) {
      for (const [name, who] of [
        ['wrong secret', wrong],
        ['unknown client', unknown],
        ['revoked client', revoked],
      ] as const) {
        const res = await requestClientToken(who, { via });
        const body = (await res.json()) as Record<string, string>;
        const answer = {
          status: res.status,
          body,
          challenge: res.headers.get('www-authenticate'),
          cache: res.headers.get('cache-control'),
        };
        expect(answer, `${via} ${name}`).toEqual({
          status: 401,
          body: {
            error: 'invalid_client',
            error_description: 'Client authentication failed: unknown client, wrong secret, or revoked',
          },
          challenge: realm,
          cache: 'no-store',
        });
      }
    }
  });

  it('no client authentication, a malformed Basic header, another scheme: invalid_client', async () => {
    const client = await createClient({ audiences: ['reports'] });
    const cases: Array<[string, string, Record<string, string>]> = [
      ['nothing', 'grant_type=client_credentials', {}],
      ['only client_id', `grant_type=client_credentials&client_id=${client.id}`, {}],
      ['Basic not base64', 'grant_type=client_credentials', { authorization: 'Basic ***' }],
      ['Basic without a colon', 'grant_type=client_credentials', { authorization: `Basic ${btoa(client.id)}` }],
      [
        'Basic with broken escapes',
        'grant_type=client_credentials',
        { authorization: `Basic ${btoa(`${client.id}:%zz`)}` },
      ],
      ['Bearer', 'grant_type=client_credentials', { authorization: 'Bearer abc' }],
    ];
    for (const [name, body, headers] of cases) {
      const res = await post(body, headers);
      expect(await oauthError(res), name).toEqual({ status: 401, error: 'invalid_client' });
      expect(res.headers.get('www-authenticate'), name).toBe(realm);
    }
  });
});

describe('other refusals (400, RFC 6749 §5.2 and RFC 8707)', () => {
  it('invalid_request: both methods at once, a repeated parameter, no grant_type, a client_id that differs from Basic', async () => {
    const client = await createClient({ audiences: ['reports'] });
    const basic = { authorization: basicAuthorization(client.id, client.secret) };
    const cases: Array<[string, string, Record<string, string>]> = [
      ['both methods', `grant_type=client_credentials&client_id=${client.id}&client_secret=${client.secret}`, basic],
      ['grant_type twice', 'grant_type=client_credentials&grant_type=client_credentials', basic],
      ['no grant_type', 'audience=reports', basic],
      ['another client_id', `grant_type=client_credentials&client_id=${crypto.randomUUID()}`, basic],
      ['a body over 4 KiB', `grant_type=client_credentials&pad=${'x'.repeat(5000)}`, basic],
    ];
    for (const [name, body, headers] of cases) {
      const res = await post(body, headers);
      expect(await oauthError(res), name).toEqual({ status: 400, error: 'invalid_request' });
      expect(res.headers.get('www-authenticate'), name).toBeNull();
    }
    // The same id in the body beside Basic is fine.
    expect((await post(`grant_type=client_credentials&client_id=${client.id}`, basic)).status).toBe(200);
  });

  it('unsupported_grant_type, invalid_scope', async () => {
    const client = await createClient({ audiences: ['reports'] });
    const basic = { authorization: basicAuthorization(client.id, client.secret) };
    expect(await oauthError(await post('grant_type=password&username=a&password=b', basic))).toEqual({
      status: 400,
      error: 'unsupported_grant_type',
    });
    expect(await oauthError(await post('grant_type=authorization_code&code=x', basic))).toEqual({
      status: 400,
      error: 'unsupported_grant_type',
    });
    expect(await oauthError(await post('grant_type=client_credentials&scope=admin', basic))).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
    // An empty scope is no scope.
    expect((await post('grant_type=client_credentials&scope=', basic)).status).toBe(200);
  });

  it('invalid_target: an audience outside the client’s list, none when it has several, one gone from TOKEN_AUDIENCES, two at once', async () => {
    const two = await createClient({ audiences: [BILLING, 'reports'] });
    const gone = await createClient({ audiences: ['https://gone.example.test'] });
    const target = async (res: Promise<Response>) =>
      expect(await oauthError(await res)).toEqual({ status: 400, error: 'invalid_target' });
    await target(requestClientToken(two, { audience: API }));
    await target(requestClientToken(two, { audience: 'https://evil.test' }));
    await target(requestClientToken(two));
    await target(requestClientToken(gone));
    await target(requestClientToken(two, { form: { audience: 'reports', resource: BILLING } }));
    const twice = `grant_type=client_credentials&audience=reports&audience=${encodeURIComponent(BILLING)}`;
    await target(post(twice, { authorization: basicAuthorization(two.id, two.secret) }));
  });

  it('APP_ACCESS: an audience that requires a role the client lacks is refused (invalid_target); with the role, granted', async () => {
    const strict = apiWith({ APP_ACCESS: JSON.stringify({ [BILLING]: ['billing'] }) });
    const without = await createClient({ audiences: [BILLING], roles: ['reports'] });
    const holder = await createClient({ audiences: [BILLING], roles: ['billing'] });
    const refused = await requestClientToken(without, { fetcher: strict });
    const body = (await refused.json()) as { error: string; error_description: string };
    expect({ status: refused.status, error: body.error }).toEqual({ status: 400, error: 'invalid_target' });
    expect(body.error_description).toContain('APP_ACCESS requires one of the roles billing');
    const granted = await requestClientToken(holder, { fetcher: strict });
    expect(granted.status).toBe(200);
    expect(decodeJwt(((await granted.json()) as { access_token: string }).access_token).roles).toEqual(['billing']);
  });
});
