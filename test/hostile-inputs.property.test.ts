import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRedirect } from '../src/auth/redirect-policy';
import { hmacWithPublicKey, mint, signRaw, strangerKeys, unsignedToken } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

// Every generated request must be refused cleanly: a 4xx JSON error, never a 5xx, never a 200.
const RUNS = 200;

/** Strings that look like tokens: base64url-ish parts joined by dots, plus raw noise and bad base64. */
const tokenish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.base64String({ maxLength: 120 }), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
  fc
    .tuple(
      fc.constantFrom('eyJhbGciOiJub25lIn0', 'eyJhbGciOiJFUzI1NiJ9', 'eyJ0eXAiOiJKV1QifQ', '!!!', '%%%'),
      fc.base64String(),
      fc.base64String(),
    )
    .map((p) => p.join('.')),
  fc.nat({ max: 20_000 }).map((n) => 'A'.repeat(n)),
);

let crafted: string[] = [];
async function craftedTokens(): Promise<string[]> {
  if (crafted.length) return crafted;
  crafted = [
    unsignedToken(),
    await hmacWithPublicKey(),
    await mint({ keys: await strangerKeys() }),
    await mint({ keys: await strangerKeys('test-key-1') }),
    await signRaw({ kid: 'no-such-kid' }, {}),
    await signRaw({ typ: 'at+jwt' }, { aud: 'https://billing.example.test' }),
  ];
  return crafted;
}

/** A genuine token: only ever sent mutated. */
const genuine = () => mint({ sub: 'nobody' });

/** Mutates a string: replace or drop one character (never leaving it unchanged). */
const mutated = (base: string) =>
  fc
    .tuple(fc.nat({ max: Math.max(0, base.length - 1) }), fc.constantFrom('', 'A', 'z', '-', '_', '.', '=', '%', ' '))
    .map(([i, ch]) => base.slice(0, i) + ch + base.slice(i + 1))
    .filter((s) => s !== base);

const clean = (s: string) => s.replace(/[\r\n\0]/g, '');

async function expectCleanRefusal(res: Response) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(typeof body.error.code).toBe('string');
  expect(body.error.message).not.toMatch(/\bat \S+:\d+|ERR_JOSE|ERR_JW/);
}

describe('no hostile input yields a 5xx or a 200', () => {
  it(`session cookies: random, crafted, mutated, duplicated, huge (${RUNS} cases)`, async () => {
    const tokens = [...(await craftedTokens()), await genuine()];
    const value = fc.oneof(
      tokenish,
      fc.constantFrom(...tokens.slice(0, -1)),
      fc.constantFrom(...tokens).chain(mutated),
    );
    const header = fc.oneof(
      value.map((v) => `${SESSION_COOKIE}=${v}`),
      fc.tuple(value, value).map(([a, b]) => `${SESSION_COOKIE}=${a}; ${SESSION_COOKIE}=${b}`),
      fc.tuple(fc.string(), value).map(([junk, v]) => `${junk}; ${SESSION_COOKIE}=${v}; ${junk}`),
    );
    await fc.assert(
      fc.asyncProperty(header, fc.constantFrom('GET', 'POST'), async (cookie, method) => {
        const path = method === 'GET' ? '/api/me' : '/api/sessions/revoke-all';
        await expectCleanRefusal(
          await api(path, { method, headers: { cookie: clean(cookie), origin: 'https://app.example.test' } }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it(`Authorization headers: random, crafted, mutated (${RUNS} cases)`, async () => {
    const tokens = [...(await craftedTokens()), await genuine()];
    const value = fc.oneof(tokenish, fc.constantFrom(...tokens), fc.constantFrom(...tokens).chain(mutated));
    const header = fc.oneof(
      value.map((v) => `Bearer ${v}`),
      value.map((v) => `bearer    ${v}`),
      fc.constantFrom('Bearer', 'Bearer ', 'Bearer a b', 'Bearer\t'),
      fc.string().map((s) => `Bearer ${s}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        await expectCleanRefusal(await api('/api/me', { headers: { authorization: clean(authorization) } }));
      }),
      { numRuns: RUNS },
    );
  });

  it(`arbitrary Cookie headers never crash the reader (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 500 }), async (raw) => {
        const res = await api('/api/me', { headers: { cookie: clean(raw) } });
        expect(res.status).toBe(401);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('redirect policy over generated URLs', () => {
  const policy = {
    apiOrigin: 'https://api.example.test',
    allowedOrigins: new Set(['https://app.example.test']),
    appUrl: 'https://app.example.test/',
  };
  it('always answers APP_URL or a URL on the API or an allowed origin (2000 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl(), fc.string(), fc.webPath(), fc.constantFrom('//', '/\\', 'javascript:')),
        (target) => {
          const out = new URL(resolveRedirect(target, policy));
          expect([policy.apiOrigin, ...policy.allowedOrigins]).toContain(out.origin);
          expect(out.username + out.password).toBe('');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
