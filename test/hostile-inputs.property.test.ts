import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRedirect } from '../src/auth/redirect-policy';
import { api, SESSION_COOKIE } from './support/sign-in';
import { mint } from './support/tokens';

const codes = new Set(['missing_session', 'invalid_session', 'session_expired', 'user_not_found']);

/** Strings that look like tokens: base64url-ish parts joined by dots, plus raw noise. */
const tokenish = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.array(fc.base64String({ maxLength: 120 }), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
  fc
    .tuple(
      fc.constantFrom('eyJhbGciOiJub25lIn0', 'eyJhbGciOiJFUzI1NiJ9', 'eyJ0eXAiOiJKV1QifQ'),
      fc.base64String(),
      fc.base64String(),
    )
    .map((p) => p.join('.')),
);

describe('no hostile input yields a 5xx', () => {
  it('random session cookie values answer 401 with a known code', async () => {
    await fc.assert(
      fc.asyncProperty(tokenish, async (value) => {
        const cookie = `${SESSION_COOKIE}=${value.replace(/[;\r\n\0]/g, '')}`;
        const res = await api('/api/me', { headers: { cookie } });
        const body = (await res.json()) as { error: { code: string } };
        expect(res.status).toBe(401);
        expect(codes.has(body.error.code)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('single-character mutations of a valid token are rejected', async () => {
    const token = await mint({ sub: 'nobody' });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length - 1 }),
        fc.constantFrom('A', 'b', '-', '_', '.', '0'),
        async (i, ch) => {
          fc.pre(token[i] !== ch);
          const mutated = token.slice(0, i) + ch + token.slice(i + 1);
          const res = await api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${mutated}` } });
          const { error } = (await res.json()) as { error: { code: string } };
          // A base64url change in the last character's padding bits can leave the bytes intact.
          expect(res.status).toBe(401);
          expect(['invalid_session', 'user_not_found']).toContain(error.code);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('arbitrary Cookie headers never crash the reader', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 500 }), async (raw) => {
        const res = await api('/api/me', { headers: { cookie: raw.replace(/[\r\n\0]/g, '') } });
        expect(res.status).toBe(401);
      }),
      { numRuns: 150 },
    );
  });
});

describe('redirect policy over generated URLs', () => {
  const policy = {
    apiOrigin: 'https://api.example.test',
    allowedOrigins: new Set(['https://app.example.test']),
    appUrl: 'https://app.example.test/',
  };
  it('always answers APP_URL or a URL on the API or an allowed origin', () => {
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
