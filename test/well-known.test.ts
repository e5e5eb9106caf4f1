import { describe, expect, it } from 'vitest';
import { API, api, SESSION_COOKIE } from './support/worker';

describe('GET /.well-known/jwks.json', () => {
  it('publishes the public half of every key, cacheable, with no private member', async () => {
    const res = await api('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0] ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: 'test-key-1' });
    for (const key of keys)
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
  });

  it('/.well-known/sitewide.json names the issuer, keys, cookie, token endpoint (grant, client authentication) and revocation feed', async () => {
    const res = await api('/.well-known/sitewide.json');
    expect(await res.json()).toEqual({
      issuer: API,
      jwks_uri: `${API}/.well-known/jwks.json`,
      token_endpoint: `${API}/auth/token`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      algorithms: ['ES256'],
      session_cookie: { name: SESSION_COOKIE, domain: 'example.test', typ: 'sitewide-session+jwt', audience: API },
      access_token: { typ: 'at+jwt', audiences: [API, 'https://billing.example.test', 'reports'] },
      revocations_uri: `${API}/.well-known/sitewide-revocations`,
      revocation_poll: 5,
    });
  });
});
