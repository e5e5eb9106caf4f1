import { describe, expect, it } from 'vitest';
import { resolveRedirect } from '../src/auth/redirect-policy';
import { APP_ORIGIN, APP_URL } from './support/http';
import { signIn } from './support/sign-in';
import { API } from './support/worker';

const policy = {
  apiOrigin: API,
  allowedOrigins: new Set([APP_ORIGIN, 'https://admin.example.test']),
  appUrl: APP_URL,
};

describe('resolveRedirect', () => {
  const kept: Array<[string, string]> = [
    ['/dashboard?tab=1', 'https://api.example.test/dashboard?tab=1'],
    ['https://app.example.test/settings#top', 'https://app.example.test/settings#top'],
    ['https://admin.example.test/', 'https://admin.example.test/'],
    ['https://api.example.test/auth/signin', 'https://api.example.test/auth/signin'],
  ];
  for (const [target, expected] of kept) {
    it(`keeps ${target}`, () => expect(resolveRedirect(target, policy)).toBe(expected));
  }

  const refused = [
    'https://evil.test',
    '//evil.test',
    '//evil.test/path',
    '/\\evil.test',
    '\\\\evil.test',
    'https://example.com.evil.test',
    'https://app.example.test.evil.test/',
    'https://app.example.test@evil.test/',
    'https://user:pw@app.example.test/',
    'http://app.example.test/',
    'https://app.example.test:8443/',
    'https://sub.app.example.test/',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'https://[::1]/',
    'http://%65vil.test',
    // Not a URL, not a path: Auth.js would answer 500 to these; we send them home.
    'foo',
    '%',
    '\ufffd\ufffd',
    'app.example.test/home',
    '',
  ];
  for (const target of refused) {
    it(`sends ${JSON.stringify(target)} to APP_URL`, () => expect(resolveRedirect(target, policy)).toBe(policy.appUrl));
  }
});

describe('redirect after a real sign-in', () => {
  it('an allowed sibling origin is kept', async () => {
    const { callback } = await signIn({ sub: 'redir-1' }, { callbackUrl: 'https://admin.example.test/users?x=1' });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('https://admin.example.test/users?x=1');
  });

  for (const target of ['https://evil.test', '//evil.test', 'https://example.com.evil.test', 'javascript:alert(1)']) {
    it(`${target} lands on APP_URL`, async () => {
      const { callback } = await signIn({ sub: `redir-${target.length}` }, { callbackUrl: target });
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe(APP_URL);
    });
  }
});
