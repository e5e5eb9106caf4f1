// Client authentication in the client-credentials grant (src/clients/authenticate.ts): the
// constant-time compare runs alike for known, unknown and malformed ids, the previous secret counts
// only within its overlap; and the grant's own rate limits (failures per IP, tokens per client).
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { authenticateClient } from '../src/clients/authenticate';
import { hashClientSecret } from '../src/clients/secret';
import type { ServiceClient } from '../src/db/schema';
import { createClient, requestClientToken, type TestClient } from './support/clients';
import { codeOf, FROM_APP } from './support/http';
import { apiWith } from './support/policy';
import { signIn } from './support/sign-in';

describe('the secret compare', () => {
  const hashOf = (secret: string) => hashClientSecret(secret);

  async function storedClient(secret: string, more: Partial<ServiceClient> = {}): Promise<ServiceClient> {
    return {
      id: '11111111-1111-4111-8111-111111111111',
      name: 'x',
      secretHash: await hashOf(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      audiences: ['reports'],
      roles: [],
      createdAt: new Date(),
      createdBy: null,
      lastUsedAt: null,
      revokedAt: null,
      tokensRevokedBefore: null,
      ...more,
    };
  }

  it('runs the constant-time compare twice on 32-byte hashes for a known id, an unknown id and a malformed one', async () => {
    const stored = await storedClient('right');
    const cases: Array<[string, string, ServiceClient | undefined, boolean]> = [
      ['known id, right secret', stored.id, stored, true],
      ['known id, wrong secret', stored.id, stored, false],
      ['unknown id', '22222222-2222-4222-8222-222222222222', undefined, false],
    ];
    for (const [name, id, row, ok] of cases) {
      const compare = vi.fn((a: Uint8Array, b: Uint8Array) => a.every((byte, i) => byte === b[i]));
      const find = vi.fn(async () => row);
      const result = await authenticateClient(
        { id, secret: ok ? 'right' : 'wrong' },
        { find, compare, now: new Date() },
      );
      expect(result.ok, name).toBe(ok);
      expect(find, name).toHaveBeenCalledTimes(1);
      expect(compare, name).toHaveBeenCalledTimes(2);
      for (const [a, b] of compare.mock.calls) expect([a.length, b.length], name).toEqual([32, 32]);
    }
    const compare = vi.fn(() => false);
    const find = vi.fn(async () => undefined);
    const malformed = await authenticateClient({ id: 'not-a-uuid', secret: 'x' }, { find, compare, now: new Date() });
    expect(malformed.ok).toBe(false);
    expect(find).not.toHaveBeenCalled();
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls as unknown as Array<[Uint8Array, Uint8Array]>) {
      expect([a.length, b.length]).toEqual([32, 32]);
    }
  });

  it('the previous secret counts only within its overlap; a revoked client fails after the compare', async () => {
    const now = new Date();
    const compare = (a: Uint8Array, b: Uint8Array) => a.every((byte, i) => byte === b[i]);
    const rotated = await storedClient('new', {
      previousSecretHash: await hashOf('old'),
      previousSecretExpiresAt: new Date(now.getTime() + 60_000),
    });
    const auth = (secret: string, row: ServiceClient) =>
      authenticateClient({ id: row.id, secret }, { find: async () => row, compare, now });
    expect(await auth('old', rotated)).toMatchObject({ ok: true, viaPrevious: true });
    expect(await auth('new', rotated)).toMatchObject({ ok: true, viaPrevious: false });
    const lapsed = { ...rotated, previousSecretExpiresAt: new Date(now.getTime() - 1) };
    expect(await auth('old', lapsed)).toEqual({ ok: false, reason: 'wrong_secret' });
    expect(await auth('new', { ...rotated, revokedAt: now })).toEqual({ ok: false, reason: 'revoked' });
  });

  it('the Worker compares with workerd’s crypto.subtle.timingSafeEqual', async () => {
    const spy = vi.spyOn(crypto.subtle as SubtleCrypto & { timingSafeEqual: () => boolean }, 'timingSafeEqual');
    try {
      const client = await createClient({ audiences: ['reports'] });
      expect((await requestClientToken(client)).status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(2);
      spy.mockClear();
      expect((await requestClientToken({ id: crypto.randomUUID() as TestClient['id'], secret: 'x' })).status).toBe(401);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('rate limits: failures per IP, tokens per client (TIGHT_RATE_LIMIT: 2 a minute)', () => {
  const tight = () =>
    apiWith({ AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT } as unknown as Partial<Record<keyof Env, string>>);
  const from = (ip: string) => ({ 'cf-connecting-ip': ip });

  it('wrong secrets naming a real client spend the IP’s budget, not the client’s', async () => {
    const fetcher = tight();
    const client = await createClient({ audiences: ['reports'] });
    const attacker: TestClient = { id: client.id, secret: 'guess' };
    const attempts = [];
    for (let i = 0; i < 3; i++)
      attempts.push(await requestClientToken(attacker, { fetcher, headers: from('203.0.113.66') }));
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 429]);
    const limited = attempts[2] as Response;
    expect(await codeOf(limited)).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('60');
    // Even the right secret from that address waits (it is the address that failed), without a D1 read…
    expect((await requestClientToken(client, { fetcher, headers: from('203.0.113.66') })).status).toBe(429);
    // …while the client itself, from its own address, is untouched.
    expect((await requestClientToken(client, { fetcher, headers: from('198.51.100.7') })).status).toBe(200);
  });

  it('tokens spend the client’s budget: a third token in the minute is refused; another client behind the same IP is not', async () => {
    const fetcher = tight();
    const busy = await createClient({ audiences: ['reports'] });
    const other = await createClient({ audiences: ['reports'] });
    const nat = from('192.0.2.10');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await requestClientToken(busy, { fetcher, headers: nat })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await requestClientToken(other, { fetcher, headers: nat })).status).toBe(200);
    // The cookie flow's per-IP `token` group was not spent by any of it.
    const { jar } = await signIn({ sub: 'grant-rate-limit' });
    const minted = await fetcher('/auth/token', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/json', ...FROM_APP, ...nat },
      body: JSON.stringify({ audience: 'reports' }),
    });
    expect(minted.status).toBe(200);
  });
});
